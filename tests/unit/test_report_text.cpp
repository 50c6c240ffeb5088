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
    // One line per finding that says what is the case (the plugin's result).
    EXPECT_EQ(lines[eks + 1], "STATUS  ID                        RESULT");
    EXPECT_EQ(lines[eks + 2], "PASS    eks.rotate-server-cert    featureGates.RotateKubeletServerCertificate=true in "
                              "/etc/kubernetes/kubelet/kubelet-config.json");
    EXPECT_EQ(lines[eks + 3], "FAIL    eks.server-tls-bootstrap  serverTLSBootstrap=false in "
                              "/etc/kubernetes/kubelet/kubelet-config.json");
    const std::size_t rke = index_of(lines, "[rke]");
    ASSERT_LT(rke, lines.size()) << out;
    EXPECT_GT(rke, eks);
    EXPECT_EQ(lines[rke + 1], "STATUS  ID                         RESULT");
    // Without a result from the plugin: the evidence that differs from what the check expects.
    EXPECT_EQ(lines[rke + 2], "ERROR   rke.generate-serving-cert  /etc/rke/cluster.yml: line 3, column 5 = mapping "
                              "values are not allowed here (expected: valid YAML)");
    // A PASS without a result: the title, which states what holds.
    EXPECT_EQ(lines[rke + 7], "PASS    rke.legacy-self-signed     kubelet.crt is not a legacy self-signed certificate");
}

TEST(ReportText, FailingFindingsShowEvidenceAndWrappedRemediation) {
    const std::string out = render_text(samples::audit_report(), {});
    const std::vector<std::string> lines = lines_of(out);
    const std::size_t fail = index_of(lines, "FAIL    eks.server-tls-bootstrap  serverTLSBootstrap=false in "
                                             "/etc/kubernetes/kubelet/kubelet-config.json");
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
    const std::size_t pass =
        index_of(lines, "PASS    eks.rotate-server-cert    featureGates.RotateKubeletServerCertificate"
                        "=true in /etc/kubernetes/kubelet/kubelet-config.json");
    ASSERT_LT(pass + 1, lines.size());
    EXPECT_EQ(lines[pass + 1].rfind("FAIL    ", 0), 0u);
    // INFO is not applicable here: no evidence under it either.
    const std::size_t info = index_of(lines, "INFO    eks.configz               not checked: no --eks-api-proxy given");
    ASSERT_LT(info + 1, lines.size());
    EXPECT_EQ(lines[info + 1], "");
}

TEST(ReportText, EvidenceWithoutExpectedValueOmitsIt) {
    Report r = samples::audit_report();
    r.findings[2].evidence = {{"/var/lib/kubelet/pki/kubelet-server-current.pem", "notAfter", "2025-03-15", ""}};
    TextOptions verbose; // the finding is a WARN: its evidence shows with -v
    verbose.verbose = true;
    const std::string out = render_text(r, verbose);
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
                       "PASS    eks.server-tls-bootstrap  serverTLSBootstrap=true in "
                       "/etc/kubernetes/kubelet/kubelet-config.json"),
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

TEST(ReportText, WarnFindingsAreOneLineUnlessVerbose) {
    const std::string quiet = render_text(samples::audit_report(), {});
    const std::vector<std::string> lines = lines_of(quiet);
    const std::size_t warn =
        index_of(lines, "WARN    eks.serving-cert-expiry   kubelet-server expires in 14d (Mar 15, 2025 12:00 UTC)");
    ASSERT_LT(warn + 1, lines.size()) << quiet;
    EXPECT_EQ(lines[warn + 1].rfind("INFO    ", 0), 0u) << "no details under a WARN without -v";
    EXPECT_NE(quiet.find("\n(-v shows the evidence and remediation of the 1 WARN finding)\n"), std::string::npos)
        << quiet;
    TextOptions verbose;
    verbose.verbose = true;
    const std::vector<std::string> vlines = lines_of(render_text(samples::audit_report(), verbose));
    const std::size_t vwarn = index_of(vlines, lines[warn]);
    ASSERT_LT(vwarn + 2, vlines.size());
    EXPECT_EQ(vlines[vwarn + 1], "        /var/lib/kubelet/pki/kubelet-server-current.pem: notAfter = "
                                 "2025-03-15T12:00:00Z (expected: after 2025-03-31T00:00:00Z)");
    EXPECT_EQ(vlines[vwarn + 2].rfind("        remediation: Approve the kubelet's pending serving CSR", 0), 0u);
}

TEST(ReportText, IdenticalRemediationsArePrintedOnce) {
    Report r = samples::audit_report();
    // Two failing certificates with the same remediation, as the kubeadm plugin reports them.
    Finding second = r.findings[1];
    second.id = "eks.other-check";
    r.findings.insert(r.findings.begin() + 2, second);
    const std::string out = render_text(r, {});
    std::size_t count = 0;
    for (std::size_t at = out.find("remediation: Set serverTLSBootstrap"); at != std::string::npos;
         at = out.find("remediation: Set serverTLSBootstrap", at + 1))
        ++count;
    EXPECT_EQ(count, 1u) << out;
    EXPECT_NE(out.find("        remediation: the same as for eks.server-tls-bootstrap\n"), std::string::npos) << out;
}

TEST(ReportText, EndsWithTheCommandThatFixesWhatIsFixable) {
    TextOptions t;
    t.fix_command = "kubecert --flavor eks fix";
    const std::vector<std::string> lines = lines_of(render_text(samples::audit_report(), t));
    ASSERT_GE(lines.size(), 3u);
    // Findings 0 (PASS) and 1 (FAIL) are fixable; only the FAIL needs it.
    EXPECT_EQ(lines[lines.size() - 3], "to fix the 1 fixable finding: kubecert --flavor eks fix");
    EXPECT_EQ(lines.back().rfind("summary: ", 0), 0u);
    // Nothing fixable: no command.
    Report r = samples::audit_report();
    for (auto& f : r.findings) f.fixable = false;
    EXPECT_EQ(render_text(r, t).find("to fix"), std::string::npos);
    // A dry run suggests applying it; a real fix suggests nothing.
    EXPECT_NE(render_text(samples::fix_report(true), t).find("\nto apply these changes: kubecert --flavor eks fix\n"),
              std::string::npos);
    EXPECT_EQ(render_text(samples::fix_report(false), t).find("kubecert --flavor eks fix"), std::string::npos);
}
