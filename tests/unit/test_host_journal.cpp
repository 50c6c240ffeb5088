#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "host/journal.hpp"
#include "host/recovery.hpp"
#include "host/transaction.hpp"
#include "test_support.hpp"

namespace kubecert::host {
namespace {

TEST(Journal, FormatsAndParsesBack) {
    Journal j;
    j.entries = {{"/etc/a.conf", "files/etc/a.conf"}, {"/etc/new.conf", "-"}};
    j.renames = {{"/etc/.a.conf.kubecert-abc123", "/etc/a.conf"}};
    for (auto state : {Journal::State::in_progress, Journal::State::complete, Journal::State::rolled_back}) {
        j.state = state;
        auto back = parse_journal(format_journal(j), "MANIFEST");
        ASSERT_TRUE(back.ok()) << back.error().message;
        EXPECT_EQ(back->state, state);
        ASSERT_EQ(back->entries.size(), 2u);
        EXPECT_EQ(back->entries[1].ref, "-");
        ASSERT_EQ(back->renames.size(), 1u);
        EXPECT_EQ(back->renames[0].temp_path, "/etc/.a.conf.kubecert-abc123");
    }
}

TEST(Journal, AManifestOfAnOlderVersionIsNeverRecovered) {
    auto legacy = parse_journal("/etc/a.conf\tfiles/etc/a.conf\n", "MANIFEST");
    ASSERT_TRUE(legacy.ok());
    EXPECT_EQ(legacy->state, Journal::State::legacy);
    // Without the header, a "rename" line is no journal keyword.
    EXPECT_FALSE(parse_journal("rename\t/a\t/b\n", "MANIFEST").ok());
}

TEST(Journal, MalformedLinesNameTheLine) {
    auto bad = parse_journal("kubecert-journal 1\n/etc/a\tfiles/a\nrename\trelative\t/etc/a\n", "B/MANIFEST");
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("B/MANIFEST:3:"), std::string::npos) << bad.error().message;
    EXPECT_FALSE(parse_journal("kubecert-journal 1\n/etc/a\t../../x\n", "M").ok());
    EXPECT_FALSE(parse_journal("kubecert-journal 1\nstate\tmaybe\n", "M").ok());
}

// A fix that dies after its renames but before its completion mark (as a
// SIGKILL would leave it) is found and rolled back; a hostile rename line
// cannot make recovery remove a file that is not a kubecert temporary file.
TEST(Recovery, AnInterruptedFixIsFoundRolledBackAndMarked) {
    test::TempDir tmp;
    const std::string root = tmp.path() + "/node";
    test::write_file(root + "/etc/a.conf", "old a\n");
    test::write_file(root + "/etc/b.conf", "old b\n");
    RootFs fs(root);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        Transaction tx(fs, std::string(k_default_backup_root) + "/20260101T000000Z", false, BackupPlace::in_root);
        bool ok = tx.write_file("/etc/a.conf", "new a\n", 0644, false).ok() &&
                  tx.write_file("/etc/b.conf", "new b\n", 0644, false).ok() && tx.commit().ok();
        ::_exit(ok ? 0 : 1); // no finish(), no destructor: as if killed
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ASSERT_EQ(test::read_file(root + "/etc/a.conf"), "new a\n");
    const std::string backup = root + "/var/backups/kubecert/20260101T000000Z";
    // A leftover temporary file the journal names, and a hostile line naming another file.
    test::write_file(root + "/etc/.b.conf.kubecert-zzzzzz", "new key material\n", 0600);
    test::write_file(root + "/etc/keep.conf", "keep\n");
    std::string manifest = test::read_file(backup + "/MANIFEST");
    manifest += "rename\t/etc/.b.conf.kubecert-zzzzzz\t/etc/b.conf\nrename\t/etc/keep.conf\t/etc/b.conf\n";
    test::write_file(backup + "/MANIFEST", manifest, 0600);

    auto found = find_interrupted_fixes(fs, "");
    ASSERT_TRUE(found.ok()) << found.error().message;
    ASSERT_EQ(found->size(), 1u);
    EXPECT_EQ(found->front().backup_dir, backup);
    auto restored = roll_back_interrupted_fix(fs, found->front());
    ASSERT_TRUE(restored.ok()) << restored.error().message;
    EXPECT_EQ(test::read_file(root + "/etc/a.conf"), "old a\n");
    EXPECT_EQ(test::read_file(root + "/etc/b.conf"), "old b\n");
    EXPECT_FALSE(test::file_exists(root + "/etc/.b.conf.kubecert-zzzzzz"));
    EXPECT_TRUE(test::file_exists(root + "/etc/keep.conf"));
    for (const auto& e : std::filesystem::directory_iterator(root + "/etc"))
        EXPECT_EQ(e.path().filename().string().find(".kubecert-"), std::string::npos) << e.path();
    EXPECT_NE(test::read_file(backup + "/MANIFEST").find("state\trolled-back\n"), std::string::npos);
    auto again = find_interrupted_fixes(fs, "");
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->empty()) << "rolled back once, never again";
}

TEST(Recovery, ACompletedFixIsLeftAlone) {
    test::TempDir tmp;
    const std::string root = tmp.path() + "/node";
    test::write_file(root + "/etc/a.conf", "old a\n");
    RootFs fs(root);
    {
        Transaction tx(fs, std::string(k_default_backup_root) + "/x", false, BackupPlace::in_root);
        ASSERT_TRUE(tx.write_file("/etc/a.conf", "new a\n", 0644, false).ok());
        ASSERT_TRUE(tx.finish().ok());
    }
    auto found = find_interrupted_fixes(fs, "");
    ASSERT_TRUE(found.ok());
    EXPECT_TRUE(found->empty());
    EXPECT_EQ(test::read_file(root + "/etc/a.conf"), "new a\n");
}

} // namespace
} // namespace kubecert::host
