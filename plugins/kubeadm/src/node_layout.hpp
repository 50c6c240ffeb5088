#pragma once

#include <optional>
#include <string>
#include <vector>

#include <kubecert/sdk.hpp>

#include "layout.hpp"

// Where this node keeps kubeadm's certificates: kubeadm's own defaults, or
// the layouts installers that drive kubeadm write (kubespray: certificatesDir
// /etc/kubernetes/ssl with /etc/kubernetes/pki linked to it, external etcd
// with its certificates under /etc/ssl/etcd/ssl).
namespace kubecert::kubeadm {

// The external etcd of ClusterConfiguration.etcd.external.
struct ExternalEtcd {
    std::string source;    // the file that says so (kubeadm-config.yaml), or how it was inferred
    std::string ca_file;   // etcd's CA certificate
    std::string cert_file; // the API server's etcd client certificate
    std::string key_file;
};

// What the node's files say about the layout.
struct NodeLayout {
    std::string pki_dir;    // certificatesDir as a node path, symlinks resolved
    std::string pki_origin; // why that folder, for evidence and logs
    std::optional<ExternalEtcd> etcd;
    std::vector<std::string> notes; // things an operator should read (a malformed kubeadm-config.yaml, ...)
};

// The kubeadm ClusterConfiguration kubespray (and people following kubeadm's
// docs) keep on control-plane nodes.
inline constexpr const char* k_kubeadm_config = "/etc/kubernetes/kubeadm-config.yaml";
// kubespray's certificatesDir and the etcd certificate folder of its etcd role.
inline constexpr const char* k_kubespray_cert_dir = "/etc/kubernetes/ssl";
inline constexpr const char* k_kubespray_etcd_dir = "/etc/ssl/etcd/ssl";

// Decides the layout: --kubeadm-pki-dir when given (a node path inside --root),
// else certificatesDir of kubeadm-config.yaml, else /etc/kubernetes/pki, else
// kubespray's /etc/kubernetes/ssl; external etcd from kubeadm-config.yaml,
// else kubespray's /etc/ssl/etcd/ssl when it holds a CA.
NodeLayout discover_layout(const sdk::Host& host, const std::optional<std::string>& pki_option);

// kubeadm's layout for `node`, with an external etcd's CA and client
// certificate in place of kubeadm's local etcd ones.
Layout layout_for(const sdk::Host& host, const NodeLayout& node, const std::string& kubeconfig_dir);

} // namespace kubecert::kubeadm
