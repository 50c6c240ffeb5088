#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "report/writers.hpp"
#include "report_samples.hpp"

using namespace kubecert::report;
namespace samples = kubecert::test::samples;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::size_t index_of(const std::vector<std::string>& lines, const std::string& line) {
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lines[i] == line) return i;
    }
    return lines.size();
}

} // namespace

TEST(ReportText, AuditPrintsAnAlignedTablePerPlugin) {
    const std::string out = render_text(samples::audit_report(), {});
    const std::vector<std::string> lines = lines_of(out);
    const std::size_t eks = index_of(lines, "[eks]");
    ASSERT_LT(eks, lines.size()) << out;
    EXPECT_EQ(lines[eks + 1], "STATUS  ID                        TITLE");
    EXPECT_EQ(lines[eks + 2], "PASS    eks.rotate-server-cert    RotateKubeletServerCertificate feature gate is enabled");
    EXPECT_EQ(lines[eks + 3], "FAIL    eks.server-tls-bootstrap  The kubelet requests and rotates its serving certificate");
    const std::size_t rke = index_of(lines, "[rke]");
    ASSERT_LT(rke, lines.size()) << out;
    EXPECT_GT(rke, eks);
    EXPECT_EQ(lines[rke + 1], "STATUS  ID                         TITLE");
    EXPECT_EQ(lines[rke + 2], "ERROR   rke.generate-serving-cert  cluster.yml sets generate_serving_certificate");
    EXPECT_EQ(lines[rke + 7], "PASS    rke.legacy-self-signed     kubelet.crt is not a legacy self-signed certificate");
}

TEST(ReportText, FailingFindingsShowEvidenceAndWrappedRemediation) {
    const std::string out = render_text(samples::audit_report(), {});
    const std::vector<std::string> lines = lines_of(out);
    const std::size_t fail = index_of(lines, "FAIL    eks.server-tls-bootstrap  The kubelet requests and rotates its "
                                             "serving certificate");
    ASSERT_LT(fail + 6, lines.size()) << out;
    EXPECT_EQ(lines[fail + 1],
              "        /etc/kubernetes/kubelet/kubelet-config.json: serverTLSBootstrap = false (expected: true)");
    EXPECT_EQ(lines[fail + 2],
              "        /etc/systemd/system/kubelet.service: --rotate-server-certificates = (absent) (expected: true)");
    EXPECT_EQ(lines[fail + 3], "        benchmark: CIS Amazon EKS Benchmark 3.2.11");
    EXPECT_EQ(lines[fail + 4].rfind("        remediation: Set serverTLSBootstrap: true in ", 0), 0u) << lines[fail + 4];
    // Wrapped at 100 columns, continuation lines aligned under the text.
    std::string rejoined = lines[fail + 4].substr(21);
    for (std::size_t i = fail + 5; i < lines.size() && lines[i].rfind(std::string(21, ' '), 0) == 0; ++i) {
        EXPECT_NE(lines[i][21], ' ');
        rejoined += " " + lines[i].substr(21);
    }
    for (std::size_t i = fail + 4; i < fail + 7; ++i) EXPECT_LE(lines[i].size(), 100u) << lines[i];
    EXPECT_EQ(rejoined, samples::k_bootstrap_remediation);
}

TEST(ReportText, PassingFindingsHaveNoDetails) {
    const std::vector<std::string> lines = lines_of(render_text(samples::audit_report(), {}));
    const std::size_t pass = index_of(lines, "PASS    eks.rotate-server-cert    RotateKubeletServerCertificate feature "
                                             "gate is enabled");
    ASSERT_LT(pass + 1, lines.size());
    EXPECT_EQ(lines[pass + 1].rfind("FAIL    ", 0), 0u);
    // INFO is not applicable here: no evidence under it either.
    const std::size_t info = index_of(lines, "INFO    eks.configz               Live kubelet configuration (configz)");
    ASSERT_LT(info + 1, lines.size());
    EXPECT_EQ(lines[info + 1], "");
}

TEST(ReportText, EvidenceWithoutExpectedValueOmitsIt) {
    Report r = samples::audit_report();
    r.findings[2].evidence = {{"/var/lib/kubelet/pki/kubelet-server-current.pem", "notAfter", "2025-03-15", ""}};
    const std::string out = render_text(r, {});
    EXPECT_NE(out.find("\n        /var/lib/kubelet/pki/kubelet-server-current.pem: notAfter = 2025-03-15\n"),
              std::string::npos)
        << out;
}

