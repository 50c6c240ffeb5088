#pragma once

#include <cstdint>
#include <string>

#include <kubecert/sdk.hpp>

// Restarting the control plane and the kubelet after a change.
namespace kubecert::kubeadm {

struct RestartOptions {
    std::string crictl = "crictl";      // --kubeadm-crictl
    std::int64_t timeout_seconds = 120; // --kubeadm-restart-timeout, per wait
};

// Restarts the static pods as the manual procedure does: parks every
// manifests_dir/NAME.yaml, waits until `crictl ps` lists no container NAME,
// puts them all back, waits until etcd, kube-apiserver,
// kube-controller-manager and kube-scheduler (those with a manifest) are
// listed again. The
// manifests are put back whatever happens; a wait that times out then
// throws sdk::Error. Under --dry-run it only says what it would do.
void restart_control_plane(const sdk::Host& host, const std::string& manifests_dir, const RestartOptions& options);

// `systemctl daemon-reload`, `systemctl restart kubelet`, then `systemctl
// is-active kubelet` once a second until it is (`timeout_seconds` at most);
// throws with the command's output when one fails. Under --dry-run all three
// are planned actions.
void restart_kubelet(const sdk::Host& host, std::int64_t timeout_seconds);

} // namespace kubecert::kubeadm
