#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "host/transaction.hpp"
#include "test_support.hpp"

namespace kubecert::host {
namespace {

using test::TempDir;

struct StatInfo {
    unsigned mode;
    unsigned uid;
    unsigned gid;
};

StatInfo stat_of(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return {static_cast<unsigned>(st.st_mode & 07777), st.st_uid, st.st_gid};
}

// A node root and a backup folder side by side in one temp folder.
class TransactionTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_root = m_tmp.path() + "/node";
        m_backup = m_tmp.path() + "/backup/20260101T000000Z";
        std::filesystem::create_directories(m_root);
        test::write_file(m_root + "/etc/a.conf", "a1\na2\na3\n");
        test::write_file(m_root + "/etc/b.conf", "b1\nb2\n", 0640);
    }
    std::string node(const std::string& p) const { return m_root + p; }

    TempDir m_tmp;
    std::string m_root;
    std::string m_backup;
};

TEST_F(TransactionTest, FailureAfterSecondOfThreeEditsRollsBackAll) {
    // The third target is a folder, so its write fails after two files changed.
    std::filesystem::create_directories(node("/etc/c.conf"));
    RootFs fs(m_root);
    Transaction tx(fs, m_backup, false);
    auto first = tx.write_file("/etc/a.conf", "A\n", 0644, false);
    ASSERT_TRUE(first.ok()) << first.error().message;
    auto second = tx.write_file("/etc/new.conf", "created\n", 0600, false);
    ASSERT_TRUE(second.ok()) << second.error().message;
    ASSERT_TRUE(tx.commit().ok());
    ASSERT_EQ(test::read_file(node("/etc/a.conf")), "A\n");
    ASSERT_TRUE(test::file_exists(node("/etc/new.conf")));

    auto third = tx.write_file("/etc/c.conf", "C\n", 0644, false);
    ASSERT_FALSE(third.ok());
    EXPECT_NE(third.error().message.find("/etc/c.conf"), std::string::npos) << third.error().message;
    EXPECT_NE(third.error().message.find("a folder where a file was expected"), std::string::npos)
        << third.error().message;

    auto rolled = tx.rollback();
    ASSERT_TRUE(rolled.ok()) << rolled.error().message;
    EXPECT_EQ(test::read_file(node("/etc/a.conf")), "a1\na2\na3\n");
    EXPECT_FALSE(test::file_exists(node("/etc/new.conf")));
    EXPECT_EQ(test::read_file(node("/etc/b.conf")), "b1\nb2\n");
    EXPECT_TRUE(std::filesystem::is_directory(node("/etc/c.conf")));
    ASSERT_EQ(tx.records().size(), 2u);
    for (const auto& r : tx.records()) EXPECT_TRUE(r.rolled_back) << r.node_path;
}

TEST_F(TransactionTest, RollbackRemovesFoldersMadeForNewFilesButNotOthers) {
    RootFs fs(m_root);
    Transaction tx(fs, m_backup, false);
    ASSERT_TRUE(tx.write_file("/root/.kube/config", "new\n", 0600, false).ok());
    ASSERT_TRUE(tx.write_file("/etc/deep/er/x.conf", "x\n", 0644, false).ok());
    ASSERT_TRUE(std::filesystem::is_directory(node("/etc/deep/er")));
    // Someone else's file appears in a folder the fix made: that folder stays.
    test::write_file(node("/root/other"), "keep\n");
    ASSERT_TRUE(tx.rollback().ok());
    EXPECT_FALSE(test::file_exists(node("/etc/deep"))) << "the folders made for x.conf are gone";
    EXPECT_FALSE(test::file_exists(node("/root/.kube")));
    EXPECT_TRUE(test::file_exists(node("/root/other")));
    EXPECT_TRUE(std::filesystem::is_directory(node("/etc"))) << "a folder that existed before stays";
}