TEST(ReportText, LastLineIsTheSummary) {
    const std::vector<std::string> lines = lines_of(render_text(samples::audit_report(), {}));
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines.back(), "summary: 2 PASS, 1 FAIL, 1 WARN, 1 INFO, 1 ERROR");
}

TEST(ReportText, NoColourUnlessAsked) {
    const std::string plain = render_text(samples::audit_report(), {});
    EXPECT_EQ(plain.find('\x1b'), std::string::npos);
    TextOptions color;
    color.color = true;
    const std::string coloured = render_text(samples::audit_report(), color);
    EXPECT_NE(coloured.find("\x1b[31mFAIL\x1b[0m    eks.server-tls-bootstrap"), std::string::npos);
    EXPECT_NE(coloured.find("\x1b[32mPASS\x1b[0m    eks.rotate-server-cert"), std::string::npos);
    // Alignment ignores the escape codes: the same text once they are removed.
    std::string stripped;
    for (std::size_t i = 0; i < coloured.size(); ++i) {
        if (coloured[i] == '\x1b') {
            i = coloured.find('m', i);
            continue;
        }
        stripped += coloured[i];
    }
    EXPECT_EQ(stripped, plain);
}

TEST(ReportText, RunErrorsArePrintedBeforeTheSummary) {
    Report r = samples::audit_report();
    r.errors = {"plugin rke: audit failed: cannot read /etc/rke/cluster.yml: permission denied"};
    const std::vector<std::string> lines = lines_of(render_text(r, {}));
    ASSERT_GE(lines.size(), 3u);
    EXPECT_EQ(lines[lines.size() - 3],
              "error: plugin rke: audit failed: cannot read /etc/rke/cluster.yml: permission denied");
    EXPECT_EQ(lines.back().rfind("summary: ", 0), 0u);
}

TEST(ReportText, FixShowsAppliedActionsAndTheAfterTable) {
    const std::string out = render_text(samples::fix_report(false), {});
    const std::vector<std::string> lines = lines_of(out);
    const std::size_t actions = index_of(lines, "actions:");
    ASSERT_LT(actions + 3, lines.size()) << out;
    EXPECT_EQ(lines[actions + 1], "  applied      edit     /etc/kubernetes/kubelet/kubelet-config.json  "
                                  "(eks.server-tls-bootstrap)");
    EXPECT_EQ(lines[actions + 2],
              "    backup: /var/backups/kubecert/20250301T000000Z/etc/kubernetes/kubelet/kubelet-config.json");
    EXPECT_EQ(lines[actions + 3], "  applied      command  systemctl restart kubelet  (eks.server-tls-bootstrap)");
    const std::size_t after = index_of(lines, "after fix:");
    ASSERT_LT(after, lines.size()) << out;
    EXPECT_GT(after, actions);
    EXPECT_EQ(index_of(std::vector<std::string>(lines.begin() + after, lines.end()),
                       "PASS    eks.server-tls-bootstrap  The kubelet requests and rotates its serving certificate"),
              4u);
    // The summary is the state the fix left.
    EXPECT_EQ(lines.back(), "summary: 3 PASS, 0 FAIL, 1 WARN, 1 INFO, 1 ERROR");
}

TEST(ReportText, DryRunPrintsTheDiffAsIsAndAPreview) {
    const std::string out = render_text(samples::fix_report(true), {});
    EXPECT_NE(out.find("actions (dry run, nothing changed):\n"
                       "  planned      edit     /etc/kubernetes/kubelet/kubelet-config.json  "
                       "(eks.server-tls-bootstrap)\n" +
                       std::string(samples::k_kubelet_config_diff) +
                       "  planned      command  systemctl restart kubelet  (eks.server-tls-bootstrap)\n"),
              std::string::npos)
        << out;
    EXPECT_EQ(out.find("after fix:"), std::string::npos);
    EXPECT_NE(out.find("\nafter fix (dry-run preview, nothing changed):\n[eks]\n"), std::string::npos) << out;
    EXPECT_EQ(out.find("backup:"), std::string::npos);
}

TEST(ReportText, FixWithNothingToDoSaysSo) {
    Report r = samples::audit_report();
    r.command = "fix";
    r.has_after = true;
    r.after = r.findings;
    EXPECT_NE(render_text(r, {}).find("actions:\n  (none: nothing to fix)\n"), std::string::npos);
}
