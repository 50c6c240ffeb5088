#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "host/root_fs.hpp"
#include "test_support.hpp"

namespace kubecert::host {
namespace {

using test::TempDir;
using util::ErrorCode;

// A node root inside a temp folder, with a marker file OUTSIDE the root that
// a confined read must never return.
class RootFsTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::filesystem::create_directories(m_outer.path() + "/node");
        m_root = m_outer.path() + "/node";
        test::write_file(m_root + "/etc/passwd", "inside-root\n");
        test::write_file(m_outer.path() + "/etc/passwd", "OUTSIDE-MARKER\n");
    }
    void link(const std::string& target, const std::string& node_path) {
        std::filesystem::create_directories(std::filesystem::path(m_root + node_path).parent_path());
        ASSERT_EQ(::symlink(target.c_str(), (m_root + node_path).c_str()), 0);
    }

    TempDir m_outer;
    std::string m_root;
};

TEST_F(RootFsTest, ReadsFilesUnderTheRoot) {
    RootFs fs(m_root);
    auto content = fs.read_file("/etc/passwd");
    ASSERT_TRUE(content.ok()) << content.error().message;
    EXPECT_EQ(*content, "inside-root\n");
    auto resolved = fs.resolve("/etc//./passwd");
    ASSERT_TRUE(resolved.ok());
    EXPECT_EQ(resolved->node_path, "/etc/passwd");
    EXPECT_EQ(resolved->host_path, std::filesystem::canonical(m_root).string() + "/etc/passwd");
}

TEST_F(RootFsTest, AbsoluteSymlinkTargetIsTakenInsideTheRoot) {
    link("/etc/passwd", "/var/lib/link");
    RootFs fs(m_root);
    auto resolved = fs.resolve("/var/lib/link");
    ASSERT_TRUE(resolved.ok()) << resolved.error().message;
    EXPECT_EQ(resolved->node_path, "/etc/passwd");
    auto content = fs.read_file("/var/lib/link");
    ASSERT_TRUE(content.ok());
    EXPECT_EQ(*content, "inside-root\n");
}

TEST_F(RootFsTest, DotDotNeverClimbsAboveTheRoot) {
    RootFs fs(m_root);
    auto content = fs.read_file("/../../../etc/passwd");
    ASSERT_TRUE(content.ok()) << content.error().message;
    EXPECT_EQ(*content, "inside-root\n");
    auto resolved = fs.resolve("/var/../../../../etc");
    ASSERT_TRUE(resolved.ok());
    EXPECT_EQ(resolved->node_path, "/etc");
}

TEST_F(RootFsTest, RelativeSymlinkClimbingOutIsClampedAtTheRoot) {
    // From ROOT/a/b/escape, "../../../etc/passwd" would reach the marker outside the root.
    link("../../../etc/passwd", "/a/b/escape");
    link("../../../../../../../..", "/a/up");
    RootFs fs(m_root);
    auto content = fs.read_file("/a/b/escape");
    ASSERT_TRUE(content.ok()) << content.error().message;
    EXPECT_EQ(*content, "inside-root\n");
    auto through_dir = fs.read_file("/a/up/etc/passwd");
    ASSERT_TRUE(through_dir.ok()) << through_dir.error().message;
    EXPECT_EQ(*through_dir, "inside-root\n");
}

TEST_F(RootFsTest, SymlinkLoopIsRefused) {
    link("/loop/b", "/loop/a");
    link("/loop/a", "/loop/b");
    RootFs fs(m_root);
    auto content = fs.read_file("/loop/a");
    ASSERT_FALSE(content.ok());
    EXPECT_EQ(content.error().code, ErrorCode::invalid);
    EXPECT_NE(content.error().message.find("/loop/a"), std::string::npos) << content.error().message;
    EXPECT_NE(content.error().message.find("symbolic links"), std::string::npos) << content.error().message;
}

TEST_F(RootFsTest, RelativeAndNulPathsAreRefused) {
    RootFs fs(m_root);
    auto relative = fs.read_file("etc/passwd");
    ASSERT_FALSE(relative.ok());
    EXPECT_EQ(relative.error().code, ErrorCode::invalid);
    EXPECT_NE(relative.error().message.find("absolute"), std::string::npos);
    auto nul = fs.read_file(std::string("/etc/passwd\0/../x", 17));
    ASSERT_FALSE(nul.ok());
    EXPECT_EQ(nul.error().code, ErrorCode::invalid);
    EXPECT_NE(nul.error().message.find("NUL"), std::string::npos);
}

TEST_F(RootFsTest, MissingFileNamesTheNodePathAndReason) {
    RootFs fs(m_root);
    auto content = fs.read_file("/etc/kubernetes/admin.conf");
    ASSERT_FALSE(content.ok());
    EXPECT_EQ(content.error().code, ErrorCode::not_found);
    EXPECT_EQ(content.error().message, "/etc/kubernetes/admin.conf: No such file or directory");
    // Resolving a path to a file yet to be created is fine.
    auto resolved = fs.resolve("/etc/kubernetes/../kubernetes/new.conf");
    ASSERT_TRUE(resolved.ok());
    EXPECT_EQ(resolved->node_path, "/etc/kubernetes/new.conf");
}

