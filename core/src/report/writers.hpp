#pragma once

#include <string>

#include "report/model.hpp"

namespace kubecert::report {

struct TextOptions {
    bool color = false;      // ANSI colours (only on a terminal, and not with NO_COLOR)
    bool verbose = false;    // -v: the details of WARN findings too
    std::string fix_command; // the command that fixes what this run found fixable ("" to leave it out)
};

// Text for people, read at a glance: a table per plugin with one line per
// finding (STATUS, ID, RESULT: what is the case); under each FAIL and ERROR
// finding (and WARN with `verbose`) its evidence and remediation, a
// remediation printed once and referred to after that; then the actions
// (fix) and the after-audit table; the command that fixes what is fixable;
// last a summary line.
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
