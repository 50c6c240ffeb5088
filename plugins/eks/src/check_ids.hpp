#pragma once

#include <array>
#include <string>
#include <string_view>

#include <kubecert/sdk.hpp>

// The EKS plugin's check ids and titles, declared once: the declaration, the findings and the
// fixes all name a check through these.
namespace kubecert::eks {

inline constexpr const char* k_rotate_server_cert = "eks.rotate-server-cert";
inline constexpr const char* k_server_tls_bootstrap = "eks.server-tls-bootstrap";
inline constexpr const char* k_rotate_client_cert = "eks.rotate-client-cert";
inline constexpr const char* k_configz = "eks.configz";
inline constexpr const char* k_serving_cert_expiry = "eks.serving-cert-expiry";
inline constexpr const char* k_kubelet_serving_csrs = "eks.kubelet-serving-csrs";

// Every check, in the order the plugin declares and reports them.
inline constexpr std::array<sdk::CheckDecl, 6> k_checks{{
    {k_rotate_server_cert, "RotateKubeletServerCertificate feature gate is set to true"},
    {k_server_tls_bootstrap, "Kubelet requests and rotates its serving certificate (serverTLSBootstrap)"},
    {k_rotate_client_cert, "Kubelet client certificate rotation is not disabled"},
    {k_configz, "Live kubelet configuration (configz) has serving certificate rotation on"},
    {k_serving_cert_expiry, "Kubelet serving and client certificates are not expired or expiring"},
    {k_kubelet_serving_csrs, "This node's kubelet-serving CSRs are approved (only when safe) and issued"},
}};

// The checks judged from the node's files (every one but the live configz).
inline constexpr std::array<const char*, 4> k_file_checks{k_rotate_server_cert, k_server_tls_bootstrap,
                                                          k_rotate_client_cert, k_serving_cert_expiry};

// The title of check `id`; `id` itself for an unknown one.
inline std::string check_title(std::string_view id) {
    for (const auto& c : k_checks)
        if (id == c.id) return c.title;
    return std::string(id);
}

} // namespace kubecert::eks
