#pragma once

#include <kubecert/util/static_text.hpp>

// The kubeadm plugin's check ids, declared once: the declaration, the findings and the fixes all
// name a check through these. Certificate checks are families: a prefix and the certificate's name.
// Every id is built at compile time from the one family prefix, "kubeadm.".
namespace kubecert::kubeadm {

namespace check_id_text {
inline constexpr char k_family[] = "kubeadm.";
inline constexpr auto k_ca_expiry_prefix = util::join(k_family, "ca-expiry/");
inline constexpr auto k_cert_expiry_prefix = util::join(k_family, "cert-expiry/");
inline constexpr auto k_ca_expiry_family = util::join(k_ca_expiry_prefix, "<name>");
inline constexpr auto k_cert_expiry_family = util::join(k_cert_expiry_prefix, "<name>");
inline constexpr auto k_kubelet_client_expiry = util::join(k_cert_expiry_prefix, "kubelet-client");
inline constexpr auto k_kubelet_client_rotation = util::join(k_family, "kubelet-client-rotation");
inline constexpr auto k_kubelet_server_rotation = util::join(k_family, "kubelet-server-rotation");
inline constexpr auto k_kubelet_serving_csrs = util::join(k_family, "kubelet-serving-csrs");
inline constexpr auto k_user_kubeconfig_current = util::join(k_family, "user-kubeconfig-current");
inline constexpr auto k_renew_all = util::join(k_family, "renew-all");
} // namespace check_id_text

inline constexpr const char* k_ca_expiry_prefix = check_id_text::k_ca_expiry_prefix.c_str();
inline constexpr const char* k_cert_expiry_prefix = check_id_text::k_cert_expiry_prefix.c_str();
// The families as the plugin declares them (`kubecert plugins`, --check).
inline constexpr const char* k_ca_expiry_family = check_id_text::k_ca_expiry_family.c_str();
inline constexpr const char* k_cert_expiry_family = check_id_text::k_cert_expiry_family.c_str();

inline constexpr const char* k_kubelet_client_expiry = check_id_text::k_kubelet_client_expiry.c_str();
inline constexpr const char* k_kubelet_client_rotation = check_id_text::k_kubelet_client_rotation.c_str();
inline constexpr const char* k_kubelet_server_rotation = check_id_text::k_kubelet_server_rotation.c_str();
inline constexpr const char* k_kubelet_serving_csrs = check_id_text::k_kubelet_serving_csrs.c_str();
inline constexpr const char* k_user_kubeconfig_current = check_id_text::k_user_kubeconfig_current.c_str();
inline constexpr const char* k_renew_all = check_id_text::k_renew_all.c_str();

} // namespace kubecert::kubeadm
