// kubecert.run.v1 through the real binary: the audit after a fix runs on a
// new plugin instance, and the host tells it which finding ids this run's
// fix handed that plugin and saw succeed. Two test plugins from one source
// (tests/plugins/runprobe.c: runprobe and runpeer) report what the service
// answers, for their own fixed and unfixed ids and for each other's.
#include <gtest/gtest.h>

#include "core_fixture.hpp"

namespace kubecert::test {
namespace {

// A node both test plugins recognise, with both in one plugin folder.
struct RunNode {
    TempDir root, plugins;
    RunNode() {
        CoreNode::install_plugin("runprobe.so", plugins.path(), "runprobe.so");
        CoreNode::install_plugin("runpeer.so", plugins.path(), "runpeer.so");
        write_file(root / "/etc/hostname", "node-1\n");
        write_file(root / "/etc/runprobe/.keep", "");
        write_file(root / "/etc/runpeer/.keep", "");
    }
    // kubecert --root ROOT --plugin-dir PLUGINS --format json ARGS (every plugin that detects the node).
    nlohmann::json kubecert(const std::vector<std::string>& args, int expected_exit) const {
        std::vector<std::string> all{"--root", root.path(), "--plugin-dir", plugins.path(), "--format", "json"};
        all.insert(all.end(), args.begin(), args.end());
        const auto r = run_kubecert(all, {{"KUBECERT_PLUGIN_PATH", "\x01unset"}});
        EXPECT_EQ(r.exit_code, expected_exit) << r.err << r.out;
        return parse_report(r.out);
    }
};

// What the service answered to plugin `name` in the audit that produced `findings`.
std::string answers(const nlohmann::json& findings, const std::string& name) {
    for (const auto& f : findings)
        if (f.value("id", "") == name + ".run") return f.value("result", "");
    ADD_FAILURE() << "no " << name << ".run in " << findings.dump(2);
    return "";
}

TEST(RunExtension, APlainAuditKnowsOfNoFixEvenWhenTheNodeLooksFixed) {
    RunNode node;
    write_file(node.root / "/etc/runprobe/fixed", "fixed-in-fix=0\n");
    const auto j = node.kubecert({"audit"}, 1); // the spare findings FAIL
    EXPECT_EQ(status_of(j["findings"], "runprobe.fixme"), "PASS");
    EXPECT_EQ(answers(j["findings"], "runprobe"), "fixme=0 spare=0 peer=0 null=0");
    EXPECT_EQ(answers(j["findings"], "runpeer"), "fixme=0 spare=0 peer=0 null=0");
}

// Each plugin sees its own fixed id, not its unfixed one, not the other plugin's.
TEST(RunExtension, TheAuditAfterAFixSeesWhatItsOwnPluginFixed) {
    RunNode node;
    const auto j = node.kubecert({"fix", "--yes"}, 1);
    EXPECT_EQ(j["errors"].size(), 0u) << j["errors"].dump();
    EXPECT_EQ(answers(j["findings"], "runprobe"), "fixme=0 spare=0 peer=0 null=0") << "the audit before the fix";
    EXPECT_EQ(status_of(j["after"], "runprobe.fixme"), "PASS");
    EXPECT_EQ(status_of(j["after"], "runpeer.fixme"), "PASS");
    EXPECT_EQ(status_of(j["after"], "runprobe.spare"), "FAIL");
    EXPECT_EQ(answers(j["after"], "runprobe"), "fixme=1 spare=0 peer=0 null=0");
    EXPECT_EQ(answers(j["after"], "runpeer"), "fixme=1 spare=0 peer=0 null=0");
    // During fix() its own id is not done yet.
    EXPECT_EQ(read_file(node.root / "/etc/runprobe/fixed"), "fixed-in-fix=0\n");
    EXPECT_EQ(read_file(node.root / "/etc/runpeer/fixed"), "fixed-in-fix=0\n");

    // The next run is a new run: a plain audit of the fixed node knows of no fix.
    const auto again = node.kubecert({"audit"}, 1);
    EXPECT_EQ(answers(again["findings"], "runprobe"), "fixme=0 spare=0 peer=0 null=0");
}

// The audit after a dry run previews the result through the overlay: the ids count there too.
TEST(RunExtension, UnderDryRunTheAuditAfterTheFixSeesTheFixedIds) {
    RunNode node;
    const auto j = node.kubecert({"fix", "--dry-run"}, 1);
    EXPECT_EQ(status_of(j["after"], "runprobe.fixme"), "PASS");
    EXPECT_EQ(answers(j["after"], "runprobe"), "fixme=1 spare=0 peer=0 null=0");
    EXPECT_EQ(answers(j["after"], "runpeer"), "fixme=1 spare=0 peer=0 null=0");
    EXPECT_FALSE(file_exists(node.root / "/etc/runprobe/fixed")) << "a dry run changes nothing";
    EXPECT_FALSE(file_exists(node.root / "/etc/runpeer/fixed"));
}

// One plugin's fix fails: the whole fix is rolled back, so no plugin's id counts, the one whose
// fix() succeeded included (whichever of the two ran first).
TEST(RunExtension, AfterAFailedFixNothingCountsAsFixed) {
    RunNode node;
    const auto j = node.kubecert({"--runprobe-fail", "fix", "--yes"}, 3);
    ASSERT_EQ(j["errors"].size(), 1u) << j["errors"].dump();
    EXPECT_NE(j["errors"][0].get<std::string>().find("injected failure (--runprobe-fail)"), std::string::npos)
        << j["errors"].dump();
    EXPECT_EQ(status_of(j["after"], "runprobe.fixme"), "FAIL");
    EXPECT_EQ(status_of(j["after"], "runpeer.fixme"), "FAIL");
    EXPECT_EQ(answers(j["after"], "runprobe"), "fixme=0 spare=0 peer=0 null=0");
    EXPECT_EQ(answers(j["after"], "runpeer"), "fixme=0 spare=0 peer=0 null=0");
    EXPECT_FALSE(file_exists(node.root / "/etc/runprobe/fixed"));
    EXPECT_FALSE(file_exists(node.root / "/etc/runpeer/fixed"));
}

} // namespace
} // namespace kubecert::test