TEST_F(TransactionTest, RollbackRestoresEveryChangedFileIncludingRepeatedEdits) {
    RootFs fs(m_root);
    Transaction tx(fs, m_backup, false);
    ASSERT_TRUE(tx.write_file("/etc/a.conf", "first\n", 0644, false).ok());
    ASSERT_TRUE(tx.write_file("/etc/b.conf", "B\n", 0644, false).ok());
    ASSERT_TRUE(tx.write_file("/etc/c.conf", "C\n", 0644, false).ok());
    ASSERT_TRUE(tx.write_file("/etc/a.conf", "second\n", 0644, false).ok());
    ASSERT_EQ(tx.records().size(), 3u);
    // The latest change is the last record, and its diff still starts from the original.
    EXPECT_EQ(tx.records().back().node_path, "/etc/a.conf");
    EXPECT_EQ(tx.records().back().diff, "--- a/etc/a.conf\n+++ b/etc/a.conf\n@@ -1,3 +1 @@\n-a1\n-a2\n-a3\n+second\n");
    ASSERT_TRUE(tx.rollback().ok());
    EXPECT_FALSE(test::file_exists(node("/etc/c.conf")));
    EXPECT_EQ(test::read_file(node("/etc/a.conf")), "a1\na2\na3\n");
    EXPECT_EQ(test::read_file(node("/etc/b.conf")), "b1\nb2\n");
    EXPECT_EQ(stat_of(node("/etc/b.conf")).mode, 0640u);
}

TEST_F(TransactionTest, BackupAndRestoreRoundTrip) {
    RootFs fs(m_root);
    {
        Transaction tx(fs, m_backup, false);
        ASSERT_TRUE(tx.write_file("/etc/a.conf", "changed\n", 0644, false).ok());
        ASSERT_TRUE(tx.write_file("/etc/kubernetes/new.yaml", "new: true\n", 0600, false).ok());
        ASSERT_TRUE(tx.finish().ok());
        ASSERT_TRUE(tx.records()[0].applied);
        EXPECT_EQ(tx.records()[0].backup_path, m_backup + "/files/etc/a.conf");
        EXPECT_TRUE(tx.records()[1].created);
        EXPECT_EQ(tx.records()[1].backup_path, "");
    }
    EXPECT_EQ(test::read_file(m_backup + "/files/etc/a.conf"), "a1\na2\na3\n");
    const std::string manifest = test::read_file(m_backup + "/MANIFEST");
    EXPECT_EQ(manifest.rfind("kubecert-journal 1\n/etc/a.conf\tfiles/etc/a.conf\n/etc/kubernetes/new.yaml\t-\n", 0), 0u)
        << manifest;
    EXPECT_NE(manifest.find("rename\t/etc/.a.conf.kubecert-"), std::string::npos) << manifest;
    EXPECT_NE(manifest.find("\t/etc/kubernetes/new.yaml\n"), std::string::npos) << manifest;
    EXPECT_EQ(manifest.substr(manifest.size() - 15), "state\tcomplete\n") << manifest;
    EXPECT_EQ(stat_of(m_backup).mode, 0700u);

    auto restored = restore_backup(fs, m_backup);
    ASSERT_TRUE(restored.ok()) << restored.error().message;
    EXPECT_EQ(*restored, (std::vector<std::string>{"/etc/kubernetes/new.yaml", "/etc/a.conf"}));
    EXPECT_EQ(test::read_file(node("/etc/a.conf")), "a1\na2\na3\n");
    EXPECT_EQ(stat_of(node("/etc/a.conf")).mode, 0644u);
    EXPECT_FALSE(test::file_exists(node("/etc/kubernetes/new.yaml")));
}

TEST_F(TransactionTest, RestoreRefusesAManifestPointingOutsideTheBackup) {
    RootFs fs(m_root);
    test::write_file(m_backup + "/MANIFEST", "/etc/a.conf\tfiles/etc/a.conf\n/etc/b.conf\t../../secret\n");
    auto restored = restore_backup(fs, m_backup);
    ASSERT_FALSE(restored.ok());
    EXPECT_EQ(restored.error().code, util::ErrorCode::parse);
    EXPECT_NE(restored.error().message.find("MANIFEST:2:"), std::string::npos) << restored.error().message;
    EXPECT_EQ(test::read_file(node("/etc/a.conf")), "a1\na2\na3\n");
}

