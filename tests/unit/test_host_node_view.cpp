// NodeView: every kind of read (read_file, stat, lstat, list_dir, resolve) agrees on what the
// node is after the changes of a fix so far, under dry-run (the overlay) and in a real fix.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "host/node_view.hpp"
#include "host/transaction.hpp"
#include "test_support.hpp"

namespace kubecert::host {
namespace {

using test::TempDir;

bool lists(const NodeView& view, const std::string& folder, const std::string& name) {
    auto names = view.list_dir(folder);
    EXPECT_TRUE(names.ok()) << folder << ": " << names.error().message;
    return names && std::find(names->begin(), names->end(), name) != names->end();
}

// Every reader says `path` (in `folder`, named `name`) is absent.
void expect_absent(const NodeView& view, const std::string& folder, const std::string& name) {
    const std::string path = folder + "/" + name;
    auto read = view.read_file(path);
    ASSERT_FALSE(read.ok()) << path << " still reads as: " << *read;
    EXPECT_EQ(read.error().code, util::ErrorCode::not_found) << read.error().message;
    auto st = view.stat(path);
    ASSERT_TRUE(st.ok()) << st.error().message;
    EXPECT_EQ(st->type, FileStat::Type::missing) << "stat of " << path;
    auto lst = view.stat(path, false);
    ASSERT_TRUE(lst.ok()) << lst.error().message;
    EXPECT_EQ(lst->type, FileStat::Type::missing) << "lstat of " << path;
    EXPECT_FALSE(lists(view, folder, name)) << "list_dir of " << folder << " shows " << name;
    auto resolved = view.resolve(path);
    ASSERT_TRUE(resolved.ok()) << resolved.error().message;
    EXPECT_EQ(resolved->node_path, path) << "an absent path leads nowhere else";
}

// Every reader says `path` is a regular file holding `content`.
void expect_file(const NodeView& view, const std::string& folder, const std::string& name, const std::string& content) {
    const std::string path = folder + "/" + name;
    auto read = view.read_file(path);
    ASSERT_TRUE(read.ok()) << path << ": " << read.error().message;
    EXPECT_EQ(*read, content);
    for (bool follow : {true, false}) {
        auto st = view.stat(path, follow);
        ASSERT_TRUE(st.ok()) << st.error().message;
        EXPECT_EQ(st->type, FileStat::Type::regular) << path << (follow ? " stat" : " lstat");
        EXPECT_EQ(st->size, content.size()) << path << (follow ? " stat" : " lstat");
    }
    EXPECT_TRUE(lists(view, folder, name)) << "list_dir of " << folder << " misses " << name;
    auto resolved = view.resolve(path);
    ASSERT_TRUE(resolved.ok()) << resolved.error().message;
    EXPECT_EQ(resolved->node_path, path);
}

// A node with one config file and a link to it; GetParam(): dry run or not.
class NodeViewTest : public ::testing::TestWithParam<bool> {
protected:
    void SetUp() override {
        m_root = m_tmp.path() + "/node";
        m_backup = m_tmp.path() + "/backup";
        test::write_file(m_root + "/etc/app/app.conf", "old\n");
        ASSERT_EQ(::symlink("app.conf", (m_root + "/etc/app/current").c_str()), 0);
    }
    bool dry_run() const { return GetParam(); }

