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

    // The table, nodes in the fleet's order (soonest expiring certificate first).
    struct Row {
        std::array<std::string, 6> cells;
    };
    std::vector<Row> rows;
    rows.reserve(fleet.nodes().size());
    std::array<std::string, 6> head = {"NODE", "FLAVOR", "STATUS", "SOONEST CERTIFICATE", "EXPIRES", "DAYS LEFT"};
    std::array<std::size_t, 6> width{};
    for (std::size_t i = 0; i < head.size(); ++i) width[i] = head[i].size();
    for (const auto& n : fleet.nodes()) {
        Row r;
        r.cells[0] = clip(report::printable(n.name), 48);
        r.cells[1] = clip(report::printable(n.flavor.empty() ? "-" : n.flavor), 24);
        r.cells[2] = report::to_string(n.status());
        if (is_stale(n, settings)) r.cells[2] += " (stale)";
        if (const CertificateDigest* c = n.soonest()) {
            r.cells[3] = clip(report::printable(c->plugin + "/" + c->name), 40);
            r.cells[4] = util::format_rfc3339(c->not_after);
            const std::int64_t days = days_left(c->not_after - settings.now);
            r.cells[5] = days < 0 ? "expired" : std::to_string(days);
        } else {
            r.cells[3] = "-";
            r.cells[4] = "-";
            r.cells[5] = "-";
        }
        for (std::size_t i = 0; i < r.cells.size(); ++i) width[i] = std::max(width[i], r.cells[i].size());
        rows.push_back(std::move(r));
    }
    for (std::size_t i = 0; i < head.size(); ++i) pad(out, head[i], width[i]);
    out += "FAILING CHECKS\n";
    for (std::size_t k = 0; k < rows.size(); ++k) {
        for (std::size_t i = 0; i < rows[k].cells.size(); ++i) pad(out, rows[k].cells[i], width[i]);
        out += failing_list(fleet.nodes()[k]);
        while (!out.empty() && out.back() == ' ') out.pop_back();
        out += '\n';
    }

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

    out += "  \"nodes\": [";
    first = true;
    for (const auto& n : fleet.nodes()) {
        out += first ? "\n    {" : ",\n    {";
        first = false;
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
    out += fleet.nodes().empty() ? "],\n" : "\n  ],\n";
    out += "  \"unreadable\": [";
    first = true;
    for (const auto& u : fleet.unreadable()) {
        out += first ? "\n    {\"source\": " : ",\n    {\"source\": ";
        first = false;
        json_string(out, u.source);
        out += ", \"reason\": ";
        json_string(out, u.reason);
        out += '}';
    }
    out += fleet.unreadable().empty() ? "]\n}\n" : "\n  ]\n}\n";
    return out;
}