TEST_F(TransactionTest, OwnerAndModeAreKept) {
    test::write_file(node("/etc/kubernetes/pki/apiserver.key"), "old key\n", 0600);
    const bool as_root = ::geteuid() == 0;
    if (as_root) {
        ASSERT_EQ(::chown(node("/etc/kubernetes/pki/apiserver.key").c_str(), 4242, 4343), 0);
    }
    const StatInfo before = stat_of(node("/etc/kubernetes/pki/apiserver.key"));

    RootFs fs(m_root);
    Transaction tx(fs, m_backup, false);
    auto written = tx.write_file("/etc/kubernetes/pki/apiserver.key", "new key\n", 0644, false);
    ASSERT_TRUE(written.ok()) << written.error().message;
    EXPECT_TRUE(*written);
    ASSERT_TRUE(tx.commit().ok());
    const StatInfo after = stat_of(node("/etc/kubernetes/pki/apiserver.key"));
    EXPECT_EQ(test::read_file(node("/etc/kubernetes/pki/apiserver.key")), "new key\n");
    EXPECT_EQ(after.mode, 0600u);
    EXPECT_EQ(after.uid, before.uid);
    EXPECT_EQ(after.gid, before.gid);
    if (as_root) {
        EXPECT_EQ(after.uid, 4242u);
    }
    // The backup copy keeps the original's mode too (it is a private key).
    const StatInfo copy = stat_of(m_backup + "/files/etc/kubernetes/pki/apiserver.key");
    EXPECT_EQ(copy.mode, 0600u);
    // No temporary file left next to it.
    auto names = fs.list_dir("/etc/kubernetes/pki");
    ASSERT_TRUE(names.ok());
    EXPECT_EQ(*names, std::vector<std::string>{"apiserver.key"});

    // Forcing a mode changes it, even with identical content.
    auto forced = tx.write_file("/etc/kubernetes/pki/apiserver.key", "new key\n", 0400, true);
    ASSERT_TRUE(forced.ok());
    EXPECT_TRUE(*forced);
    ASSERT_TRUE(tx.commit().ok());
    EXPECT_EQ(stat_of(node("/etc/kubernetes/pki/apiserver.key")).mode, 0400u);

    ASSERT_TRUE(tx.rollback().ok());
    const StatInfo restored = stat_of(node("/etc/kubernetes/pki/apiserver.key"));
    EXPECT_EQ(restored.mode, 0600u);
    EXPECT_EQ(restored.uid, before.uid);
    EXPECT_EQ(test::read_file(node("/etc/kubernetes/pki/apiserver.key")), "old key\n");
}

TEST_F(TransactionTest, NewFileGetsTheGivenMode) {
    RootFs fs(m_root);
    Transaction tx(fs, m_backup, false);
    ASSERT_TRUE(tx.write_file("/var/lib/kubelet/pki/new.pem", "x\n", 0600, false).ok());
    ASSERT_TRUE(tx.commit().ok());
    EXPECT_EQ(stat_of(node("/var/lib/kubelet/pki/new.pem")).mode, 0600u);
    EXPECT_EQ(tx.records()[0].diff, "--- /dev/null\n+++ b/var/lib/kubelet/pki/new.pem\n@@ -0,0 +1 @@\n+x\n");
}

TEST_F(TransactionTest, IdenticalContentIsANoOp) {
    RootFs fs(m_root);
    Transaction tx(fs, m_backup, false);
    auto same = tx.write_file("/etc/a.conf", "a1\na2\na3\n", 0600, false);
    ASSERT_TRUE(same.ok());
    EXPECT_FALSE(*same);
    EXPECT_TRUE(tx.records().empty());
    EXPECT_FALSE(test::file_exists(m_backup));
    EXPECT_EQ(stat_of(node("/etc/a.conf")).mode, 0644u);
}

TEST_F(TransactionTest, WritesThroughASymlinkChangeTheTargetAndKeepTheLink) {
    ASSERT_EQ(::symlink("/etc/a.conf", node("/etc/link.conf").c_str()), 0);
    RootFs fs(m_root);
    Transaction tx(fs, m_backup, false);
    ASSERT_TRUE(tx.write_file("/etc/link.conf", "via link\n", 0644, false).ok());
    ASSERT_TRUE(tx.commit().ok());
    EXPECT_EQ(tx.records()[0].node_path, "/etc/a.conf");
    EXPECT_EQ(test::read_file(node("/etc/a.conf")), "via link\n");
    EXPECT_TRUE(std::filesystem::is_symlink(node("/etc/link.conf")));
}

