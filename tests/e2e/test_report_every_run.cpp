// Issue 11, point 6: every run that ends writes a complete report in the
// requested format, even when no plugin recognises the node, and the message
// names the root ("/" printed as "/").
#include <gtest/gtest.h>

#include <pugixml.hpp>

#include "core_fixture.hpp"

using namespace kubecert::test;

namespace {

// kubecert with only the C test plugin, on an empty root it does not recognise.
ProcResult run_unrecognised(const std::string& root, const std::string& plugins, std::vector<std::string> args) {
    std::vector<std::string> all{"--root", root, "--plugin-dir", plugins};
    all.insert(all.end(), args.begin(), args.end());
    return run_kubecert(all, {{"KUBECERT_PLUGIN_PATH", "\x01unset"}});
}

} // namespace

TEST(ReportEveryRun, NoPluginJsonReportOnStdoutWithTheError) {
    TempDir root, plugins;
    CoreNode::install_plugin("testgood.so", plugins.path(), "testgood.so");
    auto r = run_unrecognised(root.path(), plugins.path(), {"--format", "json", "audit"});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    auto j = parse_report(r.out);
    EXPECT_EQ(j["schema"], "kubecert/report/v1");
    EXPECT_EQ(j["root"], root.path());
    ASSERT_EQ(j["errors"].size(), 1u) << r.out;
    const std::string e = j["errors"][0];
    EXPECT_NE(e.find("no plugin recognises the node under " + root.path()), std::string::npos) << e;
    EXPECT_TRUE(j["findings"].empty());
    EXPECT_EQ(j["summary"]["ERROR"], 0);
    EXPECT_NE(r.err.find("no plugin recognises the node"), std::string::npos) << r.err;
}

TEST(ReportEveryRun, NoPluginJunitHasAnErrorTestcase) {
    TempDir root, plugins;
    CoreNode::install_plugin("testgood.so", plugins.path(), "testgood.so");
    auto r = run_unrecognised(root.path(), plugins.path(), {"--format", "junit", "audit"});
    EXPECT_EQ(r.exit_code, 3);
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(r.out.c_str())) << r.out;
    auto suites = doc.child("testsuites");
    EXPECT_EQ(suites.attribute("errors").as_int(), 1) << r.out;
    auto err = suites.find_node([](pugi::xml_node n) { return std::string(n.name()) == "error"; });
    ASSERT_TRUE(err) << r.out;
    EXPECT_NE(std::string(err.attribute("message").value()).find("no plugin recognises the node"), std::string::npos);
}

TEST(ReportEveryRun, NoPluginPrometheusReplacesAStaleOutputFile) {
    TempDir root, plugins, out;
    CoreNode::install_plugin("testgood.so", plugins.path(), "testgood.so");
    const std::string prom = out.path() + "/kubecert.prom";
    write_file(prom, "kubecert_run_success 1\nstale 1\n");
    auto r = run_unrecognised(root.path(), plugins.path(), {"--format", "prometheus", "--output", prom, "audit"});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_TRUE(r.out.empty()) << r.out;
    const std::string text = read_file(prom);
    EXPECT_EQ(text.find("stale"), std::string::npos) << text;
    EXPECT_NE(text.find("kubecert_run_success 0\n"), std::string::npos) << text;
    EXPECT_NE(text.find("kubecert_run_errors 1\n"), std::string::npos) << text;
    // Nothing but the report itself is left in the folder (no temporary file).
    EXPECT_EQ(snapshot_tree(out.path()).size(), 1u);
}

TEST(ReportEveryRun, FixWithNoPluginAlsoWritesItsReport) {
    TempDir root, plugins;
    CoreNode::install_plugin("testgood.so", plugins.path(), "testgood.so");
    auto r = run_unrecognised(root.path(), plugins.path(), {"--format", "json", "fix", "--dry-run"});
    EXPECT_EQ(r.exit_code, 3);
    auto j = parse_report(r.out);
    EXPECT_EQ(j["command"], "fix");
    EXPECT_EQ(j["errors"].size(), 1u);
}

TEST(ReportEveryRun, TheMessageNamesRootSlashAsSlash) {
    TempDir plugins;
    CoreNode::install_plugin("testgood.so", plugins.path(), "testgood.so");
    // The test plugin only recognises a node with /etc/testgood, which no build machine has.
    auto r = run_unrecognised("/", plugins.path(), {"--format", "json", "audit"});
    auto j = parse_report(r.out);
    if (!j.value("plugins", nlohmann::json::array()).empty())
        GTEST_SKIP() << "a plugin recognises the machine running the tests as a node";
    ASSERT_EQ(r.exit_code, 3) << r.err;
    EXPECT_EQ(j["root"], "/");
    ASSERT_EQ(j["errors"].size(), 1u);
    const std::string e = j["errors"][0];
    EXPECT_NE(e.find("no plugin recognises the node under / (tried: "), std::string::npos) << e;
    EXPECT_NE(e.find("testgood"), std::string::npos) << e;
}

TEST(ReportEveryRun, SuccessfulRunSaysSoInPrometheus) {
    CoreNode node;
    node.write_confs("ok\n", "ok\n", "ok\n");
    auto r = node.kubecert({"--format", "prometheus", "audit"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("kubecert_run_success 1\n"), std::string::npos) << r.out;
}
