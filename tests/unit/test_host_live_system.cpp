// The one rule for "is the node under --root the running system" (issue 11, point 2).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "host/live_system.hpp"
#include "test_support.hpp"

namespace kubecert::host {
namespace {

using test::TempDir;

TEST(LiveSystem, RootSlashIsLive) {
    RootFs fs("/");
    const auto l = decide_live_system(fs, LiveSystemMode::automatic);
    EXPECT_TRUE(l.live);
    EXPECT_EQ(l.reason, "--root is /");
}

TEST(LiveSystem, AnImageWithoutProcfsIsNotLive) {
    TempDir root;
    EXPECT_FALSE(decide_live_system(RootFs(root.path()), LiveSystemMode::automatic).live);
    // An image's /proc is an empty folder, or holds copied files: no procfs.
    test::write_file(root.path() + "/proc/1/cmdline", std::string("/sbin/init\0", 11));
    const auto l = decide_live_system(RootFs(root.path()), LiveSystemMode::automatic);
    EXPECT_FALSE(l.live);
    EXPECT_NE(l.reason.find("not a procfs"), std::string::npos) << l.reason;
}

TEST(LiveSystem, ASymlinkToThisMachinesProcDoesNotMakeAnImageLive) {
    TempDir root;
    // Resolved inside the root, "/proc" -> "/proc" is the image's own (a loop), never this machine's.
    ASSERT_EQ(::symlink("/proc", (root.path() + "/proc").c_str()), 0);
    EXPECT_FALSE(decide_live_system(RootFs(root.path()), LiveSystemMode::automatic).live);
    std::filesystem::remove(root.path() + "/proc");
    ASSERT_EQ(::symlink("../../../../../../../../proc", (root.path() + "/proc").c_str()), 0);
    EXPECT_FALSE(decide_live_system(RootFs(root.path()), LiveSystemMode::automatic).live);
}

TEST(LiveSystem, TheOptionOverridesTheRule) {
    TempDir root;
    EXPECT_TRUE(decide_live_system(RootFs(root.path()), LiveSystemMode::yes).live);
    EXPECT_FALSE(decide_live_system(RootFs("/"), LiveSystemMode::no).live);
    LiveSystemMode m{};
    EXPECT_TRUE(parse_live_system_mode("auto", m));
    EXPECT_EQ(m, LiveSystemMode::automatic);
    EXPECT_TRUE(parse_live_system_mode("no", m));
    EXPECT_EQ(m, LiveSystemMode::no);
    EXPECT_FALSE(parse_live_system_mode("maybe", m));
}

} // namespace
} // namespace kubecert::host
