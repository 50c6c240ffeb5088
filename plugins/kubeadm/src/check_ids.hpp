#pragma once

// The kubeadm plugin's check ids, declared once: the declaration, the findings and the fixes all
// name a check through these. Certificate checks are families: a prefix and the certificate's name.
namespace kubecert::kubeadm {

inline constexpr const char* k_ca_expiry_prefix = "kubeadm.ca-expiry/";
inline constexpr const char* k_cert_expiry_prefix = "kubeadm.cert-expiry/";
// The families as the plugin declares them (`kubecert plugins`, --check).
inline constexpr const char* k_ca_expiry_family = "kubeadm.ca-expiry/<name>";
inline constexpr const char* k_cert_expiry_family = "kubeadm.cert-expiry/<name>";

inline constexpr const char* k_kubelet_client_expiry = "kubeadm.cert-expiry/kubelet-client";
inline constexpr const char* k_kubelet_client_rotation = "kubeadm.kubelet-client-rotation";
inline constexpr const char* k_kubelet_server_rotation = "kubeadm.kubelet-server-rotation";
inline constexpr const char* k_kubelet_serving_csrs = "kubeadm.kubelet-serving-csrs";
inline constexpr const char* k_user_kubeconfig_current = "kubeadm.user-kubeconfig-current";
inline constexpr const char* k_renew_all = "kubeadm.renew-all";

} // namespace kubecert::kubeadm