TEST_F(TransactionTest, DryRunWritesNothingAndShowsDiffs) {
    const auto before = test::snapshot_tree(m_tmp.path());
    RootFs fs(m_root);
    Transaction tx(fs, m_backup, true);
    auto edit = tx.write_file("/etc/a.conf", "a1\nA2\na3\n", 0644, false);
    ASSERT_TRUE(edit.ok());
    EXPECT_TRUE(*edit);
    ASSERT_TRUE(tx.write_file("/etc/new.conf", "n1\nn2", 0600, false).ok());
    ASSERT_TRUE(tx.backup_file("/etc/b.conf").ok());
    ASSERT_TRUE(tx.park_file("/etc/b.conf").ok());

    // Later reads of this fix see the planned state.
    EXPECT_EQ(*tx.read_file("/etc/a.conf"), "a1\nA2\na3\n");
    EXPECT_EQ(*tx.read_file("/etc/new.conf"), "n1\nn2");
    auto parked = tx.read_file("/etc/b.conf");
    ASSERT_FALSE(parked.ok());
    EXPECT_EQ(parked.error().code, util::ErrorCode::not_found);

    ASSERT_TRUE(tx.unpark_all().ok());
    EXPECT_EQ(*tx.read_file("/etc/b.conf"), "b1\nb2\n");

    ASSERT_GE(tx.records().size(), 2u);
    EXPECT_FALSE(tx.records()[0].applied);
    EXPECT_EQ(tx.records()[0].diff, "--- a/etc/a.conf\n+++ b/etc/a.conf\n@@ -1,3 +1,3 @@\n a1\n-a2\n+A2\n a3\n");
    EXPECT_TRUE(tx.records()[1].created);
    EXPECT_EQ(tx.records()[1].diff,
              "--- /dev/null\n+++ b/etc/new.conf\n@@ -0,0 +1,2 @@\n+n1\n+n2\n\\ No newline at end of file\n");
    ASSERT_TRUE(tx.write_manifest().ok());
    ASSERT_TRUE(tx.rollback().ok());

    EXPECT_EQ(test::snapshot_tree(m_tmp.path()), before);
    EXPECT_FALSE(test::file_exists(m_tmp.path() + "/backup"));
}

TEST_F(TransactionTest, ParkMovesIntoTheBackupAndBack) {
    RootFs fs(m_root);
    Transaction tx(fs, m_backup, false);
    ASSERT_TRUE(tx.park_file("/etc/b.conf").ok());
    EXPECT_FALSE(test::file_exists(node("/etc/b.conf")));
    EXPECT_EQ(test::read_file(m_backup + "/parked/etc/b.conf"), "b1\nb2\n");
    EXPECT_FALSE(tx.read_file("/etc/b.conf").ok());
    ASSERT_TRUE(tx.unpark_file("/etc/b.conf").ok());
    EXPECT_EQ(test::read_file(node("/etc/b.conf")), "b1\nb2\n");
    EXPECT_EQ(stat_of(node("/etc/b.conf")).mode, 0640u);
    EXPECT_FALSE(test::file_exists(m_backup + "/parked/etc/b.conf"));
    auto again = tx.unpark_file("/etc/b.conf");
    EXPECT_FALSE(again.ok());
}

TEST_F(TransactionTest, RollbackUnparksAndRemovesAReplacement) {
    RootFs fs(m_root);
    Transaction tx(fs, m_backup, false);
    ASSERT_TRUE(tx.park_file("/etc/b.conf").ok());
    auto replaced = tx.write_file("/etc/b.conf", "replacement\n", 0644, false);
    ASSERT_TRUE(replaced.ok()) << replaced.error().message;
    ASSERT_TRUE(tx.commit().ok());
    EXPECT_EQ(test::read_file(node("/etc/b.conf")), "replacement\n");
    ASSERT_TRUE(tx.rollback().ok());
    EXPECT_EQ(test::read_file(node("/etc/b.conf")), "b1\nb2\n");
    EXPECT_FALSE(test::file_exists(m_backup + "/parked/etc/b.conf"));
}

