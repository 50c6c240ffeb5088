#pragma once

#include <cstdint>
#include <string>

#include <kubecert/sdk.hpp>

// Restarting a systemd-managed kubelet after its files changed, the same way for every plugin.
namespace kubecert::kubelet {

// Polls (one second apart) a restarted kubelet must stay active after it first is: systemd says
// `active` as soon as it has started the process of a Type=simple unit, before a kubelet that
// rejects its configuration exits.
inline constexpr int k_kubelet_settle_polls = 3;

// `systemctl daemon-reload`, `systemctl restart kubelet`, then `systemctl is-active kubelet` once a
// second until it is active and stays so (at most `timeout_seconds`, plus the settle polls).
// Returns "" when the kubelet runs, else why not (the command that failed and its output, or the
// last is-active answer). Under --dry-run the three commands are planned actions, none runs.
std::string restart_systemd_kubelet(const sdk::Host& host, std::int64_t timeout_seconds);

} // namespace kubecert::kubelet