TEST_F(RootFsTest, StatReportsTypeModeAndMissing) {
    test::write_file(m_root + "/etc/key.pem", "k", 0600);
    link("/etc/key.pem", "/etc/key-link");
    RootFs fs(m_root);
    auto st = fs.stat("/etc/key.pem");
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(st->type, FileStat::Type::regular);
    EXPECT_EQ(st->mode, 0600u);
    EXPECT_EQ(st->size, 1u);
    auto link_st = fs.stat("/etc/key-link", false);
    ASSERT_TRUE(link_st.ok());
    EXPECT_EQ(link_st->type, FileStat::Type::symlink);
    auto followed = fs.stat("/etc/key-link");
    ASSERT_TRUE(followed.ok());
    EXPECT_EQ(followed->type, FileStat::Type::regular);
    auto missing = fs.stat("/nope/nothing");
    ASSERT_TRUE(missing.ok());
    EXPECT_EQ(missing->type, FileStat::Type::missing);
}

TEST_F(RootFsTest, ListDirIsSortedWithoutDots) {
    test::write_file(m_root + "/d/b", "");
    test::write_file(m_root + "/d/a", "");
    test::write_file(m_root + "/d/c/x", "");
    RootFs fs(m_root);
    auto names = fs.list_dir("/d");
    ASSERT_TRUE(names.ok());
    EXPECT_EQ(*names, (std::vector<std::string>{"a", "b", "c"}));
    auto missing = fs.list_dir("/nope");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ErrorCode::not_found);
}

TEST(RootFs, RootMustBeAFolder) {
    TempDir dir;
    test::write_file(dir.path() + "/file", "x");
    EXPECT_THROW(RootFs(dir.path() + "/file"), std::runtime_error);
    EXPECT_THROW(RootFs(dir.path() + "/missing"), std::runtime_error);
}

TEST(RootFs, SlashRootMapsNodePathsToThemselves) {
    RootFs fs("/");
    auto resolved = fs.resolve("/proc/self/../1/../../etc/./hostname", false);
    ASSERT_TRUE(resolved.ok());
    EXPECT_EQ(resolved->host_path, "/etc/hostname");
    EXPECT_EQ(resolved->node_path, "/etc/hostname");
}

} // namespace
} // namespace kubecert::host

namespace kubecert::host {
namespace {

// Files that are not files: refused at once, naming the file, never read.
class RootFsSpecialFiles : public ::testing::Test {
protected:
    std::string host(const std::string& node_path) { return m_root.path() + node_path; }
    test::TempDir m_root;
};

TEST_F(RootFsSpecialFiles, AFifoIsRefusedWithoutWaitingForAWriter) {
    std::filesystem::create_directories(host("/var/lib/kubelet"));
    ASSERT_EQ(::mkfifo(host("/var/lib/kubelet/config.yaml").c_str(), 0644), 0);
    RootFs fs(m_root.path());
    auto r = fs.read_file("/var/lib/kubelet/config.yaml"); // a blocking open would hang here
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, util::ErrorCode::denied);
    EXPECT_EQ(r.error().message, "/var/lib/kubelet/config.yaml: refused, a FIFO where a file was expected");
}

TEST_F(RootFsSpecialFiles, ACharacterDeviceBehindASymlinkIsRefused) {
    std::filesystem::create_directories(host("/dev"));
    if (::mknod(host("/dev/zero").c_str(), S_IFCHR | 0666, makedev(1, 5)) != 0)
        GTEST_SKIP() << "cannot create a device node here (not root, or a container without CAP_MKNOD)";
    std::filesystem::create_directories(host("/etc/kubernetes/pki"));
    ASSERT_EQ(::symlink("/dev/zero", host("/etc/kubernetes/pki/ca.crt").c_str()), 0);
    RootFs fs(m_root.path());
    auto r = fs.read_file("/etc/kubernetes/pki/ca.crt");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "/etc/kubernetes/pki/ca.crt: refused, a character device where a file was expected");
}

TEST_F(RootFsSpecialFiles, AHugeSparseFileIsRefusedBeforeItIsRead) {
    test::write_file(host("/etc/kubernetes/admin.conf"), "");
    ASSERT_EQ(::truncate(host("/etc/kubernetes/admin.conf").c_str(), 1ll << 30), 0);
    RootFs fs(m_root.path());
    auto r = fs.read_file("/etc/kubernetes/admin.conf");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message,
              "/etc/kubernetes/admin.conf: refused, larger than the 4096 KiB kubecert reads of a file");
    // A smaller bound applies to what its caller asks for.
    test::write_file(host("/proc/1/cmdline"), std::string(5000, 'x'));
    EXPECT_FALSE(fs.read_file("/proc/1/cmdline", 4096).ok());
    EXPECT_TRUE(fs.read_file("/proc/1/cmdline", 8192).ok());
}

} // namespace
} // namespace kubecert::host
