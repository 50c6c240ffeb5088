// The fleet view's four formats. Every string in them comes from reports,
// which come from nodes: shown through report::printable (text, XML) or
// escaped (JSON, Prometheus), never raw.
#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <sstream>

#include <pugixml.hpp>

#include <kubecert/util/time.hpp>

#include "fleet/fleet.hpp"
#include "report/printable.hpp"
#include "report/prometheus_format.hpp"

namespace kubecert::fleet {

namespace {

using report::FindingStatus;

// Worst first, the order of every per-status listing.
constexpr std::array<FindingStatus, 5> k_statuses = {FindingStatus::error, FindingStatus::fail, FindingStatus::warn,
                                                     FindingStatus::pass, FindingStatus::info};

std::size_t index_of(FindingStatus s) {
    return static_cast<std::size_t>(s);
}

// Whole days left, rounded toward the past: expired a second ago is -1.
std::int64_t days_left(std::int64_t residual) {
    return residual >= 0 ? residual / 86400 : -((-residual + 86399) / 86400);
}

struct Totals {
    std::array<int, 5> by_status{};
    std::map<std::string, std::array<int, 5>> by_flavor; // flavor -> nodes per status
    int stale = 0;
};

Totals totals_of(const Fleet& fleet, const MergeSettings& settings) {
    Totals t;
    for (const auto& n : fleet.nodes()) {
        const std::size_t s = index_of(n.status());
        ++t.by_status[s];
        ++t.by_flavor[n.flavor.empty() ? "(none)" : n.flavor][s];
        if (is_stale(n, settings)) ++t.stale;
    }
    return t;
}

// "1 FAIL, 2 PASS": the statuses that occur, worst first.
std::string status_counts(const std::array<int, 5>& counts) {
    std::string out;
    for (FindingStatus s : k_statuses) {
        if (counts[index_of(s)] == 0) continue;
        if (!out.empty()) out += ", ";
        out += std::to_string(counts[index_of(s)]) + " " + report::to_string(s);
    }
    return out.empty() ? "none" : out;
}

std::string plural(int n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

// ---- text --------------------------------------------------------------

std::string clip(std::string s, std::size_t width) {
    if (s.size() > width) s = s.substr(0, width - 1) + "~";
    return s;
}

void pad(std::string& out, const std::string& s, std::size_t width) {
    out += s;
    if (s.size() < width) out.append(width - s.size(), ' ');
    out += "  ";
}

std::string failing_list(const NodeDigest& n) {
    std::string out;
    const std::size_t shown = std::min<std::size_t>(n.failing.size(), 3);
    for (std::size_t i = 0; i < shown; ++i) {
        if (i) out += ", ";
        out += report::printable(n.failing[i].id);
    }
    if (n.failing_total > static_cast<int>(shown)) out += " (+" + std::to_string(n.failing_total - shown) + " more)";
    return out;
}

// ---- JSON --------------------------------------------------------------

// Plain printable ASCII without quotes or backslashes: what nearly every name
// and id is, written as it is without a copy.
bool plain(std::string_view s) {
    for (char c : s)
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
    return true;
}

void json_string(std::string& out, std::string_view raw) {
    if (plain(raw)) {
        out += '"';
        out += raw;
        out += '"';
        return;
    }
    const std::string s = report::printable(raw, true); // valid UTF-8 from here on
    out += '"';
    for (char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
                out += buf;
            } else {
                out += c;
            }
        }
    }
    out += '"';
}

void json_counts(std::string& out, const std::array<int, 5>& counts) {
    out += '{';
    bool first = true;
    for (FindingStatus s :
         {FindingStatus::pass, FindingStatus::fail, FindingStatus::warn, FindingStatus::info, FindingStatus::error}) {
        if (!first) out += ", ";
        first = false;
        out += '"';
        out += report::to_string(s);
        out += "\": ";
        out += std::to_string(counts[index_of(s)]);
    }
    out += '}';
}

void json_certificate(std::string& out, const CertificateDigest& c, const MergeSettings& settings) {
    out += "{\"plugin\": ";
    json_string(out, c.plugin);
    out += ", \"name\": ";
    json_string(out, c.name);
    out += ", \"not_after\": \"" + util::format_rfc3339(c.not_after) + "\"";
    out += ", \"residual_seconds\": " + std::to_string(c.not_after - settings.now);
    out += ", \"is_authority\": ";
    out += c.is_authority ? "true" : "false";
    out += '}';
}

// ---- Prometheus --------------------------------------------------------

void label_value(std::string& out, std::string_view value) {
    // A plain value is printable already: no copy through report::printable.
    if (plain(value))
        report::append_prometheus_label_value(out, value);
    else
        report::append_prometheus_label_value(out, report::printable(value, true));
}

// `metric{node="..",flavor=".."` without the closing brace, for more labels.
void node_labels(std::string& out, std::string_view metric, const NodeDigest& n) {
    out += metric;
    out += "{node=";
    label_value(out, n.name);
    out += ",flavor=";
    label_value(out, n.flavor);
}

// --- text ---------------------------------------------------------------

// One row of the text table: a node's name, flavor, status and soonest certificate.
std::array<std::string, 6> text_row(const NodeDigest& n, const MergeSettings& settings) {
    std::array<std::string, 6> cells;
    cells[0] = clip(report::printable(n.name), 48);
    cells[1] = clip(report::printable(n.flavor.empty() ? "-" : n.flavor), 24);
    cells[2] = report::to_string(n.status());
    if (is_stale(n, settings)) cells[2] += " (stale)";
    if (const CertificateDigest* c = n.soonest()) {
        cells[3] = clip(report::printable(c->plugin + "/" + c->name), 40);
        cells[4] = util::format_rfc3339(c->not_after);
        const std::int64_t days = days_left(c->not_after - settings.now);
        cells[5] = days < 0 ? "expired" : std::to_string(days);
    } else {
        cells[3] = cells[4] = cells[5] = "-";
    }
    return cells;
}

// The table, nodes in the fleet's order (soonest expiring certificate first), columns as wide as their cells.
void text_table(std::string& out, const Fleet& fleet, const MergeSettings& settings) {
    const std::array<std::string, 6> head = {"NODE", "FLAVOR", "STATUS", "SOONEST CERTIFICATE", "EXPIRES", "DAYS LEFT"};
    std::array<std::size_t, 6> width{};
    for (std::size_t i = 0; i < head.size(); ++i) width[i] = head[i].size();
    std::vector<std::array<std::string, 6>> rows;
    rows.reserve(fleet.nodes().size());
    for (const auto& n : fleet.nodes()) {
        rows.push_back(text_row(n, settings));
        for (std::size_t i = 0; i < width.size(); ++i) width[i] = std::max(width[i], rows.back()[i].size());
    }
    for (std::size_t i = 0; i < head.size(); ++i) pad(out, head[i], width[i]);
    out += "FAILING CHECKS\n";
    for (std::size_t k = 0; k < rows.size(); ++k) {
        for (std::size_t i = 0; i < rows[k].size(); ++i) pad(out, rows[k][i], width[i]);
        out += failing_list(fleet.nodes()[k]);
        while (!out.empty() && out.back() == ' ') out.pop_back();
        out += '\n';
    }
}

void text_summaries(std::string& out, const Totals& t) {
    out += "\nBy flavor:\n";
    for (const auto& [flavor, counts] : t.by_flavor) {
        int nodes = 0;
        for (int c : counts) nodes += c;
        out += "  " + report::printable(flavor) + ": " + plural(nodes, "node", "nodes") + " (" + status_counts(counts) +
               ")\n";
    }
    out += "By status:\n ";
    for (FindingStatus s : k_statuses)
        out += std::string(" ") + report::to_string(s) + " " + std::to_string(t.by_status[index_of(s)]);
    out += "\n";
}

// What the operator must look at besides the table: stale, unreadable and superseded reports.
void text_problems(std::string& out, const Fleet& fleet, const MergeSettings& settings, const Totals& t) {
    if (t.stale) {
        out += "\nStale reports (older than " + util::format_duration(settings.max_age) + "):\n";
        for (const auto& n : fleet.nodes()) {
            if (!is_stale(n, settings)) continue;
            out += "  " + report::printable(n.name) + ": report of " + util::format_rfc3339(n.generated_at) + ", " +
                   util::format_duration(settings.now - n.generated_at) + " old (" + report::printable(n.source) +
                   ")\n";
        }
    }
    if (!fleet.unreadable().empty()) {
        out += "\nUnreadable reports (" + std::to_string(fleet.unreadable().size()) + "):\n";
        for (const auto& u : fleet.unreadable())
            out += "  " + report::printable(u.source) + ": " + report::printable(u.reason) + "\n";
    }
    if (fleet.superseded())
        out += "\n" + plural(fleet.superseded(), "older report", "older reports") +
               " of a node that also sent a newer one left out.\n";
    if (fleet.nodes().empty() && fleet.unreadable().empty()) out += "No reports were given or found.\n";
}

// --- JSON ---------------------------------------------------------------

void json_summary(std::string& out, const Fleet& fleet, const Totals& t) {
    out += "  \"summary\": {\"nodes\": " + std::to_string(fleet.nodes().size()) +
           ", \"reports\": " + std::to_string(fleet.reports()) +
           ", \"unreadable\": " + std::to_string(fleet.unreadable().size()) +
           ", \"stale\": " + std::to_string(t.stale) + ", \"superseded\": " + std::to_string(fleet.superseded()) +
           ",\n    \"status\": ";
    json_counts(out, t.by_status);
    out += ",\n    \"flavors\": {";
    bool first = true;
    for (const auto& [flavor, counts] : t.by_flavor) {
        int nodes = 0;
        for (int c : counts) nodes += c;
        out += first ? "\n      " : ",\n      ";
        first = false;
        json_string(out, flavor);
        out += ": {\"nodes\": " + std::to_string(nodes) + ", \"status\": ";
        json_counts(out, counts);
        out += '}';
    }
    out += first ? "}},\n" : "\n    }},\n";
}

void json_node(std::string& out, const NodeDigest& n, const MergeSettings& settings) {
    out += "\"name\": ";
    json_string(out, n.name);
    out += ", \"flavor\": ";
    json_string(out, n.flavor);
    out += ", \"source\": ";
    json_string(out, n.source);
    out += ", \"generated_at\": \"" + util::format_rfc3339(n.generated_at) + "\"";
    out += ", \"age_seconds\": " + std::to_string(settings.now - n.generated_at);
    out += ", \"stale\": ";
    out += is_stale(n, settings) ? "true" : "false";
    out += ", \"status\": \"";
    out += report::to_string(n.status());
    out += "\",\n     \"findings\": ";
    json_counts(out, n.counts);
    out += ", \"run_errors\": " + std::to_string(n.run_errors);
    out += ", \"failing_total\": " + std::to_string(n.failing_total) + ", \"failing\": [";
    for (std::size_t i = 0; i < n.failing.size(); ++i) {
        if (i) out += ", ";
        out += "{\"id\": ";
        json_string(out, n.failing[i].id);
        out += ", \"status\": \"";
        out += report::to_string(n.failing[i].status);
        out += "\"}";
    }
    out += "],\n     \"soonest\": ";
    if (const CertificateDigest* c = n.soonest())
        json_certificate(out, *c, settings);
    else
        out += "null";
    out += ",\n     \"certificates\": [";
    for (std::size_t i = 0; i < n.certificates.size(); ++i) {
        if (i) out += ", ";
        json_certificate(out, n.certificates[i], settings);
    }
    out += "]}";
}

void json_unreadable(std::string& out, const Fleet& fleet) {
    out += "  \"unreadable\": [";
    bool first = true;
    for (const auto& u : fleet.unreadable()) {
        out += first ? "\n    {\"source\": " : ",\n    {\"source\": ";
        first = false;
        json_string(out, u.source);
        out += ", \"reason\": ";
        json_string(out, u.reason);
        out += '}';
    }
    out += fleet.unreadable().empty() ? "]\n" : "\n  ]\n";
}

// --- JUnit --------------------------------------------------------------

// Tests, failures and errors of a test suite, added up for the whole document too.
struct JunitCounts {
    int tests = 0, failures = 0, errors = 0;

