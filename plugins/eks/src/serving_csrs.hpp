#pragma once

#include <kubecert/csr/serving_csrs.hpp>
#include <kubecert/sdk.hpp>

#include "facts.hpp"

// eks.kubelet-serving-csrs: this node's identity and API access for the shared serving-CSR logic
// (kubecert/csr). EKS nodes have no administrator kubeconfig: the cluster is asked only with
// --eks-api-kubeconfig (an approver's kubeconfig, e.g. with `aws eks get-token`).
namespace kubecert::eks {

// The settings of the shared check for this node: --eks-node-name (else the host name), the host
// name and the kubelet's --node-ip, the kubelet's kubeconfigs refused.
csr::ServingCsrSettings serving_csr_settings(const sdk::Host& host, const Facts& facts);

} // namespace kubecert::eks
