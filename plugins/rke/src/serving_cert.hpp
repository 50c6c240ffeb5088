#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kubecert::rke {

// Where RKE keeps node certificates, and where a kubelet without --tls-cert-file makes its own.
inline constexpr std::string_view k_rke_ssl_dir = "/etc/kubernetes/ssl";
inline constexpr std::string_view k_kubelet_pki_dir = "/var/lib/kubelet/pki";
inline constexpr std::string_view k_legacy_cert_path = "/var/lib/kubelet/pki/kubelet.crt";
inline constexpr std::string_view k_legacy_key_path = "/var/lib/kubelet/pki/kubelet.key";

// True for the kubelet's own certificate authority name "<hostname>-ca@<unix seconds>",
// which the kubelet throws away after signing its serving certificate once.
bool is_kubelet_ca_name(std::string_view common_name);

// True for the kubelet's own serving certificate name "<hostname>@<unix seconds>".
bool is_kubelet_self_signed_name(std::string_view common_name);

// The file name RKE gives a node's serving certificate: "kube-kubelet-" plus the node
// address with dots replaced by dashes, then ".pem" (10.0.0.1 -> kube-kubelet-10-0-0-1.pem).
std::string kubelet_cert_file_name(std::string_view node_address);

// The serving certificates among the names of /etc/kubernetes/ssl (kube-kubelet-*.pem, not keys).
std::vector<std::string> kubelet_cert_files(const std::vector<std::string>& names);

// The key path beside a serving certificate path: "x.pem" -> "x-key.pem", "kubelet.crt" -> "kubelet.key".
std::string key_path_for(std::string_view cert_path);

} // namespace kubecert::rke
