#pragma once

#include <cstdint>
#include <string>

#include <kubecert/sdk.hpp>

#include "cert_store.hpp"
#include "findings.hpp"

// Renewing the kubelet's own client certificate on a control plane whose API
// server was down when the kubelet should have rotated it.
namespace kubecert::kubeadm {

// Why `current` (the kubelet's client certificate) cannot be renewed on this
// node; "" when it can: the cluster CA and its key are here, the CA is
// valid, and the certificate is a node identity for client auth only.
std::string kubelet_client_blocker(const LoadedCert& current, const PkiState& pki);

// Sets `fixable` and the remediation of a FAIL/WARN kubeadm.cert-expiry/kubelet-client
// finding: kubecert's fix where it can renew, kubeadm's manual procedure elsewhere.
void set_kubelet_client_remedy(sdk::Finding& finding, const LoadedCert& current, const PkiState& pki);

// Renews it the way the kubelet's certificate manager would: a new key, the
// same node subject, client auth only, signed by `ca`, written as
// <dir>/kubelet-client-<YYYY-MM-DD-HH-MM-SS>.pem (certificate then key, mode
// 0600) with <dir>/kubelet-client-current.pem swapped to it; a kubelet.conf
// that embedded the certificate is pointed at that link. <dir> is the
// folder of the link kubelet.conf names, else /var/lib/kubelet/pki. Throws
// sdk::Error when it cannot (nothing is half done: the host rolls back).
void renew_kubelet_client(const sdk::Host& host, const std::string& kubelet_conf, const AuthorityState& ca,
                          std::int64_t validity_seconds);

} // namespace kubecert::kubeadm
