#include "restart.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

#include "crictl.hpp"

namespace kubecert::kubeadm {

namespace {

constexpr std::uint32_t k_poll_ms = 1000;
constexpr std::uint32_t k_command_timeout_ms = 10000;
// Polls (one second apart) a restarted kubelet must stay active after it first is.
constexpr int k_settle_polls = 3;

// Polls `crictl ps` once a second until kube-apiserver's presence equals
// `running`; false at the timeout. `last_problem` keeps crictl's last complaint.
bool wait_for_apiserver(const sdk::Host& host, const RestartOptions& o, bool running, std::string& last_problem) {
    const std::string goal = running ? "to run again" : "to stop";
    // A wall-clock deadline (not host.now(), which --now may freeze) so slow crictl calls count too.
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + std::chrono::seconds(o.timeout_seconds);
    for (;;) {
        const auto r = host.run({o.crictl, "ps"}, k_command_timeout_ms, KUBECERT_CMD_READ_ONLY);
        if (r.ok()) {
            if (crictl_lists_container(r.out, "kube-apiserver") == running) return true;
        } else {
            last_problem = o.crictl + " ps: " + (r.timed_out ? "timed out" : "exit " + std::to_string(r.exit_code)) +
                           (r.err.empty() ? "" : ": " + r.err);
        }
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return false;
        const auto waited = std::chrono::duration_cast<std::chrono::seconds>(now - start).count();
        host.progress("waiting for kube-apiserver " + goal + " (" + std::to_string(waited) + "s of " +
                      std::to_string(o.timeout_seconds) + "s)");
        host.sleep_ms(k_poll_ms);
    }
}

} // namespace

void restart_control_plane(const sdk::Host& host, const std::string& manifests_dir, const RestartOptions& options) {
    std::vector<std::string> manifests;
    for (const auto& name : host.list_dir(manifests_dir))
        if (name.size() > 5 && name.ends_with(".yaml")) manifests.push_back(manifests_dir + "/" + name);
    if (manifests.empty()) {
        host.info("no static pod manifests in " + manifests_dir + ": no control plane to restart");
        return;
    }
    if (host.dry_run()) {
        host.info("would restart the control plane: move " + std::to_string(manifests.size()) + " manifests out of " +
                  manifests_dir + ", wait until `" + options.crictl +
                  " ps` no longer lists kube-apiserver, move them back, wait until it is listed again");
        // The same steps as the report's planned actions: parks, the two crictl waits (listed, not run), put back.
        for (const auto& m : manifests) host.park_file(m);
        host.run({options.crictl, "ps"}, k_command_timeout_ms);
        for (const auto& m : manifests) host.unpark_file(m);
        host.run({options.crictl, "ps"}, k_command_timeout_ms);
        return;
    }
    std::string problem;
    bool stopped = false;
    std::vector<std::string> parked;
    try {
        for (const auto& m : manifests) {
            host.park_file(m);
            parked.push_back(m);
        }
        host.info("control plane manifests moved away; waiting for kube-apiserver to stop");
        stopped = wait_for_apiserver(host, options, false, problem);
    } catch (...) {
        // Never leave the node without its manifests.
        for (const auto& m : parked) host.unpark_file(m);
        throw;
    }
    for (const auto& m : parked) host.unpark_file(m);
    if (!stopped)
        throw sdk::Error(KUBECERT_ERR_TIMEOUT, "kube-apiserver was still running " +
                                                   std::to_string(options.timeout_seconds) +
                                                   "s after its manifest was moved away; the manifests are back in " +
                                                   manifests_dir + (problem.empty() ? "" : " (" + problem + ")"));
    host.info("manifests put back; waiting for kube-apiserver to run again");
    if (!wait_for_apiserver(host, options, true, problem))
        throw sdk::Error(KUBECERT_ERR_TIMEOUT, "kube-apiserver did not run again within " +
                                                   std::to_string(options.timeout_seconds) +
                                                   "s after its manifest was put back" +
                                                   (problem.empty() ? "" : " (" + problem + ")"));
}

void restart_kubelet(const sdk::Host& host, std::int64_t timeout_seconds) {
    for (const std::vector<std::string>& argv : {std::vector<std::string>{"systemctl", "daemon-reload"},
                                               std::vector<std::string>{"systemctl", "restart", "kubelet"}}) {
        const auto r = host.run(argv, 60000);
        if (!r.ok())
            throw sdk::Error(KUBECERT_ERR_FAILED, argv[0] + " " + argv[1] + " failed (" +
                                                      (r.timed_out ? "timed out" : "exit " + std::to_string(r.exit_code)) +
                                                      "): " + r.err + r.out);
    }
    const std::vector<std::string> is_active{"systemctl", "is-active", "kubelet"};
    // Under --dry-run: listed as a planned step, not run.
    if (host.dry_run()) {
        host.run(is_active, k_command_timeout_ms);
        return;
    }
    // `systemctl is-active` exits 0 only once the unit is active ("activating" is not yet). systemd
    // says active as soon as it has started the process of a Type=simple unit, before a kubelet that
    // rejects its configuration exits: it must also stay active for k_settle_polls more polls.
    std::string state;
    bool was_active = false;
    int streak = 0;
    const int tries = static_cast<int>(std::max<std::int64_t>(1, timeout_seconds));
    for (int i = 0; i < tries + k_settle_polls; ++i) {
        const auto r = host.run(is_active, k_command_timeout_ms, KUBECERT_CMD_READ_ONLY);
        if (r.ok()) {
            was_active = true;
            if (++streak > k_settle_polls) return;
        } else {
            streak = 0;
            state = r.timed_out ? "timed out" : r.out.empty() ? "exit " + std::to_string(r.exit_code) : r.out;
            while (!state.empty() && (state.back() == '\n' || state.back() == ' ')) state.pop_back();
            if (i + 1 >= tries) break;
        }
        host.sleep_ms(k_poll_ms);
    }
    throw sdk::Error(KUBECERT_ERR_FAILED, std::string(was_active ? "the kubelet did not stay active " : "the kubelet is not active ") +
                                              std::to_string(tries) +
                                              "s after `systemctl restart kubelet` (systemctl is-active: " + state +
                                              ")");
}

} // namespace kubecert::kubeadm
