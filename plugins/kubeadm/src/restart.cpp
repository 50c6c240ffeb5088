#include "restart.hpp"

#include <vector>

#include <kubecert/kubelet/restart.hpp>
#include <kubecert/util/wait.hpp>

#include "crictl.hpp"

namespace kubecert::kubeadm {

namespace {

constexpr std::uint32_t k_poll_ms = 1000;
constexpr std::uint32_t k_command_timeout_ms = 10000;

// The names of `names` whose presence in `crictl ps` differs from `running` (", " separated).
std::string not_yet(const std::string& ps_output, const std::vector<std::string>& names, bool running) {
    std::string out;
    for (const auto& n : names)
        if (crictl_lists_container(ps_output, n) != running) out += (out.empty() ? "" : ", ") + n;
    return out;
}

// Polls `crictl ps` once a second until every container of `names` is listed (`running`) or none
// is; false at the timeout. `pending` keeps the names last seen not there yet, `last_problem`
// crictl's last complaint.
bool wait_for_containers(const sdk::Host& host, const RestartOptions& o, const std::vector<std::string>& names,
                         bool running, std::string& pending, std::string& last_problem) {
    util::WaitSpec spec;
    spec.what = "the static pods " + std::string(running ? "to run again" : "to stop");
    spec.timeout_seconds = o.timeout_seconds;
    spec.poll_ms = k_poll_ms;
    const auto result = util::wait_until(host, spec, [&] {
        const auto r = host.run({o.crictl, "ps"}, k_command_timeout_ms, KUBECERT_CMD_READ_ONLY);
        if (r.ok()) {
            pending = not_yet(r.out, names, running);
            return util::Probe{pending.empty(), pending.empty() ? "" : "not yet: " + pending};
        }
        last_problem = o.crictl + " ps: " + (r.timed_out ? "timed out" : "exit " + std::to_string(r.exit_code)) +
                       (r.err.empty() ? "" : ": " + r.err);
        return util::Probe{false, last_problem};
    });
    return result.done;
}

} // namespace

void restart_control_plane(const sdk::Host& host, const std::string& manifests_dir, const RestartOptions& options) {
    std::vector<std::string> manifests;
    // Every static pod stops (its container is named like its manifest in kubeadm's layout): one
    // left running when the manifests come back keeps its old certificates, because the kubelet
    // sees the same pod again. The kubeadm components must all run again.
    std::vector<std::string> stopping;
    std::vector<std::string> returning;
    for (const auto& name : host.list_dir(manifests_dir))
        if (name.size() > 5 && name.ends_with(".yaml")) {
            manifests.push_back(manifests_dir + "/" + name);
            const std::string pod = name.substr(0, name.size() - 5);
            stopping.push_back(pod);
            for (const char* component : {"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"})
                if (pod == component) returning.push_back(pod);
        }
    if (manifests.empty()) {
        host.info("no static pod manifests in " + manifests_dir + ": no control plane to restart");
        return;
    }
    if (host.dry_run()) {
        host.info("would restart the control plane: move " + std::to_string(manifests.size()) + " manifests out of " +
                  manifests_dir + ", wait until `" + options.crictl + " ps` lists none of their containers, " +
                  "move them back, wait until it lists the control plane's again");
        // The same steps as the report's planned actions: parks, the two crictl waits (listed, not run), put back.
        for (const auto& m : manifests) host.park_file(m);
        host.run({options.crictl, "ps"}, k_command_timeout_ms);
        for (const auto& m : manifests) host.unpark_file(m);
        host.run({options.crictl, "ps"}, k_command_timeout_ms);
        return;
    }
    std::string problem;
    std::string pending;
    bool stopped = false;
    std::vector<std::string> parked;
    try {
        for (const auto& m : manifests) {
            host.park_file(m);
            parked.push_back(m);
        }
        host.info("control plane manifests moved away; waiting for their containers to stop");
        stopped = wait_for_containers(host, options, stopping, false, pending, problem);
    } catch (...) {
        // Never leave the node without its manifests.
        for (const auto& m : parked) host.unpark_file(m);
        throw;
    }
    for (const auto& m : parked) host.unpark_file(m);
    if (!stopped)
        throw sdk::Error(KUBECERT_ERR_TIMEOUT, pending + (pending.find(',') == std::string::npos ? " was" : " were") +
                                                   " still running " + std::to_string(options.timeout_seconds) +
                                                   "s after the manifests were moved away; the manifests are back in " +
                                                   manifests_dir + (problem.empty() ? "" : " (" + problem + ")"));
    if (returning.empty()) return;
    host.info("manifests put back; waiting for the control plane to run again");
    if (!wait_for_containers(host, options, returning, true, pending, problem))
        throw sdk::Error(KUBECERT_ERR_TIMEOUT,
                         (pending.empty() ? std::string("the control plane") : pending) + " did not run again within " +
                             std::to_string(options.timeout_seconds) + "s after the manifests were put back" +
                             (problem.empty() ? "" : " (" + problem + ")"));
}

void restart_kubelet(const sdk::Host& host, std::int64_t timeout_seconds) {
    if (auto failure = kubelet::restart_systemd_kubelet(host, timeout_seconds); !failure.empty())
        throw sdk::Error(KUBECERT_ERR_FAILED, failure);
}

} // namespace kubecert::kubeadm
