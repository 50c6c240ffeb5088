#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "host/fix_lock.hpp"
#include "test_support.hpp"

namespace kubecert::host {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A forked child that takes the lock, says so on a pipe, then holds it for
// `hold` (or until killed). Returns its pid once it holds the lock.
pid_t spawn_holder(const std::string& lock_path, std::chrono::milliseconds hold) {
    int ready[2];
    if (::pipe(ready) != 0) return -1;
    pid_t pid = ::fork();
    if (pid == 0) {
        ::close(ready[0]);
        FixLock lock;
        char ok = lock.acquire(lock_path, 0ms).ok() ? '1' : '0';
        if (::write(ready[1], &ok, 1) != 1) ::_exit(2);
        ::usleep(static_cast<useconds_t>(hold.count() * 1000));
        ::_exit(0);
    }
    ::close(ready[1]);
    char ok = 0;
    if (::read(ready[0], &ok, 1) != 1 || ok != '1') pid = -1;
    ::close(ready[0]);
    return pid;
}

int reap(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return status;
}

TEST(FixLock, CreatesParentsAndWritesTheHolder) {
    test::TempDir dir;
    const std::string path = dir.path() + "/run/kubecert/fix.lock";
    FixLock lock;
    auto got = lock.acquire(path, 0ms);
    ASSERT_TRUE(got.ok()) << got.error().message;
    const std::string text = test::read_file(path);
    EXPECT_EQ(text.rfind("pid=" + std::to_string(::getpid()) + " cmd=", 0), 0u) << text;
    EXPECT_NE(text.find("kubecert-unit-tests"), std::string::npos) << text;
    lock.release();
    EXPECT_EQ(test::read_file(path), "");
}

TEST(FixLock, SecondAcquireWaitsThenNamesTheHolder) {
    test::TempDir dir;
    const std::string path = dir.path() + "/run/kubecert/fix.lock";
    pid_t holder = spawn_holder(path, 30s);
    ASSERT_GT(holder, 0);

    FixLock lock;
    const auto start = Clock::now();
    auto got = lock.acquire(path, 300ms);
    const auto waited = Clock::now() - start;
    ::kill(holder, SIGKILL);
    reap(holder);

    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.error().code, util::ErrorCode::timeout);
    EXPECT_NE(got.error().message.find("pid=" + std::to_string(holder)), std::string::npos) << got.error().message;
    EXPECT_NE(got.error().message.find("cmd="), std::string::npos) << got.error().message;
    EXPECT_GE(waited, 300ms);
    EXPECT_LT(waited, 5s);
}

TEST(FixLock, LockOfAKilledHolderIsFreeAtOnce) {
    test::TempDir dir;
    const std::string path = dir.path() + "/fix.lock";
    pid_t holder = spawn_holder(path, 30s);
    ASSERT_GT(holder, 0);
    ::kill(holder, SIGKILL);
    reap(holder);

    FixLock lock;
    const auto start = Clock::now();
    auto got = lock.acquire(path, 0ms);
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_LT(Clock::now() - start, 1s);
    EXPECT_EQ(test::read_file(path).rfind("pid=" + std::to_string(::getpid()), 0), 0u);
}

TEST(FixLock, WaiterGetsTheLockWhenTheHolderFinishes) {
    test::TempDir dir;
    const std::string path = dir.path() + "/fix.lock";
    pid_t holder = spawn_holder(path, 300ms);
    ASSERT_GT(holder, 0);
    FixLock lock;
    auto got = lock.acquire(path, 10s);
    reap(holder);
    ASSERT_TRUE(got.ok()) << got.error().message;
}

} // namespace
} // namespace kubecert::host
