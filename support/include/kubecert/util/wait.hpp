#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include <kubecert/sdk.hpp>

// Waiting for something a fix started (a restarted service, a port, containers) to reach the
// state it should: one poll loop with a deadline and progress lines, for every plugin.
namespace kubecert::util {

// What one look at the awaited thing saw.
struct Probe {
    bool done = false; // it is in the awaited state
    std::string seen;  // what it looks like now, for progress lines and the failure message
};

// How long and how often to look.
struct WaitSpec {
    std::string what;                 // "the kubelet to be active", for progress lines
    std::int64_t timeout_seconds = 0; // no poll starts once the next would come after this
    std::uint32_t poll_ms = 1000;
    // Polls the thing must stay done after it first is (a service that starts, then exits on a
    // bad configuration, looks active for an instant); they may run past the timeout.
    int settle_polls = 0;
};

// What the wait saw when it ended.
struct WaitResult {
    bool done = false;      // done, and stayed so for the settle polls
    bool ever_done = false; // done at some poll, even if it did not stay so
    std::string last_seen;  // Probe::seen of the last poll
    std::int64_t waited_ms = 0;
    int polls = 0;
};

// How a wait passes time and reports it; the host's by default, a virtual clock in tests.
struct WaitClock {
    std::function<std::int64_t()> elapsed_ms; // since the wait began
    std::function<void(std::uint32_t)> sleep_ms;
    std::function<void(const std::string&)> progress; // one transient line
};

// The host's clock: steady wall time (not host.now(), which --now may freeze, so slow probes
// count too), host.sleep_ms, and progress lines through the host's log at KUBECERT_LOG_PROGRESS.
WaitClock host_clock(const sdk::Host& host);

// Calls `probe` until it is done (and stays done for spec.settle_polls more polls) or the next
// poll would come after the deadline; returns what it saw then.
WaitResult wait_until(const WaitClock& clock, const WaitSpec& spec, const std::function<Probe()>& probe);

// wait_until() on the host's clock.
WaitResult wait_until(const sdk::Host& host, const WaitSpec& spec, const std::function<Probe()>& probe);

} // namespace kubecert::util