    void add(const JunitCounts& o) {
        tests += o.tests;
        failures += o.failures;
        errors += o.errors;
    }
    void write_to(pugi::xml_node suite) const {
        suite.append_attribute("tests") = tests;
        suite.append_attribute("failures") = failures;
        suite.append_attribute("errors") = errors;
    }
};

pugi::xml_node junit_case(pugi::xml_node suite, const std::string& classname, const std::string& name) {
    auto tc = suite.append_child("testcase");
    tc.append_attribute("classname") = classname.c_str();
    tc.append_attribute("name") = name.c_str();
    return tc;
}

// The report itself as a test case: an error when it is stale or its run failed.
void junit_report_case(pugi::xml_node suite, const std::string& name, const NodeDigest& n,
                       const MergeSettings& settings, JunitCounts& c) {
    auto rc = junit_case(suite, name, "report");
    ++c.tests;
    std::string msg;
    if (is_stale(n, settings))
        msg = "report of " + util::format_rfc3339(n.generated_at) + " is older than " +
              util::format_duration(settings.max_age);
    else if (n.run_errors > 0)
        msg = plural(n.run_errors, "run error", "run errors") + " (see the node's report)";
    if (msg.empty()) return;
    rc.append_child("error").append_attribute("message") = msg.c_str();
    ++c.errors;
}

// A node's test suite: its report, each failing check, the rest summed up as one passing case.
JunitCounts junit_node_suite(pugi::xml_node suites, const NodeDigest& n, const MergeSettings& settings) {
    auto p = [](const std::string& s) { return report::printable(s); };
    auto suite = suites.append_child("testsuite");
    const std::string name = p(n.name);
    suite.append_attribute("name") = name.c_str();
    suite.append_attribute("hostname") = name.c_str();
    suite.append_attribute("timestamp") = util::format_rfc3339(n.generated_at).c_str();
    auto props = suite.append_child("properties");
    for (const auto& [key, value] :
         {std::pair<const char*, std::string>{"flavor", p(n.flavor)}, {"source", p(n.source)}}) {
        auto prop = props.append_child("property");
        prop.append_attribute("name") = key;
        prop.append_attribute("value") = value.c_str();
    }
    JunitCounts c;
    junit_report_case(suite, name, n, settings, c);
    for (const auto& f : n.failing) {
        const bool is_error = f.status == FindingStatus::error;
        junit_case(suite, name, p(f.id)).append_child(is_error ? "error" : "failure").append_attribute("message") =
            report::to_string(f.status);
        ++c.tests;
        ++(is_error ? c.errors : c.failures);
    }
    if (n.failing_total > static_cast<int>(n.failing.size())) {
        const std::string more = std::to_string(n.failing_total - n.failing.size()) + " more failing checks";
        junit_case(suite, name, more).append_child("failure").append_attribute("message") =
            "FAIL or ERROR (see the node's report)";
        ++c.tests;
        ++c.failures;
    }
    const int pass = n.counts[index_of(FindingStatus::pass)], warn = n.counts[index_of(FindingStatus::warn)],
              info = n.counts[index_of(FindingStatus::info)];
    if (pass + warn + info > 0) {
        const std::string detail =
            "PASS " + std::to_string(pass) + ", WARN " + std::to_string(warn) + ", INFO " + std::to_string(info) + "\n";
        junit_case(suite, name, plural(pass + warn + info, "passing check", "passing checks"))
            .append_child("system-out")
            .text() = detail.c_str();
        ++c.tests;
    }
    c.write_to(suite);
    suite.append_attribute("skipped") = 0;
    return c;
}

JunitCounts junit_unreadable_suite(pugi::xml_node suites, const Fleet& fleet, const std::string& stamp) {
    auto suite = suites.append_child("testsuite");
    suite.append_attribute("name") = "unreadable reports";
    suite.append_attribute("timestamp") = stamp.c_str();
    for (const auto& u : fleet.unreadable())
        junit_case(suite, "unreadable reports", report::printable(u.source))
            .append_child("error")
            .append_attribute("message") = report::printable(u.reason).c_str();
    JunitCounts c;
    c.tests = c.errors = static_cast<int>(fleet.unreadable().size());
    c.write_to(suite);
    suite.append_attribute("skipped") = 0;
    return c;
}

// --- Prometheus ---------------------------------------------------------

void prometheus_fleet_totals(std::string& out, const Fleet& fleet, const Totals& t) {
    report::append_prometheus_gauge_header(out, "kubecert_fleet_nodes", "Number of nodes per worst status.");
    for (FindingStatus s : k_statuses) {
        out += "kubecert_fleet_nodes{status=\"";
        out += report::to_string(s);
        out += "\"} " + std::to_string(t.by_status[index_of(s)]) + "\n";
    }
    report::append_prometheus_gauge_header(out, "kubecert_fleet_reports_unreadable",
                                           "Number of reports that could not be read.");
    out += "kubecert_fleet_reports_unreadable " + std::to_string(fleet.unreadable().size()) + "\n";
    report::append_prometheus_gauge_header(out, "kubecert_fleet_reports_stale",
                                           "Number of nodes whose report is older than the allowed age.");
    out += "kubecert_fleet_reports_stale " + std::to_string(t.stale) + "\n";
}

// One gauge with a `status` label per node and status: `value(node, status)`.
template <class Value>
void prometheus_per_status(std::string& out, const Fleet& fleet, const char* metric, const char* help, Value value) {
    report::append_prometheus_gauge_header(out, metric, help);
    for (const auto& n : fleet.nodes()) {
        for (FindingStatus s : k_statuses) {
            node_labels(out, metric, n);
            out += ",status=\"";
            out += report::to_string(s);
            out += "\"} " + std::to_string(value(n, s)) + "\n";
        }
    }
}

// One gauge per node: `value(node)`.
template <class Value>
void prometheus_per_node(std::string& out, const Fleet& fleet, const char* metric, const char* help, Value value) {
    report::append_prometheus_gauge_header(out, metric, help);
    for (const auto& n : fleet.nodes()) {
        node_labels(out, metric, n);
        out += "} " + std::to_string(value(n)) + "\n";
    }
}

void prometheus_certificates(std::string& out, const Fleet& fleet) {
    constexpr const char* metric = "kubecert_fleet_certificate_not_after_seconds";
    report::append_prometheus_gauge_header(out, metric,
                                           "Expiry time (notAfter) of each certificate of each node, in unix seconds.");
    for (const auto& n : fleet.nodes()) {
        for (const auto& c : n.certificates) {
            node_labels(out, metric, n);
            out += ",plugin=";
            label_value(out, c.plugin);
            out += ",name=";
            label_value(out, c.name);
            out += "} " + std::to_string(c.not_after) + "\n";
        }
    }
}

} // namespace

