#pragma once

#include <string>
#include <vector>

#include <kubecert/sdk.hpp>

#include "facts.hpp"

// Acting on a kubeadm audit: renew the leaves asked for (or all, --kubeadm-renew-all), refresh the
// copies of admin.conf, turn on the kubelet's client rotation, renew its client certificate, then
// restart what loads them (control plane, kubelet) on the running system.
namespace kubecert::kubeadm {

// Applies the fixes of findings `ids` on the facts of the audit that just ran, each change
// through the host. Refuses (throws sdk::Error) when the audit could not evaluate
// `audit_errors`: renewing and restarting around an unreadable file is how outages start.
// Throws sdk::Error when a step fails, so that the host rolls the fix back.
void apply_fixes(const sdk::Host& host, const Facts& facts, const std::vector<std::string>& ids,
                 const std::vector<std::string>& audit_errors);

} // namespace kubecert::kubeadm
