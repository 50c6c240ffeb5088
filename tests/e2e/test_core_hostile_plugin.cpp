// A plugin that misbehaves at the C ABI (tests/plugins/hostile.c): failing
// statuses without a message, statuses outside the enum, NULL strings in
// findings. kubecert reports a clear ERROR, exits 3 and still writes a
// complete report, whatever the plugin did.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "core_fixture.hpp"

namespace kubecert::test {
namespace {

struct HostileNode {
    TempDir root;
    TempDir plugins;
    HostileNode() {
        CoreNode::install_plugin("hostile.so", plugins.path(), "hostile.so");
        ::mkdir((root / "/etc").c_str(), 0755);
        ::mkdir((root / "/etc/hostile").c_str(), 0755);
    }
    ProcResult kubecert(const std::string& mode, const std::vector<std::string>& command,
                        const std::string& flavor = "hostile") const {
        std::vector<std::string> args{"--root", root.path(), "--plugin-dir", plugins.path(),   "--flavor",
                                      flavor,   "--format",  "json",         "--hostile-mode", mode};
        args.insert(args.end(), command.begin(), command.end());
        return run_kubecert(args, {{"KUBECERT_PLUGIN_PATH", "\x01unset"}});
    }
};

// The report is whole: every top-level key of DESIGN.md, and the plugin's error named.
void expect_complete_report(const nlohmann::json& j, const std::string& error_part) {
    for (const char* key : {"schema", "tool", "generated_at", "root", "plugins", "findings", "certificates", "summary"})
        EXPECT_TRUE(j.contains(key)) << key << " missing from " << j.dump(2);
    ASSERT_TRUE(j.contains("errors")) << j.dump(2);
    bool named = false;
    for (const auto& e : j["errors"]) named = named || e.get<std::string>().find(error_part) != std::string::npos;
    EXPECT_TRUE(named) << "no error mentions '" << error_part << "': " << j["errors"].dump();
}

TEST(CoreHostilePlugin, AFailedAuditWithoutAMessageIsAnErrorAndTheFindingsStay) {
    HostileNode node;
    auto r = node.kubecert("audit", {"audit"});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    auto j = parse_report(r.out);
    expect_complete_report(j, "hostile: audit failed: no message");
    // The finding of NULL strings and a status outside the enum is an ERROR with empty texts.
    EXPECT_EQ(status_of(j["findings"], "hostile.nulls"), "ERROR") << j["findings"].dump(2);
    EXPECT_EQ(status_of(j["findings"], "hostile.nulls/no-evidence"), "PASS");
    EXPECT_EQ(j["findings"].size(), 2u) << "the findings without an id were refused";
    EXPECT_NE(r.err.find("hostile: audit failed"), std::string::npos) << r.err;
}

TEST(CoreHostilePlugin, AStatusOutsideTheEnumIsNamed) {
    HostileNode node;
    auto r = node.kubecert("status", {"audit"});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    expect_complete_report(parse_report(r.out), "status 1234 is not a kubecert_status_t");
}

TEST(CoreHostilePlugin, ACreateThatReturnsNullIsAnError) {
    HostileNode node;
    auto r = node.kubecert("create", {"audit"});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    expect_complete_report(parse_report(r.out), "hostile: create() failed: no message");
}

TEST(CoreHostilePlugin, AFailedDetectIsAnErrorAndNoPluginMatches) {
    HostileNode node;
    auto r = node.kubecert("detect", {"audit"}, "auto");
    EXPECT_EQ(r.exit_code, 3) << r.err;
    auto j = parse_report(r.out);
    expect_complete_report(j, "hostile: detect failed: no message");
    expect_complete_report(j, "no plugin recognises the node");
}

TEST(CoreHostilePlugin, AFailedFixWithoutAMessageIsRolledBack) {
    HostileNode node;
    auto r = node.kubecert("fix", {"fix", "--yes"});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    auto j = parse_report(r.out);
    expect_complete_report(j, "hostile: fix failed: no message (every change of this fix was rolled back)");
    EXPECT_FALSE(file_exists(node.root / "/etc/hostile/fixed.conf")) << "the file the fix wrote is gone";
    ASSERT_EQ(j["actions"].size(), 1u) << j["actions"].dump(2);
    EXPECT_EQ(j["actions"][0]["target"], "/etc/hostile/fixed.conf");
    EXPECT_EQ(j["actions"][0]["status"], "rolled_back");
    EXPECT_EQ(status_of(j["after"], "hostile.fixme"), "FAIL");
}

} // namespace
} // namespace kubecert::test
