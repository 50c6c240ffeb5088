#include <nlohmann/json.hpp>

#include <kubecert/util/time.hpp>

#include "report/writers.hpp"

namespace kubecert::report {
namespace {

// ordered_json keeps the documented key order, which people diffing two
// reports (and the schema's examples) rely on.
using Json = nlohmann::ordered_json;

// Empty optional strings are null in the report so consumers can tell "none"
// from an empty value without knowing our conventions.
Json string_or_null(const std::string& s) {
    return s.empty() ? Json(nullptr) : Json(s);
}

// A finding with its keys in the documented order.
Json finding_json(const Finding& f) {
    Json evidence = Json::array();
    for (const Evidence& e : f.evidence) {
        evidence.push_back(Json{{"source", e.source}, {"key", e.key}, {"actual", e.actual}, {"expected", e.expected}});
    }
    return Json{{"id", f.id},
                {"plugin", f.plugin},
                {"title", f.title},
                {"status", to_string(f.status)},
                {"benchmark", string_or_null(f.benchmark)},
                {"evidence", std::move(evidence)},
                {"remediation", f.remediation},
                {"fixable", f.fixable},
                {"result", result_line(f)}};
}

Json findings_json(const std::vector<Finding>& findings) {
    Json out = Json::array();
    for (const Finding& f : findings) out.push_back(finding_json(f));
    return out;
}

// Counts per status, all five always present.
Json summary_json(const std::vector<Finding>& findings) {
    const Summary s = summarize(findings);
    return Json{{"PASS", s.pass}, {"FAIL", s.fail}, {"WARN", s.warn}, {"INFO", s.info}, {"ERROR", s.error}};
}

// A certificate, dates as RFC 3339 for people and residual_seconds for arithmetic.
Json certificate_json(const Certificate& c) {
    return Json{{"plugin", c.plugin},
                {"name", c.name},
                {"path", c.path},
                {"subject", c.subject},
                {"issuer", c.issuer},
                {"not_before", util::format_rfc3339(c.not_before)},
                {"not_after", util::format_rfc3339(c.not_after)},
                {"residual_seconds", c.residual_seconds},
                {"authority", c.authority},
                {"externally_managed", c.externally_managed},
                {"is_authority", c.is_authority}};
}

Json action_json(const Action& a) {
    return Json{{"finding", a.finding},
                {"plugin", a.plugin},
                {"kind", to_string(a.kind)},
                {"target", a.target},
                {"status", to_string(a.status)},
                {"backup", string_or_null(a.backup)},
                {"detail", a.detail}};
}

} // namespace

std::string render_json(const Report& report) {
    Json j;
    j["schema"] = "kubecert/report/v1";
    j["tool"] = Json{{"name", "kubecert"}, {"version", report.tool_version}};
    j["generated_at"] = util::format_rfc3339(report.generated_at);
    j["root"] = report.root;
    j["node"] = Json{{"name", report.node_name}, {"flavor", report.flavor}};
    j["confinement"] = report.confinement;
    j["command"] = report.command;
    j["dry_run"] = report.dry_run;
    Json plugins = Json::array();
    for (const PluginRef& p : report.plugins) plugins.push_back(Json{{"name", p.name}, {"version", p.version}});
    j["plugins"] = std::move(plugins);
    j["findings"] = findings_json(report.findings);
    Json certificates = Json::array();
    for (const Certificate& c : report.certificates) certificates.push_back(certificate_json(c));
    j["certificates"] = std::move(certificates);
    j["summary"] = summary_json(report.findings);
    j["errors"] = report.errors;
    // A fix always reports its actions (even none, so "nothing to do" is
    // explicit); the after-audit exists only when the fix really ran.
    if (report.command == "fix" || !report.actions.empty()) {
        Json actions = Json::array();
        for (const Action& a : report.actions) actions.push_back(action_json(a));
        j["actions"] = std::move(actions);
    }
    if (report.has_after) {
        j["after"] = findings_json(report.after);
        j["summary_after"] = summary_json(report.after);
    }
    // Invalid UTF-8 (a file name or a value read from the node) must not make
    // the whole report fail; replace it rather than throw.
    std::string out = j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    out += '\n';
    return out;
}

} // namespace kubecert::report
