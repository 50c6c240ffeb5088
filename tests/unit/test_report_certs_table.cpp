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

} // namespace

TEST(ReportCertsTable, MatchesKubeadmCheckExpirationOutput) {
    EXPECT_EQ(render_certs_table(samples::kubeadm_certs_report()), samples::k_kubeadm_certs_output);
}

TEST(ReportCertsTable, ColumnsWidenToTheLongestCellAndShowExpiredAndExternal) {
    Report r = samples::kubeadm_certs_report();
    // A longer name widens the first column of the leaf table only.
    r.certificates[1].name = "apiserver-with-a-much-longer-name";
    r.certificates[1].residual_seconds = -3600; // expired an hour ago
    r.certificates[1].externally_managed = true;
    const std::vector<std::string> lines = lines_of(render_certs_table(r));
    ASSERT_GE(lines.size(), 13u);
    EXPECT_EQ(lines[0], "CERTIFICATE                         EXPIRES                  RESIDUAL TIME   "
                        "CERTIFICATE AUTHORITY   EXTERNALLY MANAGED");
    EXPECT_EQ(lines[2], "apiserver-with-a-much-longer-name   Dec 30, 2020 23:36 UTC   <invalid>       "
                        "ca                      yes     ");
    EXPECT_EQ(lines[3].substr(0, 36), "apiserver-etcd-client               ");
    // The authorities are a separate block, aligned on their own.
    EXPECT_EQ(lines[11], "");
    EXPECT_EQ(lines[12], "CERTIFICATE AUTHORITY   EXPIRES                  RESIDUAL TIME   EXTERNALLY MANAGED");
}

TEST(ReportCertsTable, NamesEachPluginWhenSeveralReportedCertificates) {
    const std::string out = render_certs_table(samples::audit_report());
    const std::vector<std::string> lines = lines_of(out);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0], "[eks]");
    const auto rke = out.find("\n[rke]\n");
    ASSERT_NE(rke, std::string::npos);
    // The eks serving certificate is a leaf, managed outside (e.g. by the CSR signer).
    EXPECT_NE(out.find("kubelet-server   Mar 15, 2025 12:00 UTC   14d             kubernetes              yes     \n"),
              std::string::npos)
        << out;
    // rke's CA expired on 2025-02-20 and sits in the authority table.
    EXPECT_NE(out.find("kube-ca                 Feb 20, 2025 00:00 UTC   <invalid>       no      \n", rke),
              std::string::npos)
        << out;
}

TEST(ReportCertsTable, SinglePluginHasNoPluginHeading) {
    EXPECT_EQ(render_certs_table(samples::kubeadm_certs_report()).find('['), std::string::npos);
}

TEST(ReportCertsTable, EmptyReportStillPrintsBothHeaders) {
    Report r;
    r.command = "certs";
    EXPECT_EQ(render_certs_table(r),
              "CERTIFICATE   EXPIRES   RESIDUAL TIME   CERTIFICATE AUTHORITY   EXTERNALLY MANAGED\n"
              "\n"
              "CERTIFICATE AUTHORITY   EXPIRES   RESIDUAL TIME   EXTERNALLY MANAGED\n");
}