TEST_F(TransactionTest, EditParkAndReplaceOfOneFileUndoInOrder) {
    RootFs fs(m_root);
    {
        Transaction tx(fs, m_backup, false);
        ASSERT_TRUE(tx.write_file("/etc/b.conf", "edited\n", 0644, false).ok());
        ASSERT_TRUE(tx.park_file("/etc/b.conf").ok());
        ASSERT_TRUE(tx.write_file("/etc/b.conf", "replacement\n", 0644, false).ok());
        EXPECT_TRUE(tx.records().back().created);
        ASSERT_TRUE(tx.rollback().ok());
        EXPECT_EQ(test::read_file(node("/etc/b.conf")), "b1\nb2\n");
    }
    {
        // The same sequence left in place, then undone with `kubecert restore`.
        Transaction tx(fs, m_backup + "-2", false);
        ASSERT_TRUE(tx.write_file("/etc/b.conf", "edited\n", 0644, false).ok());
        ASSERT_TRUE(tx.park_file("/etc/b.conf").ok());
        ASSERT_TRUE(tx.write_file("/etc/b.conf", "replacement\n", 0644, false).ok());
    }
    auto restored = restore_backup(fs, m_backup + "-2");
    ASSERT_TRUE(restored.ok()) << restored.error().message;
    EXPECT_EQ(test::read_file(node("/etc/b.conf")), "b1\nb2\n");
    EXPECT_EQ(stat_of(node("/etc/b.conf")).mode, 0640u);
}

TEST_F(TransactionTest, RestoreBringsBackAFileLeftParkedByACrash) {
    RootFs fs(m_root);
    {
        Transaction tx(fs, m_backup, false);
        ASSERT_TRUE(tx.park_file("/etc/b.conf").ok());
        // The run dies here: no unpark_all().
    }
    EXPECT_FALSE(test::file_exists(node("/etc/b.conf")));
    auto restored = restore_backup(fs, m_backup);
    ASSERT_TRUE(restored.ok()) << restored.error().message;
    EXPECT_EQ(*restored, std::vector<std::string>{"/etc/b.conf"});
    EXPECT_EQ(test::read_file(node("/etc/b.conf")), "b1\nb2\n");
}

TEST_F(TransactionTest, BackupFileCopiesWithoutChangingAndRollbackRestoresIt) {
    RootFs fs(m_root);
    Transaction tx(fs, m_backup, false);
    ASSERT_TRUE(tx.backup_file("/etc/b.conf").ok());
    EXPECT_EQ(test::read_file(m_backup + "/files/etc/b.conf"), "b1\nb2\n");
    // Something outside the transaction (a command) changes it, then the fix fails.
    test::write_file(node("/etc/b.conf"), "changed by a command\n", 0640);
    ASSERT_TRUE(tx.rollback().ok());
    EXPECT_EQ(test::read_file(node("/etc/b.conf")), "b1\nb2\n");
    EXPECT_FALSE(tx.backup_file("/etc/missing").ok());
}

// The folder of a staged write is swapped for a link to a folder outside the
// root before the rename: the rename is refused and nothing lands outside.
TEST_F(TransactionTest, AFolderSwappedForALinkOutBeforeTheRenameWritesNothingOutside) {
    test::write_file(node("/etc/pki/etcd/server.key"), "old key\n", 0600);
    const std::string outside = m_tmp.path() + "/outside";
    std::filesystem::create_directories(outside);
    RootFs fs(m_root);
    Transaction tx(fs, m_backup, false);
    ASSERT_TRUE(tx.write_file("/etc/pki/etcd/server.key", "new key\n", 0600, false).ok());
    std::filesystem::rename(node("/etc/pki/etcd"), node("/etc/pki/etcd.real"));
    std::filesystem::create_directory_symlink(outside, node("/etc/pki/etcd"));
    auto committed = tx.commit();
    EXPECT_FALSE(committed.ok());
    EXPECT_TRUE(std::filesystem::is_empty(outside));
    (void)tx.rollback(); // may fail: the folder is still a link
    EXPECT_TRUE(std::filesystem::is_empty(outside));
    EXPECT_EQ(test::read_file(node("/etc/pki/etcd.real/server.key")), "old key\n");
}

