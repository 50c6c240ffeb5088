#include <kubecert/kubelet/restart.hpp>

#include <algorithm>
#include <vector>

#include <kubecert/util/wait.hpp>

namespace kubecert::kubelet {

namespace {

constexpr std::uint32_t k_systemctl_timeout_ms = 60'000;
constexpr std::uint32_t k_is_active_timeout_ms = 10'000;

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
    return text;
}

// "systemctl restart kubelet exited with 1: <stderr>", "" when it succeeded.
std::string run_systemctl(const sdk::Host& host, const std::vector<std::string>& argv) {
    const auto r = host.run(argv, k_systemctl_timeout_ms);
    if (r.ok()) return "";
    std::string line;
    for (const auto& word : argv) line += (line.empty() ? "" : " ") + word;
    std::string why = line + (r.timed_out ? " timed out" : " exited with " + std::to_string(r.exit_code));
    const std::string& output = r.err.empty() ? r.out : r.err;
    if (!output.empty()) why += ": " + trimmed(output.substr(0, 500));
    return why;
}

} // namespace

std::string restart_systemd_kubelet(const sdk::Host& host, std::int64_t timeout_seconds) {
    for (const std::vector<std::string>& argv : {std::vector<std::string>{"systemctl", "daemon-reload"},
                                                 std::vector<std::string>{"systemctl", "restart", "kubelet"}})
        if (auto failure = run_systemctl(host, argv); !failure.empty()) return failure;
    const std::vector<std::string> is_active{"systemctl", "is-active", "kubelet"};
    if (host.dry_run()) {
        // Listed as a planned step of the restart, not run.
        host.run(is_active, k_is_active_timeout_ms);
        return "";
    }
    util::WaitSpec spec;
    spec.what = "the kubelet to be active";
    spec.timeout_seconds = std::max<std::int64_t>(1, timeout_seconds);
    spec.settle_polls = k_kubelet_settle_polls;
    // `systemctl is-active` exits 0 only once the unit is active ("activating" is not yet).
    const auto result = util::wait_until(host, spec, [&] {
        const auto r = host.run(is_active, k_is_active_timeout_ms, KUBECERT_CMD_READ_ONLY);
        const std::string out = trimmed(r.out);
        return util::Probe{r.ok(), r.timed_out    ? "timed out"
                                   : !out.empty() ? out
                                                  : "exit " + std::to_string(r.exit_code)};
    });
    if (result.done) return "";
    return std::string(result.ever_done ? "the kubelet did not stay active " : "the kubelet is not active ") +
           std::to_string(spec.timeout_seconds) + "s after `systemctl restart kubelet` (systemctl is-active: " +
           (result.last_seen.empty() ? "no answer" : result.last_seen) + ")";
}

} // namespace kubecert::kubelet
