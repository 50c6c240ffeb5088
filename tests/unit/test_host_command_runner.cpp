#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "host/command_runner.hpp"
#include "test_support.hpp"

namespace kubecert::host {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(CommandRunner, CapturesOutputAndExitCode) {
    test::TempDir dir;
    test::write_script(dir.path(), "tool", "#!/bin/sh\necho \"out:$1\"\necho \"err:$2\" >&2\nexit 3\n");
    auto run = run_command({dir.path() + "/tool", "a b", "$HOME;rm"}, 10s);
    ASSERT_TRUE(run.ok()) << run.error().message;
    EXPECT_EQ(run->exit_code, 3);
    EXPECT_FALSE(run->timed_out);
    // Arguments arrive as they are: no shell splitting or expansion.
    EXPECT_EQ(run->out, "out:a b\n");
    EXPECT_EQ(run->err, "err:$HOME;rm\n");
}

TEST(CommandRunner, FindsProgramsOnPath) {
    auto run = run_command({"printf", "%s-%s", "x", "y"}, 10s);
    ASSERT_TRUE(run.ok()) << run.error().message;
    EXPECT_EQ(run->exit_code, 0);
    EXPECT_EQ(run->out, "x-y");
}

TEST(CommandRunner, MissingProgramIsNotFound) {
    auto run = run_command({"kubecert-no-such-program-xyz"}, 10s);
    ASSERT_FALSE(run.ok());
    EXPECT_EQ(run.error().code, util::ErrorCode::not_found);
    EXPECT_EQ(run.error().message, "command kubecert-no-such-program-xyz: not found on PATH");
    auto by_path = run_command({"/nonexistent/bin/tool"}, 10s);
    ASSERT_FALSE(by_path.ok());
    EXPECT_EQ(by_path.error().code, util::ErrorCode::not_found);
}

TEST(CommandRunner, StdinIsDevNull) {
    auto run = run_command({"sh", "-c", "cat; echo done"}, 10s);
    ASSERT_TRUE(run.ok());
    EXPECT_EQ(run->out, "done\n");
    EXPECT_FALSE(run->timed_out);
}

TEST(CommandRunner, LargeOutputOnBothStreamsDoesNotDeadlock) {
    // 2 MiB on each pipe, interleaved: far more than a pipe buffer holds.
    auto run = run_command({"sh", "-c",
                            "i=0; while [ $i -lt 64 ]; do head -c 32768 /dev/zero | tr '\\0' o; "
                            "head -c 32768 /dev/zero | tr '\\0' e >&2; i=$((i+1)); done"},
                           60s);
    ASSERT_TRUE(run.ok()) << run.error().message;
    EXPECT_EQ(run->exit_code, 0);
    EXPECT_EQ(run->out.size(), 64u * 32768u);
    EXPECT_EQ(run->err.size(), 64u * 32768u);
    EXPECT_EQ(run->out.find_first_not_of('o'), std::string::npos);
    EXPECT_EQ(run->err.find_first_not_of('e'), std::string::npos);
}

TEST(CommandRunner, StreamsOutputToTheCallback) {
    std::string seen;
    auto run =
        run_command({"sh", "-c", "echo one; echo two >&2"}, 10s, [&](const std::string& chunk) { seen += chunk; });
    ASSERT_TRUE(run.ok());
    EXPECT_NE(seen.find("one\n"), std::string::npos);
    EXPECT_NE(seen.find("two\n"), std::string::npos);
}

TEST(CommandRunner, TimeoutKillsTheWholeProcessGroup) {
    test::TempDir dir;
    const std::string pidfile = dir.path() + "/child.pid";
    // The background sleep keeps the pipes open: only a group kill ends it.
    const auto start = Clock::now();
    auto run = run_command({"sh", "-c", "sleep 30 & echo $! > " + pidfile + "; echo started; wait"}, 500ms);
    const auto took = Clock::now() - start;
    ASSERT_TRUE(run.ok()) << run.error().message;
    EXPECT_TRUE(run->timed_out);
    EXPECT_EQ(run->exit_code, -1);
    EXPECT_EQ(run->out, "started\n");
    EXPECT_LT(took, 5s);
    int child = std::atoi(test::read_file(pidfile).c_str());
    ASSERT_GT(child, 0);
    // The grandchild is gone too (or a zombie about to be reaped by init);
    // the kernel may take a moment to deliver the kill on a loaded machine.
    std::string line, state;
    for (int i = 0; i < 100; ++i) {
        std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
        if (!std::getline(stat, line)) {
            state = "gone";
            break;
        }
        state = line.substr(line.rfind(')') + 2, 1);
        if (state == "Z") break;
        std::this_thread::sleep_for(20ms);
    }
    EXPECT_TRUE(state == "gone" || state == "Z") << line;
}

TEST(CommandRunner, ProcessIgnoringTermIsKilledAfterTheGrace) {
    const auto start = Clock::now();
    auto run = run_command({"sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.1; done"}, 300ms);
    const auto took = Clock::now() - start;
    ASSERT_TRUE(run.ok());
    EXPECT_TRUE(run->timed_out);
    EXPECT_EQ(run->exit_code, -1);
    EXPECT_GE(took, 2s);
    EXPECT_LT(took, 8s);
}

TEST(CommandRunner, SignalledProcessHasNoExitCode) {
    auto run = run_command({"sh", "-c", "kill -9 $$"}, 10s);
    ASSERT_TRUE(run.ok());
    EXPECT_FALSE(run->timed_out);
    EXPECT_EQ(run->exit_code, -1);
}

TEST(CommandRunner, QuoteCommandQuotesOnlyWhenNeeded) {
    EXPECT_EQ(quote_command({"systemctl", "restart", "kubelet.service"}), "systemctl restart kubelet.service");
    EXPECT_EQ(quote_command({"a", "b c", "", "it's"}), "a 'b c' '' 'it'\\''s'");
}

} // namespace
} // namespace kubecert::host
