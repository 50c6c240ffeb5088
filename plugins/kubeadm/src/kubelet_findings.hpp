#pragma once

#include <string>

#include <kubecert/sdk.hpp>

#include "kubelet_facts.hpp"

// The kubelet rotation checks: kubeadm.kubelet-client-rotation and kubeadm.kubelet-server-rotation.
namespace kubecert::kubeadm {

// The CIS Kubernetes Benchmark recommendation `which` ("rotate-certificates"
// or "rotate-server-certificate") as numbered in `benchmark` (--benchmark;
// "" means the newest, cis-1.12). "" for a benchmark that has no such item.
std::string cis_reference(const std::string& benchmark, const std::string& which);

// kubeadm.kubelet-client-rotation: rotateCertificates effectively true (the source that wins in the
// kubelet's merge order is named); not applicable to an exec credential.
sdk::Finding audit_client_rotation(const KubeletSettings& s, const std::string& benchmark);

// kubeadm.kubelet-server-rotation: serverTLSBootstrap (or --rotate-server-certificates) effectively
// true and the RotateKubeletServerCertificate gate not off; WARN otherwise, as it needs a CSR approver;
// fixable when `can_enable` (--kubeadm-enable-server-tls-bootstrap given and the config file decides).
sdk::Finding audit_server_rotation(const KubeletSettings& s, const std::string& benchmark, bool can_enable = false);

} // namespace kubecert::kubeadm
