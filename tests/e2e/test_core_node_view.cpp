// Through the binary: during a fix every reader of the host (read_file,
// stat_file, lstat_file, list_dir, resolve_path) sees the same node, under
// --dry-run (the overlay) and in a real fix (the files). The viewprobe plugin
// (tests/plugins/viewprobe.c) fails its fix, naming the reader, when one disagrees.
#include <gtest/gtest.h>
#include <unistd.h>

#include "core_fixture.hpp"

namespace kubecert::test {
namespace {

struct ProbeNode {
    TempDir root;
    TempDir plugins;
    ProbeNode() {
        CoreNode::install_plugin("viewprobe.so", plugins.path(), "viewprobe.so");
        write_file(root / "/etc/probe/old.conf", "old\n");
        EXPECT_EQ(::symlink("old.conf", (root / "/etc/probe/current").c_str()), 0);
    }
    ProcResult fix(const std::vector<std::string>& extra) const {
        std::vector<std::string> args{"--root",    root.path(), "--plugin-dir", plugins.path(), "--flavor",
                                      "viewprobe", "--format",  "json",         "fix"};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_kubecert(args, {{"KUBECERT_PLUGIN_PATH", "\x01unset"}});
    }
};

TEST(CoreNodeView, UnderDryRunEveryReaderSeesTheOverlay) {
    ProbeNode node;
    const auto before = snapshot_tree(node.root.path());
    auto r = node.fix({"--dry-run"});
    auto j = parse_report(r.out);
    EXPECT_TRUE(j["errors"].empty()) << j["errors"].dump();
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(status_of(j["findings"], "probe.new"), "FAIL");
    EXPECT_EQ(status_of(j["after"], "probe.new"), "PASS") << "the after-audit previews the new file";
    ASSERT_EQ(j["actions"].size(), 2u) << j["actions"].dump(2);
    EXPECT_EQ(j["actions"][0]["target"], "/etc/probe/new.conf");
    EXPECT_EQ(j["actions"][0]["status"], "planned");
    EXPECT_EQ(j["actions"][1]["target"], "/etc/probe/old.conf");
    EXPECT_EQ(j["actions"][1]["status"], "planned");
    EXPECT_EQ(snapshot_tree(node.root.path()), before) << "a dry run changes nothing";
}

TEST(CoreNodeView, InARealFixEveryReaderSeesTheFiles) {
    ProbeNode node;
    auto r = node.fix({"--yes"});
    auto j = parse_report(r.out);
    EXPECT_TRUE(j["errors"].empty()) << j["errors"].dump();
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(status_of(j["after"], "probe.new"), "PASS");
    EXPECT_EQ(read_file(node.root / "/etc/probe/new.conf"), "0123456789");
    EXPECT_EQ(read_file(node.root / "/etc/probe/old.conf"), "old\n") << "the parked file is back";
    ASSERT_EQ(j["actions"].size(), 2u) << j["actions"].dump(2);
    EXPECT_EQ(j["actions"][0]["status"], "applied");
    EXPECT_EQ(j["actions"][1]["status"], "applied");
}

} // namespace
} // namespace kubecert::test
