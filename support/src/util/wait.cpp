#include <kubecert/util/wait.hpp>

namespace kubecert::util {

WaitClock host_clock(const sdk::Host& host) {
    const auto start = std::chrono::steady_clock::now();
    return {[start] {
                return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start)
                    .count();
            },
            [&host](std::uint32_t ms) { host.sleep_ms(ms); },
            [&host](const std::string& line) { host.progress(line); }};
}

WaitResult wait_until(const WaitClock& clock, const WaitSpec& spec, const std::function<Probe()>& probe) {
    WaitResult result;
    const std::int64_t timeout_ms = spec.timeout_seconds * 1000;
    int streak = 0;
    for (;;) {
        const Probe seen = probe();
        ++result.polls;
        result.last_seen = seen.seen;
        result.waited_ms = clock.elapsed_ms();
        if (seen.done) {
            result.ever_done = true;
            if (++streak > spec.settle_polls) {
                result.done = true;
                return result;
            }
        } else {
            streak = 0;
            // The next poll would come after the deadline: what we saw now is the answer.
            if (result.waited_ms + spec.poll_ms >= timeout_ms) return result;
        }
        clock.progress("waiting for " + spec.what + " (" + std::to_string(result.waited_ms / 1000) + "s of " +
                       std::to_string(spec.timeout_seconds) + "s" + (seen.seen.empty() ? "" : "; " + seen.seen) + ")");
        clock.sleep_ms(spec.poll_ms);
    }
}

WaitResult wait_until(const sdk::Host& host, const WaitSpec& spec, const std::function<Probe()>& probe) {
    return wait_until(host_clock(host), spec, probe);
}

} // namespace kubecert::util