TEST_F(TransactionTest, BackupFolderInTheRootFollowsLinksInsideItOnly) {
    const std::string outside = m_tmp.path() + "/outside";
    std::filesystem::create_directories(outside);
    std::filesystem::create_directories(node("/var"));
    std::filesystem::create_directory_symlink(outside, node("/var/backups"));
    RootFs fs(m_root);
    {
        Transaction tx(fs, "/var/backups/kubecert/1", false, BackupPlace::in_root);
        auto written = tx.write_file("/etc/a.conf", "A\n", 0644, false);
        ASSERT_FALSE(written.ok());
        EXPECT_NE(written.error().message.find("/var/backups is a symbolic link to " + outside), std::string::npos)
            << written.error().message;
    }
    EXPECT_TRUE(std::filesystem::is_empty(outside));
    EXPECT_EQ(test::read_file(node("/etc/a.conf")), "a1\na2\na3\n");
    // A link to a folder inside the root is followed there.
    std::filesystem::remove(node("/var/backups"));
    std::filesystem::create_directories(node("/srv/b"));
    std::filesystem::create_directory_symlink("/srv/b", node("/var/backups"));
    Transaction tx(fs, "/var/backups/kubecert/1", false, BackupPlace::in_root);
    ASSERT_TRUE(tx.write_file("/etc/a.conf", "A\n", 0644, false).ok());
    ASSERT_TRUE(tx.finish().ok());
    EXPECT_EQ(test::read_file(node("/srv/b/kubecert/1/files/etc/a.conf")), "a1\na2\na3\n");
    EXPECT_EQ(stat_of(node("/srv/b/kubecert/1")).mode, 0700u);
    EXPECT_EQ(tx.backup_dir(), node("/srv/b/kubecert/1"));
}

TEST(UnifiedDiff, IdenticalTextsGiveNoDiff) {
    EXPECT_EQ(unified_diff("/x", "a\nb\n", "a\nb\n"), "");
}

TEST(UnifiedDiff, ContextAndSeparateHunks) {
    std::string before, after;
    for (int i = 1; i <= 20; ++i) {
        before += "l" + std::to_string(i) + "\n";
        after += (i == 2 ? "L2" : i == 18 ? "L18" : "l" + std::to_string(i)) + "\n";
    }
    EXPECT_EQ(unified_diff("/etc/f", before, after), "--- a/etc/f\n+++ b/etc/f\n"
                                                     "@@ -1,5 +1,5 @@\n l1\n-l2\n+L2\n l3\n l4\n l5\n"
                                                     "@@ -15,6 +15,6 @@\n l15\n l16\n l17\n-l18\n+L18\n l19\n l20\n");
}

TEST(UnifiedDiff, MissingFinalNewlineIsMarked) {
    EXPECT_EQ(unified_diff("/f", "a\nb", "a\nb\n"),
              "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n");
}

TEST(UnifiedDiff, PatchAppliesIt) {
    TempDir dir;
    const std::string before = "apiVersion: v1\nkind: Config\nusers:\n- name: a\n  token: x\nx\ny\nz\nw\nlast";
    const std::string after =
        "apiVersion: v1\nkind: Config\nusers:\n- name: a\n  client-certificate: /p\nx\ny\nz\nnew\nw\n";
    test::write_file(dir.path() + "/f", before);
    test::write_file(dir.path() + "/f.diff", unified_diff("/f", before, after));
    auto result = test::run({"patch", "-s", "-u", dir.path() + "/f", dir.path() + "/f.diff"});
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_EQ(test::read_file(dir.path() + "/f"), after);
}

TEST(UnifiedDiff, PatchAppliesItToManyVariedEdits) {
    TempDir dir;
    unsigned seed = 12345;
    auto next = [&] { return (seed = seed * 1103515245u + 12345u) >> 16; };
    for (int round = 0; round < 25; ++round) {
        std::string before, after;
        const unsigned lines = 1 + next() % 40;
        for (unsigned i = 0; i < lines; ++i) {
            const std::string line = "line " + std::to_string(next() % 6);
            const unsigned what = next() % 10;
            if (what != 0) before += line + "\n";
            if (what == 1)
                after += "changed " + std::to_string(i) + "\n";
            else if (what != 2)
                after += line + "\n";
        }
        if (next() % 3 == 0 && !after.empty()) after.pop_back(); // no final newline
        test::write_file(dir.path() + "/f", before);
        test::write_file(dir.path() + "/f.diff", unified_diff("/f", before, after));
        auto result = test::run({"patch", "-s", "-u", dir.path() + "/f", dir.path() + "/f.diff"});
        ASSERT_EQ(result.exit_code, 0) << "round " << round << result.out << result.err;
        ASSERT_EQ(test::read_file(dir.path() + "/f"), after) << "round " << round;
    }
}

} // namespace
} // namespace kubecert::host