std::string render_text(const Fleet& fleet, const MergeSettings& settings, const std::string& tool_version) {
    const Totals t = totals_of(fleet, settings);
    std::string out;
    out.reserve(256 + 160 * fleet.nodes().size());
    out += "kubecert " + tool_version + " fleet report as of " + util::format_rfc3339(settings.now) + ": " +
           plural(static_cast<int>(fleet.nodes().size()), "node", "nodes") + " (" + status_counts(t.by_status) + ")";
    if (!fleet.unreadable().empty())
        out += ", " + plural(static_cast<int>(fleet.unreadable().size()), "unreadable report", "unreadable reports");
    if (t.stale) out += ", " + std::to_string(t.stale) + " stale";
    out += "\n\n";
    text_table(out, fleet, settings);
    text_summaries(out, t);
    text_problems(out, fleet, settings, t);
    return out;
}

std::string render_json(const Fleet& fleet, const MergeSettings& settings, const std::string& tool_version) {
    const Totals t = totals_of(fleet, settings);
    std::string out;
    std::size_t certs = 0;
    for (const auto& n : fleet.nodes()) certs += n.certificates.size();
    out.reserve(1024 + 600 * fleet.nodes().size() + 140 * certs);
    out += "{\n  \"schema\": \"kubecert/fleet/v1\",\n  \"tool\": {\"name\": \"kubecert\", \"version\": ";
    json_string(out, tool_version);
    out += "},\n  \"generated_at\": \"" + util::format_rfc3339(settings.now) + "\",\n";
    out += "  \"max_age_seconds\": " + std::to_string(settings.max_age) + ",\n";
    json_summary(out, fleet, t);
    out += "  \"nodes\": [";
    bool first = true;
    for (const auto& n : fleet.nodes()) {
        out += first ? "\n    {" : ",\n    {";
        first = false;
        json_node(out, n, settings);
    }
    out += fleet.nodes().empty() ? "],\n" : "\n  ],\n";
    json_unreadable(out, fleet);
    out += "}\n";
    return out;
}

