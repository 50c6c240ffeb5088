// plugin.h's evolution rules, through the real binary: a plugin built
// against the previous ABI minor (the frozen 1.3 header, 1.3-sized arrays
// and structs) and plugins built against a future one (larger structs in
// arrays, a larger descriptor, findings and evidence items with trailing
// fields, a host table with a service today's host lacks) are listed, audit
// and fix as a user expects; one needing a newer minor is refused clearly.
#include <gtest/gtest.h>

#include <kubecert/plugin.h>

#include "core_fixture.hpp"

using namespace kubecert::test;

namespace {

const std::map<std::string, std::string> k_env{{"KUBECERT_PLUGIN_PATH", "\x01unset"}};

// A node with the folders the test plugins detect and two processes named abi13d.
struct EvolutionNode {
    TempDir root, plugins;
    explicit EvolutionNode(const std::string& plugin_file) {
        CoreNode::install_plugin(plugin_file, plugins.path(), plugin_file);
        write_file(root / "/etc/hostname", "node-1\n");
        write_file(root / "/etc/abi13/.keep", "");
        write_file(root / "/etc/future/.keep", "");
        write_file(root / "/proc/41/cmdline", std::string("abi13d\0--first\0", 15));
        write_file(root / "/proc/42/cmdline", std::string("abi13d\0--second\0", 16));
    }
    ProcResult kubecert(const std::string& flavor, const std::vector<std::string>& args) const {
        std::vector<std::string> all{"--root", root.path(), "--plugin-dir", plugins.path(), "--flavor", flavor};
        all.insert(all.end(), args.begin(), args.end());
        return run_kubecert(all, k_env);
    }
    // How `kubecert plugins` lists the plugin of this node's folder (beside the bundled ones).
    nlohmann::json listed() const {
        auto r = run_kubecert({"--plugin-dir", plugins.path(), "--format", "json", "plugins"}, k_env);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        const auto j = parse_report(r.out);
        for (const auto& p : j["plugins"])
            if (p.value("path", "").rfind(plugins.path() + "/", 0) == 0) return p;
        ADD_FAILURE() << "not listed: " << r.out;
        return nlohmann::json::object();
    }
};

nlohmann::json finding(const nlohmann::json& findings, const std::string& id) {
    for (const auto& f : findings)
        if (f.value("id", "") == id) return f;
    ADD_FAILURE() << "no finding " << id << " in " << findings.dump(2);
    return nlohmann::json::object();
}

std::vector<std::string> check_ids(const nlohmann::json& plugin) {
    std::vector<std::string> ids;
    for (const auto& c : plugin["checks"]) ids.push_back(c["id"]);
    return ids;
}

} // namespace

TEST(AbiEvolution, APluginBuiltAgainstAbi13IsListedWithItsDeclarations) {
    EvolutionNode node("abi13.so");
    auto p = node.listed();
    EXPECT_EQ(p["name"], "abi13");
    EXPECT_EQ(p["abi"], "1.3.0");
    EXPECT_EQ(check_ids(p), (std::vector<std::string>{"abi13.marker", "abi13.host-table", "abi13.processes",
                                                      "abi13.write-in-audit"}));
    EXPECT_EQ(p["checks"][3]["title"], "write_file is refused in audit");
    ASSERT_EQ(p["options"].size(), 2u);
    EXPECT_EQ(p["options"][0]["flag"], "--abi13-marker");
    EXPECT_EQ(p["options"][0]["default"], "/etc/abi13/marker");
    EXPECT_EQ(p["options"][1]["flag"], "--abi13-write-in-audit");
    EXPECT_TRUE(p["options"][1]["value_name"].is_null());
}

TEST(AbiEvolution, APluginBuiltAgainstAbi13AuditsWithTodaysHost) {
    EvolutionNode node("abi13.so");
    auto r = node.kubecert("abi13", {"--format", "json", "audit"});
    EXPECT_EQ(r.exit_code, 1) << r.err; // the marker FAILs
    auto j = parse_report(r.out);
    auto marker = finding(j["findings"], "abi13.marker");
    EXPECT_EQ(marker["status"], "FAIL");
    EXPECT_EQ(marker["result"], "not fixed");
    ASSERT_EQ(marker["evidence"].size(), 2u) << marker.dump(2);
    EXPECT_EQ(marker["evidence"][0]["source"], "/etc/abi13/marker"); // the declared default, from the model
    EXPECT_EQ(marker["evidence"][1]["actual"], "two");
    EXPECT_EQ(marker["evidence"][1]["expected"], "");
    // Today's host table is larger than the plugin's; it sees every 1.3 service.
    auto table = finding(j["findings"], "abi13.host-table");
    EXPECT_EQ(table["status"], "PASS") << table.dump();
    // find_processes keeps the ABI 1.0 layout for it.
    EXPECT_EQ(finding(j["findings"], "abi13.processes")["result"], "41 --first, 42 --second");
}

