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
// manifests_dir/*.yaml, waits until `crictl ps` no longer lists
// kube-apiserver, puts them all back, waits until it is listed again. The
// manifests are put back whatever happens; a wait that times out then
// throws sdk::Error. Under --dry-run it only says what it would do.
void restart_control_plane(const sdk::Host& host, const std::string& manifests_dir, const RestartOptions& options);

// `systemctl daemon-reload`, `systemctl restart kubelet`, then `systemctl
// is-active kubelet` once a second until it is (`timeout_seconds` at most);
// throws with the command's output when one fails. Under --dry-run all three
// are planned actions.
void restart_kubelet(const sdk::Host& host, std::int64_t timeout_seconds);

} // namespace kubecert::kubeadm
