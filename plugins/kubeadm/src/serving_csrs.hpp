#pragma once

#include <cstdint>

#include <kubecert/csr/serving_csrs.hpp>
#include <kubecert/sdk.hpp>

#include "kubelet_facts.hpp"

// kubeadm.kubelet-serving-csrs and turning on serverTLSBootstrap (--kubeadm-enable-server-tls-bootstrap):
// this node's identity and API access for the shared serving-CSR logic (kubecert/csr).
namespace kubecert::kubeadm {

inline constexpr const char* k_admin_conf = "/etc/kubernetes/admin.conf";

// The settings of the shared check for this node: its name (the CN of the kubelet's client
// certificate, else --hostname-override, else the host name), its configured names and
// --node-ip addresses, admin.conf as the default kubeconfig and the kubelet's as refused.
csr::ServingCsrSettings serving_csr_settings(const sdk::Host& host, const KubeletSettings& kubelet);

// kubeadm.kubelet-serving-csrs: the shared check when the kubelet requests serving certificates
// (serverTLSBootstrap on), or --kubeadm-enable-server-tls-bootstrap or --kubeadm-api-kubeconfig is
// given; else INFO (without serverTLSBootstrap the kubelet makes no serving CSRs).
sdk::Finding audit_kubelet_serving_csrs(const sdk::Host& host, const KubeletSettings& kubelet);

// Whether serverTLSBootstrap can be turned on here by editing the kubelet's config file: the option
// was given, the file exists and no --rotate-server-certificates on the command line overrides it.
bool can_enable_server_tls_bootstrap(const sdk::Host& host, const KubeletSettings& kubelet);

// Sets serverTLSBootstrap: true in the kubelet's config, restarts the kubelet, waits for its new
// CSR, approves it when the policy does and checks the certificate it then serves. When no
// approvable CSR arrives in time (or the served certificate never checks), the config change is
// rolled back, the kubelet restarted on it and sdk::Error thrown. On a node that is not the
// running system or with --no-restart only the file changes. Under --dry-run: the diff and the
// steps it would take.
void enable_server_tls_bootstrap(const sdk::Host& host, const KubeletSettings& kubelet,
                                 std::int64_t restart_timeout_seconds);

} // namespace kubecert::kubeadm