    TempDir m_tmp;
    std::string m_root;
    std::string m_backup;
};

TEST_P(NodeViewTest, ANewFileIsListedAndHasItsSize) {
    RootFs fs(m_root);
    Transaction tx(fs, m_backup, dry_run());
    NodeView view(fs, &tx);
    ASSERT_TRUE(tx.write_file("/etc/app/new.conf", "twelve bytes", 0600, false).ok());
    expect_file(view, "/etc/app", "new.conf", "twelve bytes");
    auto st = view.stat("/etc/app/new.conf");
    EXPECT_EQ(st->mode, 0600u);
    // In a real fix the write is staged: its temporary file is no part of what the node would be.
    auto names = view.list_dir("/etc/app");
    ASSERT_TRUE(names.ok());
    EXPECT_EQ(*names, (std::vector<std::string>{"app.conf", "current", "new.conf"}));
    ASSERT_TRUE(tx.commit().ok());
    expect_file(view, "/etc/app", "new.conf", "twelve bytes");
    EXPECT_EQ(test::file_exists(m_root + "/etc/app/new.conf"), !dry_run());
}

TEST_P(NodeViewTest, AFileInANewFolderMakesTheFolder) {
    RootFs fs(m_root);
    Transaction tx(fs, m_backup, dry_run());
    NodeView view(fs, &tx);
    ASSERT_TRUE(tx.write_file("/etc/fresh/sub/x.conf", "x\n", 0644, false).ok());
    expect_file(view, "/etc/fresh/sub", "x.conf", "x\n");
    auto folder = view.stat("/etc/fresh");
    ASSERT_TRUE(folder.ok());
    EXPECT_EQ(folder->type, FileStat::Type::directory);
    EXPECT_TRUE(lists(view, "/etc", "fresh"));
    EXPECT_TRUE(lists(view, "/etc/fresh", "sub"));
}

TEST_P(NodeViewTest, AParkedFileIsAbsentToEveryReader) {
    RootFs fs(m_root);
    Transaction tx(fs, m_backup, dry_run());
    NodeView view(fs, &tx);
    ASSERT_TRUE(tx.park_file("/etc/app/app.conf").ok());
    expect_absent(view, "/etc/app", "app.conf");
    // Through the link too: it now leads to nothing.
    EXPECT_FALSE(view.read_file("/etc/app/current").ok());
    EXPECT_EQ(view.stat("/etc/app/current")->type, FileStat::Type::missing);
    EXPECT_EQ(view.stat("/etc/app/current", false)->type, FileStat::Type::symlink);
    // Under dry-run the disk still has it; in a real fix the disk agrees with the view.
    EXPECT_EQ(test::file_exists(m_root + "/etc/app/app.conf"), dry_run());
    ASSERT_TRUE(tx.unpark_file("/etc/app/app.conf").ok());
    expect_file(view, "/etc/app", "app.conf", "old\n");
}

TEST_P(NodeViewTest, AParkedLinkIsNotFollowed) {
    RootFs fs(m_root);
    Transaction tx(fs, m_backup, dry_run());
    NodeView view(fs, &tx);
    ASSERT_TRUE(tx.park_file("/etc/app/current").ok());
    expect_absent(view, "/etc/app", "current");
    expect_file(view, "/etc/app", "app.conf", "old\n");
    ASSERT_TRUE(tx.unpark_all().ok());
}

TEST_P(NodeViewTest, AFileWrittenAfterItsParkIsPresentAgain) {
    RootFs fs(m_root);
    Transaction tx(fs, m_backup, dry_run());
    NodeView view(fs, &tx);
    ASSERT_TRUE(tx.park_file("/etc/app/app.conf").ok());
    ASSERT_TRUE(tx.write_file("/etc/app/app.conf", "replacement\n", 0644, false).ok());
    expect_file(view, "/etc/app", "app.conf", "replacement\n");
    ASSERT_TRUE(tx.rollback().ok());
}

TEST_P(NodeViewTest, ASwappedLinkLeadsToItsNewTarget) {
    test::write_file(m_root + "/etc/app/next.conf", "next\n");
    RootFs fs(m_root);
    Transaction tx(fs, m_backup, dry_run());
    NodeView view(fs, &tx);
    ASSERT_TRUE(tx.replace_symlink("/etc/app/current", "next.conf").ok());
    EXPECT_EQ(*view.read_file("/etc/app/current"), "next\n");
    EXPECT_EQ(view.resolve("/etc/app/current")->node_path, "/etc/app/next.conf");
    EXPECT_EQ(view.stat("/etc/app/current")->size, 5u);
    auto link = view.stat("/etc/app/current", false);
    EXPECT_EQ(link->type, FileStat::Type::symlink);
    EXPECT_EQ(link->size, std::string("next.conf").size());
}

TEST_P(NodeViewTest, WithoutChangesTheViewIsTheFileSystem) {
    RootFs fs(m_root);
    Transaction tx(fs, m_backup, dry_run());
    for (const NodeView& view : {NodeView(fs), NodeView(fs, &tx)}) {
        EXPECT_EQ(*view.read_file("/etc/app/current"), *fs.read_file("/etc/app/current"));
        EXPECT_EQ(view.stat("/etc/app/current")->size, fs.stat("/etc/app/current")->size);
        EXPECT_EQ(view.stat("/etc/app/current", false)->type, FileStat::Type::symlink);
        EXPECT_EQ(*view.list_dir("/etc/app"), *fs.list_dir("/etc/app"));
        EXPECT_EQ(view.resolve("/etc/app/current")->node_path, fs.resolve("/etc/app/current")->node_path);
        EXPECT_EQ(view.list_dir("/nowhere").error().code, util::ErrorCode::not_found);
        EXPECT_EQ(view.resolve("/../../etc/app/app.conf")->node_path, "/etc/app/app.conf") << "stays in the root";
    }
}

INSTANTIATE_TEST_SUITE_P(DryRunAndRealFix, NodeViewTest, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& info) { return info.param ? "DryRun" : "RealFix"; });

} // namespace
} // namespace kubecert::host
