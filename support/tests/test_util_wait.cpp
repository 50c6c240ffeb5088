// The one poll-with-deadline loop, on a virtual clock.
#include <gtest/gtest.h>

#include <vector>

#include <kubecert/util/wait.hpp>

namespace {

using namespace kubecert::util;

// A clock that moves only when the wait sleeps, recording the progress lines.
struct VirtualClock {
    std::int64_t now_ms = 0;
    std::vector<std::string> lines;
    WaitClock clock() {
        return {[this] { return now_ms; }, [this](std::uint32_t ms) { now_ms += ms; },
                [this](const std::string& line) { lines.push_back(line); }};
    }
};

WaitSpec spec(std::int64_t timeout_seconds, int settle = 0) {
    WaitSpec s;
    s.what = "the kubelet to be active";
    s.timeout_seconds = timeout_seconds;
    s.settle_polls = settle;
    return s;
}

TEST(UtilWait, ReturnsAsSoonAsDone) {
    VirtualClock vc;
    int polls = 0;
    const auto r = wait_until(vc.clock(), spec(10), [&] { return Probe{++polls == 3, "activating"}; });
    EXPECT_TRUE(r.done);
    EXPECT_EQ(r.polls, 3);
    EXPECT_EQ(vc.now_ms, 2000);
    ASSERT_EQ(vc.lines.size(), 2u);
    EXPECT_EQ(vc.lines[1], "waiting for the kubelet to be active (1s of 10s; activating)");
}

TEST(UtilWait, GivesUpWhenTheNextPollWouldComeAfterTheDeadline) {
    VirtualClock vc;
    const auto r = wait_until(vc.clock(), spec(2), [] { return Probe{false, "failed"}; });
    EXPECT_FALSE(r.done);
    EXPECT_FALSE(r.ever_done);
    EXPECT_EQ(r.polls, 2); // at 0s and 1s: one poll a second for two seconds
    EXPECT_EQ(r.last_seen, "failed");
}

TEST(UtilWait, MustStayDoneForTheSettlePolls) {
    VirtualClock vc;
    int polls = 0;
    // Active for an instant, then restarting for ever.
    const auto flaky = wait_until(vc.clock(), spec(3, 3), [&] { return Probe{++polls == 1, "x"}; });
    EXPECT_FALSE(flaky.done);
    EXPECT_TRUE(flaky.ever_done);
    VirtualClock steady_clock;
    const auto steady = wait_until(steady_clock.clock(), spec(1, 3), [] { return Probe{true, "active"}; });
    EXPECT_TRUE(steady.done);
    EXPECT_EQ(steady.polls, 4); // settle polls may run past the deadline
}

} // namespace