std::string render_junit(const Fleet& fleet, const MergeSettings& settings) {
    pugi::xml_document doc;
    auto decl = doc.append_child(pugi::node_declaration);
    decl.append_attribute("version") = "1.0";
    decl.append_attribute("encoding") = "UTF-8";
    auto suites = doc.append_child("testsuites");
    suites.append_attribute("name") = "kubecert fleet";
    JunitCounts all;
    for (const auto& n : fleet.nodes()) all.add(junit_node_suite(suites, n, settings));
    if (!fleet.unreadable().empty()) all.add(junit_unreadable_suite(suites, fleet, util::format_rfc3339(settings.now)));
    all.write_to(suites);
    std::ostringstream s;
    doc.save(s, "  ", pugi::format_default, pugi::encoding_utf8);
    return s.str();
}

std::string render_prometheus(const Fleet& fleet, const MergeSettings& settings) {
    const Totals t = totals_of(fleet, settings);
    std::string out;
    std::size_t certs = 0;
    for (const auto& n : fleet.nodes()) certs += n.certificates.size();
    out.reserve(2048 + 900 * fleet.nodes().size() + 150 * certs);
    prometheus_fleet_totals(out, fleet, t);
    prometheus_per_status(out, fleet, "kubecert_fleet_node_status",
                          "Worst status of the node: 1 for its current status, 0 for the others.",
                          [](const NodeDigest& n, FindingStatus s) { return s == n.status() ? 1 : 0; });
    prometheus_per_status(out, fleet, "kubecert_fleet_node_findings", "Number of the node's findings per status.",
                          [](const NodeDigest& n, FindingStatus s) { return n.counts[index_of(s)]; });
    prometheus_per_node(out, fleet, "kubecert_fleet_node_run_errors",
                        "Number of run-level errors in the node's report.",
                        [](const NodeDigest& n) { return n.run_errors; });
    prometheus_per_node(out, fleet, "kubecert_fleet_node_report_timestamp_seconds",
                        "Instant the node's report was made, in unix seconds.",
                        [](const NodeDigest& n) { return n.generated_at; });
    prometheus_certificates(out, fleet);
    return out;
}

} // namespace kubecert::fleet