std::string render_junit(const Fleet& fleet, const MergeSettings& settings) {
    pugi::xml_document doc;
    auto decl = doc.append_child(pugi::node_declaration);
    decl.append_attribute("version") = "1.0";
    decl.append_attribute("encoding") = "UTF-8";
    auto suites = doc.append_child("testsuites");
    suites.append_attribute("name") = "kubecert fleet";
    int all_tests = 0, all_failures = 0, all_errors = 0;
    const std::string stamp = util::format_rfc3339(settings.now);
    auto p = [](const std::string& s) { return report::printable(s); };

    for (const auto& n : fleet.nodes()) {
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
        int tests = 0, failures = 0, errors = 0;
        // The report itself: an error when it is stale or its run failed.
        auto rc = suite.append_child("testcase");
        rc.append_attribute("classname") = name.c_str();
        rc.append_attribute("name") = "report";
        ++tests;
        if (is_stale(n, settings)) {
            auto e = rc.append_child("error");
            const std::string msg = "report of " + util::format_rfc3339(n.generated_at) + " is older than " +
                                    util::format_duration(settings.max_age);
            e.append_attribute("message") = msg.c_str();
            ++errors;
        } else if (n.run_errors > 0) {
            auto e = rc.append_child("error");
            const std::string msg = plural(n.run_errors, "run error", "run errors") + " (see the node's report)";
            e.append_attribute("message") = msg.c_str();
            ++errors;
        }
        for (const auto& f : n.failing) {
            auto tc = suite.append_child("testcase");
            tc.append_attribute("classname") = name.c_str();
            tc.append_attribute("name") = p(f.id).c_str();
            const bool is_error = f.status == FindingStatus::error;
            auto e = tc.append_child(is_error ? "error" : "failure");
            e.append_attribute("message") = report::to_string(f.status);
            ++tests;
            ++(is_error ? errors : failures);
        }
        if (n.failing_total > static_cast<int>(n.failing.size())) {
            auto tc = suite.append_child("testcase");
            tc.append_attribute("classname") = name.c_str();
            const std::string more = std::to_string(n.failing_total - n.failing.size()) + " more failing checks";
            tc.append_attribute("name") = more.c_str();
            tc.append_child("failure").append_attribute("message") = "FAIL or ERROR (see the node's report)";
            ++tests;
            ++failures;
        }
        const int passing = n.counts[index_of(FindingStatus::pass)] + n.counts[index_of(FindingStatus::warn)] +
                            n.counts[index_of(FindingStatus::info)];
        if (passing > 0) {
            auto tc = suite.append_child("testcase");
            tc.append_attribute("classname") = name.c_str();
            const std::string label = plural(passing, "passing check", "passing checks");
            tc.append_attribute("name") = label.c_str();
            const std::string detail = "PASS " + std::to_string(n.counts[index_of(FindingStatus::pass)]) + ", WARN " +
                                       std::to_string(n.counts[index_of(FindingStatus::warn)]) + ", INFO " +
                                       std::to_string(n.counts[index_of(FindingStatus::info)]) + "\n";
            tc.append_child("system-out").text() = detail.c_str();
            ++tests;
        }
        suite.append_attribute("tests") = tests;
        suite.append_attribute("failures") = failures;
        suite.append_attribute("errors") = errors;
        suite.append_attribute("skipped") = 0;
        all_tests += tests;
        all_failures += failures;
        all_errors += errors;
    }
    if (!fleet.unreadable().empty()) {
        auto suite = suites.append_child("testsuite");
        suite.append_attribute("name") = "unreadable reports";
        suite.append_attribute("timestamp") = stamp.c_str();
        for (const auto& u : fleet.unreadable()) {
            auto tc = suite.append_child("testcase");
            tc.append_attribute("classname") = "unreadable reports";
            tc.append_attribute("name") = p(u.source).c_str();
            tc.append_child("error").append_attribute("message") = p(u.reason).c_str();
        }
        const int count = static_cast<int>(fleet.unreadable().size());
        suite.append_attribute("tests") = count;
        suite.append_attribute("failures") = 0;
        suite.append_attribute("errors") = count;
        suite.append_attribute("skipped") = 0;
        all_tests += count;
        all_errors += count;
    }
    suites.append_attribute("tests") = all_tests;
    suites.append_attribute("failures") = all_failures;
    suites.append_attribute("errors") = all_errors;
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

    report::append_prometheus_gauge_header(out, "kubecert_fleet_node_status",
                                           "Worst status of the node: 1 for its current status, 0 for the others.");
    for (const auto& n : fleet.nodes()) {
        const FindingStatus worst = n.status();
        for (FindingStatus s : k_statuses) {
            node_labels(out, "kubecert_fleet_node_status", n);
            out += ",status=\"";
            out += report::to_string(s);
            out += "\"} ";
            out += s == worst ? '1' : '0';
            out += '\n';
        }
    }
    report::append_prometheus_gauge_header(out, "kubecert_fleet_node_findings",
                                           "Number of the node's findings per status.");
    for (const auto& n : fleet.nodes()) {
        for (FindingStatus s : k_statuses) {
            node_labels(out, "kubecert_fleet_node_findings", n);
            out += ",status=\"";
            out += report::to_string(s);
            out += "\"} " + std::to_string(n.counts[index_of(s)]) + "\n";
        }
    }
    report::append_prometheus_gauge_header(out, "kubecert_fleet_node_run_errors",
                                           "Number of run-level errors in the node's report.");
    for (const auto& n : fleet.nodes()) {
        node_labels(out, "kubecert_fleet_node_run_errors", n);
        out += "} " + std::to_string(n.run_errors) + "\n";
    }
    report::append_prometheus_gauge_header(out, "kubecert_fleet_node_report_timestamp_seconds",
                                           "Instant the node's report was made, in unix seconds.");
    for (const auto& n : fleet.nodes()) {
        node_labels(out, "kubecert_fleet_node_report_timestamp_seconds", n);
        out += "} " + std::to_string(n.generated_at) + "\n";
    }
    report::append_prometheus_gauge_header(out, "kubecert_fleet_certificate_not_after_seconds",
                                           "Expiry time (notAfter) of each certificate of each node, in unix seconds.");
    for (const auto& n : fleet.nodes()) {
        for (const auto& c : n.certificates) {
            node_labels(out, "kubecert_fleet_certificate_not_after_seconds", n);
            out += ",plugin=";
            label_value(out, c.plugin);
            out += ",name=";
            label_value(out, c.name);
            out += "} " + std::to_string(c.not_after) + "\n";
        }
    }
    return out;
}

} // namespace kubecert::fleet
