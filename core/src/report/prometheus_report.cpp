#include <array>
#include <string_view>

#include "report/printable.hpp"
#include "report/prometheus_format.hpp"
#include "report/writers.hpp"

namespace kubecert::report {
namespace {

constexpr std::array<FindingStatus, 5> k_statuses = {FindingStatus::pass, FindingStatus::fail, FindingStatus::warn,
                                                     FindingStatus::info, FindingStatus::error};

// One sample of a per-certificate metric, labelled plugin, name and path.
void append_certificate_sample(std::string& out, std::string_view metric, const Certificate& c, std::int64_t value) {
    out += metric;
    out += "{plugin=";
    append_prometheus_label_value(out, c.plugin);
    out += ",name=";
    append_prometheus_label_value(out, c.name);
    out += ",path=";
    append_prometheus_label_value(out, c.path);
    out += "} ";
    out += std::to_string(value);
    out += '\n';
}

// kubecert_certificate_not_after_seconds and kubecert_certificate_residual_seconds.
void append_certificate_metrics(std::string& out, const std::vector<Certificate>& certificates) {
    append_prometheus_gauge_header(out, "kubecert_certificate_not_after_seconds",
                                   "Expiry time (notAfter) of the certificate, in unix seconds.");
    for (const Certificate& c : certificates) {
        append_certificate_sample(out, "kubecert_certificate_not_after_seconds", c, c.not_after);
    }
    append_prometheus_gauge_header(
        out, "kubecert_certificate_residual_seconds",
        "Seconds left until the certificate expires, as of the run (negative when expired).");
    for (const Certificate& c : certificates) {
        append_certificate_sample(out, "kubecert_certificate_residual_seconds", c, c.residual_seconds);
    }
}

// kubecert_finding_status (one series per status) and kubecert_findings (totals per status).
void append_finding_metrics(std::string& out, const std::vector<Finding>& findings, const Summary& summary) {
    // One series per status (1 for the current one) so alerts can match on a
    // label without the series disappearing when the status changes.
    append_prometheus_gauge_header(out, "kubecert_finding_status",
                                   "Status of the check: 1 for its current status, 0 for the others.");
    for (const Finding& f : findings) {
        for (FindingStatus s : k_statuses) {
            out += "kubecert_finding_status{plugin=";
            append_prometheus_label_value(out, f.plugin);
            out += ",id=";
            append_prometheus_label_value(out, f.id);
            out += ",status=\"";
            out += to_string(s);
            out += "\"} ";
            out += f.status == s ? '1' : '0';
            out += '\n';
        }
    }
    const std::array<int, 5> totals = {summary.pass, summary.fail, summary.warn, summary.info, summary.error};
    append_prometheus_gauge_header(out, "kubecert_findings", "Number of findings per status.");
    for (std::size_t i = 0; i < k_statuses.size(); ++i) {
        out += "kubecert_findings{status=\"";
        out += to_string(k_statuses[i]);
        out += "\"} ";
        out += std::to_string(totals[i]);
        out += '\n';
    }
}

// kubecert_run_errors, kubecert_run_success and kubecert_last_run_timestamp_seconds.
void append_run_metrics(std::string& out, const Report& report, const Summary& summary) {
    // Without it a run where a plugin failed would look like a healthy node.
    append_prometheus_gauge_header(out, "kubecert_run_errors",
                                   "Number of run-level errors (plugins that failed to load or run).");
    out += "kubecert_run_errors ";
    out += std::to_string(report.errors.size());
    out += '\n';

    // 0 whenever the run ends with exit status 3 (a run-level error or an
    // ERROR finding), so one alert rule catches a run that could not judge the node.
    append_prometheus_gauge_header(
        out, "kubecert_run_success",
        "1 when the run completed and evaluated every check, 0 when it failed (exit status 3).");
    out += "kubecert_run_success ";
    out += report.errors.empty() && summary.error == 0 ? '1' : '0';
    out += '\n';

    append_prometheus_gauge_header(out, "kubecert_last_run_timestamp_seconds",
                                   "Instant the run evaluated its checks at, in unix seconds.");
    out += "kubecert_last_run_timestamp_seconds ";
    out += std::to_string(report.generated_at);
    out += '\n';
}

} // namespace

std::string render_prometheus(const Report& raw) {
    const Report report = printable_copy(raw, true); // hostile bytes shown as \xNN, never raw
    // The metrics describe the node as it is: after a fix, the state the fix
    // left; after a dry run (whose after-audit is only a preview), as audited.
    const std::vector<Finding>& findings = report.has_after && !report.dry_run ? report.after : report.findings;
    std::string out;
    out.reserve(1024 + 200 * report.certificates.size() + 5 * 120 * findings.size());
    const Summary summary = summarize(findings);
    append_certificate_metrics(out, report.certificates);
    append_finding_metrics(out, findings, summary);
    append_run_metrics(out, report, summary);
    return out;
}

} // namespace kubecert::report
