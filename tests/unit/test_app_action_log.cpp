// Report actions derived once from the transaction's records: one action per
// changed file, its status (planned, applied, rolled back) read from the
// record, commands in the order they ran, polls of one wait counted.
#include <gtest/gtest.h>

#include "app/action_log.hpp"
#include "host/transaction.hpp"
#include "test_support.hpp"

namespace kubecert::app {
namespace {

report::Action command(const std::string& line) {
    report::Action a;
    a.plugin = "p";
    a.target = line;
    a.status = report::ActionStatus::applied;
    return a;
}

class ActionLogTest : public ::testing::Test {
protected:
    void SetUp() override { test::write_file(m_root / "/etc/a.conf", "a\n"); }
    test::TempDir m_root;
    test::TempDir m_backup;
};

TEST_F(ActionLogTest, EditsComeFromTheRecordsInOrderWithCommands) {
    host::RootFs fs(m_root.path());
    host::Transaction txn(fs, m_backup.path() + "/b", false);
    ActionLog log;
    ASSERT_TRUE(txn.write_file("/etc/a.conf", "A\n", 0644, false).ok());
    log.note_edit(txn.records().back().id, "f1", "p");
    log.add_command(command("systemctl restart kubelet"));
    ASSERT_TRUE(txn.write_file("/etc/a.conf", "AA\n", 0644, false).ok());
    log.note_edit(txn.records().back().id, "f1", "p"); // the same file again: still one action
    auto actions = log.derive(&txn);
    ASSERT_EQ(actions.size(), 2u);
    EXPECT_EQ(actions[0].target, "/etc/a.conf");
    EXPECT_EQ(actions[0].finding, "f1");
    EXPECT_EQ(actions[0].status, report::ActionStatus::applied);
    EXPECT_NE(actions[0].detail.find("+AA"), std::string::npos) << "the latest diff: " << actions[0].detail;
    EXPECT_FALSE(actions[0].backup.empty());
    EXPECT_EQ(actions[1].kind, report::ActionKind::command);
    ASSERT_TRUE(txn.rollback().ok());
    EXPECT_EQ(log.derive(&txn)[0].status, report::ActionStatus::rolled_back) << "nothing but the record says so";
}

TEST_F(ActionLogTest, DryRunEditsArePlannedAndParkingIsDescribed) {
    host::RootFs fs(m_root.path());
    host::Transaction txn(fs, "/var/backups/kubecert/x", true, host::BackupPlace::in_root);
    ActionLog log;
    ASSERT_TRUE(txn.park_file("/etc/a.conf").ok());
    log.note_edit(txn.records().back().id, "f2", "p");
    auto actions = log.derive(&txn);
    ASSERT_EQ(actions.size(), 1u);
    EXPECT_EQ(actions[0].status, report::ActionStatus::planned);
    EXPECT_EQ(actions[0].detail.rfind("moved into ", 0), 0u) << actions[0].detail;
    EXPECT_TRUE(actions[0].backup.empty());
}

TEST_F(ActionLogTest, PollsOfOneWaitAreOneAction) {
    ActionLog log;
    log.add_poll("f", "p", "crictl ps", "exit code 1");
    log.add_poll("f", "p", "crictl ps", "exit code 0");
    log.close_poll();
    log.add_poll("f", "p", "crictl ps", "exit code 0");
    auto actions = log.derive(nullptr);
    ASSERT_EQ(actions.size(), 2u);
    EXPECT_EQ(actions[0].detail, "ran 2 times, last exit code 0");
    EXPECT_EQ(actions[1].detail, "ran 1 time, last exit code 0");
}

} // namespace
} // namespace kubecert::app
