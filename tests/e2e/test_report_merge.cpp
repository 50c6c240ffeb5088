// `kubecert report merge` on the reports of real audits of generated kubeadm
// nodes: every format, folders, standard input, broken reports, exit status.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "kubeadm_node.hpp"
#include "test_support.hpp"

using namespace kubecert::test;
using Json = nlohmann::json;

namespace {

// Two audited nodes: cp-ok (named by its /etc/hostname) whose certificates
// are fine, cp-due (named by --node-name) whose leaf certificates expired.
class ReportMerge : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        s_reports = new TempDir;
        TempDir ok, due;
        KubeadmNodeSpec fine;
        write_kubeadm_node(ok.path(), fine);
        write_file(ok / "/etc/hostname", "cp-ok\n");
        KubeadmNodeSpec expired;
        expired.default_days = -1;
        write_kubeadm_node(due.path(), expired);
        auto a =
            run_kubecert({"--root", ok.path(), "--format", "json", "--output", *s_reports / "/cp-ok.json", "audit"});
        write_file(*s_reports / "/nested/.keep", ""); // the folder --output writes into
        auto b = run_kubecert({"--root", due.path(), "--node-name", "cp-due", "--format", "json", "--output",
                               *s_reports / "/nested/cp-due.json", "audit"});
        ASSERT_NE(a.exit_code, 3) << a.err;
        ASSERT_EQ(b.exit_code, 1) << b.err;
        write_file(*s_reports / "/notes.txt", "not a report, not *.json: ignored");
    }
    static void TearDownTestSuite() {
        delete s_reports;
        s_reports = nullptr;
    }
    static std::string dir() { return s_reports->path(); }
    static TempDir* s_reports;
};
TempDir* ReportMerge::s_reports = nullptr;

} // namespace

TEST_F(ReportMerge, TheAuditReportNamesTheNodeAndItsFlavor) {
    auto ok = Json::parse(read_file(dir() + "/cp-ok.json"));
    EXPECT_EQ(ok["node"], (Json{{"name", "cp-ok"}, {"flavor", "kubeadm"}}));
    auto due = Json::parse(read_file(dir() + "/nested/cp-due.json"));
    EXPECT_EQ(due["node"]["name"], "cp-due");
}

TEST_F(ReportMerge, TextSortsBySoonestExpiryAndExitsOneForAFail) {
    auto r = run_kubecert({"report", "merge", dir()});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_NE(r.out.find("2 nodes (1 FAIL"), std::string::npos) << r.out;
    const auto due = r.out.find("\ncp-due "), ok = r.out.find("\ncp-ok ");
    ASSERT_NE(due, std::string::npos) << r.out;
    ASSERT_NE(ok, std::string::npos) << r.out;
    EXPECT_LT(due, ok) << "the node with expired certificates comes first";
    EXPECT_NE(r.out.find("expired"), std::string::npos);
    EXPECT_NE(r.out.find("kubeadm.cert-expiry/"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("By flavor:\n  kubeadm: 2 nodes"), std::string::npos) << r.out;
}

TEST_F(ReportMerge, BrokenReportsAreNamedCountedAndDoNotStopTheMerge) {
    TempDir extra;
    const std::string good = read_file(dir() + "/cp-ok.json");
    write_file(extra / "/truncated.json", good.substr(0, good.size() / 3));
    write_file(extra / "/other.json", R"({"schema": "something/else"})");
    auto r = run_kubecert({"--format", "json", "report", "merge", dir(), extra.path(), extra / "/missing.json"});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_NE(r.err.find("truncated.json: not valid JSON at byte"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("missing.json: no such file or folder"), std::string::npos) << r.err;
    auto j = Json::parse(r.out);
    EXPECT_EQ(j["summary"]["nodes"], 2);
    EXPECT_EQ(j["summary"]["unreadable"], 3);
    EXPECT_EQ(j["summary"]["reports"], 5);
    EXPECT_EQ(j["nodes"][0]["name"], "cp-due");
    EXPECT_EQ(j["nodes"][0]["flavor"], "kubeadm");
    EXPECT_EQ(j["nodes"][0]["status"], "FAIL");
    EXPECT_LT(j["nodes"][0]["soonest"]["residual_seconds"].get<long>(), 0);
}

TEST_F(ReportMerge, StandardInputTakesReportsOneAfterAnother) {
    const std::string both = read_file(dir() + "/cp-ok.json") + read_file(dir() + "/nested/cp-due.json");
    auto r = run({kubecert_binary(), "--format", "prometheus", "report", "merge", "-"}, {}, both);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.out.find("kubecert_fleet_node_status{node=\"cp-due\",flavor=\"kubeadm\",status=\"FAIL\"} 1"),
              std::string::npos)
        << r.out;
    EXPECT_NE(
        r.out.find("kubecert_fleet_certificate_not_after_seconds{node=\"cp-ok\",flavor=\"kubeadm\",plugin=\"kubeadm\""),
        std::string::npos);
}

TEST_F(ReportMerge, JunitHasATestsuitePerNode) {
    TempDir out;
    auto r = run_kubecert({"--format", "junit", "--output", out / "/fleet.xml", "report", "merge", dir()});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    const std::string xml = read_file(out / "/fleet.xml");
    EXPECT_NE(xml.find("<testsuite name=\"cp-due\""), std::string::npos) << xml;
    EXPECT_NE(xml.find("<testsuite name=\"cp-ok\""), std::string::npos) << xml;
}

TEST_F(ReportMerge, StaleReportsMakeTheFleetError) {
    auto r = run_kubecert({"--now", "2099-01-01T00:00:00Z", "--max-age", "2h", "report", "merge", dir()});
    EXPECT_EQ(r.exit_code, 3) << r.out;
    EXPECT_NE(r.out.find("Stale reports (older than 2h"), std::string::npos) << r.out;
    auto never = run_kubecert({"--now", "2099-01-01T00:00:00Z", "--max-age", "0", "report", "merge", dir()});
    EXPECT_EQ(never.exit_code, 1) << never.out;
}

TEST_F(ReportMerge, NoReportIsAnErrorAndUsageErrorsExitTwo) {
    TempDir empty;
    auto none = run_kubecert({"report", "merge", empty.path()});
    EXPECT_EQ(none.exit_code, 3);
    EXPECT_NE(none.out.find("No reports were given or found."), std::string::npos) << none.out;
    EXPECT_EQ(run_kubecert({"report"}).exit_code, 2);
    EXPECT_EQ(run_kubecert({"report", "merge"}).exit_code, 2);
    EXPECT_EQ(run_kubecert({"report", "split", dir()}).exit_code, 2);
    EXPECT_EQ(run_kubecert({"--max-age", "1h", "--root", empty.path(), "audit"}).exit_code, 2);
    EXPECT_EQ(run_kubecert({"--max-age", "soon", "report", "merge", dir()}).exit_code, 2);
    auto help = run_kubecert({"report", "--help"});
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.out.find("--max-age"), std::string::npos) << help.out;
}