// The write the plugin tries in audit is refused, in the audit after the fix too.
TEST(AbiEvolution, APluginBuiltAgainstAbi13FixesAndMayNotWriteInAudit) {
    EvolutionNode node("abi13.so");
    auto r = node.kubecert("abi13", {"--format", "json", "--abi13-write-in-audit", "fix", "--yes"});
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
    auto j = parse_report(r.out);
    EXPECT_EQ(finding(j["after"], "abi13.marker")["status"], "PASS");
    EXPECT_EQ(read_file(node.root / "/etc/abi13/marker"), "fixed\n");
    for (const char* audit : {"findings", "after"}) {
        auto w = finding(j[audit], "abi13.write-in-audit");
        EXPECT_EQ(w["status"], "PASS") << audit << ": " << w.dump();
        EXPECT_NE(w["result"].get<std::string>().find("write_file: refused during audit()"), std::string::npos)
            << w.dump();
    }
    EXPECT_FALSE(file_exists(node.root / "/etc/abi13/written-in-audit"));
}

TEST(AbiEvolution, AFuturePluginIsReadWithItsStridesThroughArraysOrAccessors) {
    for (const char* file : {"future_arrays.so", "future_accessors.so"}) {
        SCOPED_TRACE(file);
        EvolutionNode node(file);
        auto p = node.listed();
        EXPECT_EQ(p["name"], "future");
        EXPECT_EQ(p["abi"], "1.4.0"); // what it needs, not the header it was built with
        EXPECT_EQ(p["description"], "a plugin built against a future ABI");
        EXPECT_EQ(check_ids(p),
                  (std::vector<std::string>{"future.items", "future.host", "future.extension", "future.processes"}));
        EXPECT_EQ(p["checks"][1]["title"], "a service this host lacks is absent");
        ASSERT_EQ(p["options"].size(), 2u);
        EXPECT_EQ(p["options"][0]["flag"], "--future-level");
        EXPECT_EQ(p["options"][0]["default"], "7");
        EXPECT_EQ(p["options"][1]["flag"], "--future-loud");
        EXPECT_TRUE(p["options"][1]["value_name"].is_null());

        auto r = node.kubecert("future", {"--format", "json", "--future-level", "9", "--future-loud", "audit"});
        EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
        auto j = parse_report(r.out);
        // Three items read with their stride; the 1.0 `evidence` ("legacy") is ignored.
        auto items = finding(j["findings"], "future.items");
        ASSERT_EQ(items["evidence"].size(), 3u) << items.dump(2);
        EXPECT_EQ(items["evidence"][1]["key"], "second");
        EXPECT_EQ(items["evidence"][2]["actual"], "9");
        EXPECT_EQ(items["result"], "three items");
        EXPECT_EQ(finding(j["findings"], "future.host")["result"], "list_processes present, future_service absent");
        EXPECT_EQ(finding(j["findings"], "future.processes")["result"], "41 --first, 42 --second");
    }
}

TEST(AbiEvolution, AnOptionalHostServiceIsAskedForByName) {
    EvolutionNode node("future_accessors.so");
    auto r = node.kubecert("future", {"--format", "json", "audit"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto ext = finding(parse_report(r.out)["findings"], "future.extension");
    EXPECT_EQ(ext["status"], "PASS");
    const std::string result = ext["result"];
    EXPECT_NE(result.find("unknown name: NULL"), std::string::npos) << result;
    EXPECT_NE(result.find("kubecert.host-info.v1: kubecert 0."), std::string::npos) << result;
    EXPECT_NE(result.find("ABI 1." + std::to_string(KUBECERT_ABI_MINOR)), std::string::npos) << result;
}

TEST(AbiEvolution, APluginNeedingANewerMinorIsRefusedWithAClearMessage) {
    TempDir dir;
    CoreNode::install_plugin("future_needs_newer.so", dir.path(), "future_needs_newer.so");
    auto r = run_kubecert({"--plugin-dir", dir.path(), "plugins"}, k_env);
    EXPECT_EQ(r.exit_code, 3);
    const std::string host = "1." + std::to_string(KUBECERT_ABI_MINOR);
    const std::string needed = "1." + std::to_string(KUBECERT_ABI_MINOR + 1);
    EXPECT_NE(r.err.find(dir.path() + "/future_needs_newer.so: refused: needs plugin ABI " + needed +
                         ", newer than this kubecert's " + host + " (upgrade kubecert)"),
              std::string::npos)
        << r.err;
}
