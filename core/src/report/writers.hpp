#pragma once

#include <string>

#include "report/model.hpp"

namespace kubecert::report {

struct TextOptions {
    bool color = false;   // ANSI colours (only on a terminal)
};

// Text for people: a table per plugin (STATUS, ID, TITLE), and under each
// FAIL/WARN/ERROR finding its evidence and remediation; then the actions
// (fix) and the after-audit table; last a summary line.
std::string render_text(const Report& report, const TextOptions& options);

// The JSON report, schema "kubecert/report/v1" (docs/report.schema.json).
std::string render_json(const Report& report);

// JUnit XML (pugixml): a testsuite per plugin, a testcase per finding; FAIL is
// a <failure>, ERROR an <error>, INFO/absent a <skipped>, with evidence and
// remediation in the message body. For `fix`, the after-audit is what counts.
std::string render_junit(const Report& report);

// Prometheus node_exporter textfile format: kubecert_certificate_not_after_seconds,
// kubecert_certificate_residual_seconds per certificate, kubecert_finding_status
// per finding and status (1 for the current status, 0 otherwise), and
// kubecert_findings per status.
std::string render_prometheus(const Report& report);

// The two tables of `kubeadm certs check-expiration` for `certs`: leaf
// certificates, then authorities (is_authority), per plugin.
std::string render_certs_table(const Report& report);

} // namespace kubecert::report
