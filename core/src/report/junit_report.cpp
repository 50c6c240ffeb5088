#include <algorithm>
#include <sstream>

#include <pugixml.hpp>

#include "report/action_lines.hpp"
#include "report/printable.hpp"
#include "report/writers.hpp"

namespace kubecert::report {
namespace {

// The body of a <failure>/<error>/<system-out>: what CI shows when the
// testcase is opened, so it carries the evidence and what to do about it.
std::string finding_body(const Finding& f) {
    std::string body;
    body.reserve(128 * (f.evidence.size() + 1) + f.remediation.size());
    for (const Evidence& e : f.evidence) {
        body += evidence_line(e);
        body += '\n';
    }
    if (!f.benchmark.empty()) {
        body += "benchmark: ";
        body += f.benchmark;
        body += '\n';
    }
    if (!f.remediation.empty()) {
        body += "remediation: ";
        body += f.remediation;
        body += '\n';
    }
    return body;
}

// The counters JUnit consumers read from <testsuite> and <testsuites>.
struct Counts {
    int tests = 0, failures = 0, errors = 0, skipped = 0;
    void add(const Counts& o) {
        tests += o.tests;
        failures += o.failures;
        errors += o.errors;
        skipped += o.skipped;
    }
};

// Sets the tests/failures/errors/skipped attributes of `node`.
void set_counts(pugi::xml_node node, const Counts& c) {
    node.append_attribute("tests") = c.tests;
    node.append_attribute("failures") = c.failures;
    node.append_attribute("errors") = c.errors;
    node.append_attribute("skipped") = c.skipped;
}

// Appends the testcase of `f` to `suite` and returns what it adds to the counts.
Counts append_testcase(pugi::xml_node suite, const Finding& f) {
    Counts c;
    c.tests = 1;
    pugi::xml_node tc = suite.append_child("testcase");
    tc.append_attribute("classname") = ("kubecert." + f.plugin).c_str();
    tc.append_attribute("name") = f.id.c_str();
    switch (f.status) {
    case FindingStatus::pass: break;
    case FindingStatus::fail: {
        pugi::xml_node n = tc.append_child("failure");
        n.append_attribute("message") = f.title.c_str();
        n.append_attribute("type") = "FAIL";
        n.text().set(finding_body(f).c_str());
        c.failures = 1;
        break;
    }
    case FindingStatus::error: {
        pugi::xml_node n = tc.append_child("error");
        n.append_attribute("message") = f.title.c_str();
        n.append_attribute("type") = "ERROR";
        n.text().set(finding_body(f).c_str());
        c.errors = 1;
        break;
    }
    case FindingStatus::info: {
        // Not applicable on this node: neither a pass nor a failure.
        pugi::xml_node n = tc.append_child("skipped");
        n.append_attribute("message") = f.title.c_str();
        c.skipped = 1;
        break;
    }
    case FindingStatus::warn:
        // A warning must not break a CI pipeline, but it must be visible.
        tc.append_child("system-out").text().set(("WARN: " + f.title + "\n" + finding_body(f)).c_str());
        break;
    }
    return c;
}

} // namespace

std::string render_junit(const Report& raw) {
    const Report report = printable_copy(raw); // hostile bytes shown as \xNN, never raw
    // After a fix, what counts for CI is the state the fix left (under
    // --dry-run, its preview), as for the exit status.
    const std::vector<Finding>& findings = report.has_after ? report.after : report.findings;

    pugi::xml_document doc;
    pugi::xml_node decl = doc.append_child(pugi::node_declaration);
    decl.append_attribute("version") = "1.0";
    decl.append_attribute("encoding") = "UTF-8";
    pugi::xml_node root = doc.append_child("testsuites");
    root.append_attribute("name") = "kubecert";
    Counts total;
    for (const std::string& plugin : plugin_order(report, findings)) {
        pugi::xml_node suite = root.append_child("testsuite");
        suite.append_attribute("name") = plugin.c_str();
        Counts c;
        for (const Finding& f : findings) {
            if (f.plugin == plugin) c.add(append_testcase(suite, f));
        }
        // What a fix did or (dry run) would do, commands and restarts included.
        if (const auto actions = action_lines(report, plugin); !actions.empty())
            suite.append_child("system-out").text().set(actions.c_str());
        set_counts(suite, c);
        total.add(c);
    }
    // Run-level errors (a plugin that failed to load or crashed) would
    // otherwise leave CI green with fewer testcases; each is an <error>.
    if (!report.errors.empty()) {
        pugi::xml_node suite = root.append_child("testsuite");
        suite.append_attribute("name") = "kubecert";
        Counts c;
        int index = 0;
        for (const std::string& e : report.errors) {
            pugi::xml_node tc = suite.append_child("testcase");
            tc.append_attribute("classname") = "kubecert.run";
            tc.append_attribute("name") = ("run-error-" + std::to_string(++index)).c_str();
            pugi::xml_node n = tc.append_child("error");
            n.append_attribute("message") = e.c_str();
            n.append_attribute("type") = "ERROR";
            ++c.tests;
            ++c.errors;
        }
        set_counts(suite, c);
        total.add(c);
    }
    set_counts(root, total);

    std::ostringstream out;
    doc.save(out, "  ", pugi::format_indent, pugi::encoding_utf8);
    return out.str();
}

} // namespace kubecert::report
