#pragma once

#include <string>

#include <kubecert/sdk.hpp>

#include "benchmark.hpp"
#include "node_sources.hpp"

// The file-based checks of the EKS plugin. Each returns one finding (the
// plugin decides fixable from the fix plan) and never throws for bad input:
// what cannot be evaluated is an ERROR finding.
namespace kubecert::eks {

inline constexpr const char* k_gate = "RotateKubeletServerCertificate";
inline constexpr const char* k_bogus_flag = "rotate-kubelet-server-certificate";

// eks.rotate-server-cert: the effective RotateKubeletServerCertificate gate,
// and the bogus --rotate-kubelet-server-certificate flag anywhere.
sdk::Finding check_rotate_server_cert(const KubeletSources& s, const BenchmarkRefs& refs);

// eks.server-tls-bootstrap: serverTLSBootstrap / --rotate-server-certificates,
// what actually makes the kubelet request and rotate its serving certificate.
sdk::Finding check_server_tls_bootstrap(const KubeletSources& s);

// eks.rotate-client-cert: rotateCertificates / --rotate-certificates not false;
// not applicable when the kubelet's kubeconfig authenticates with an exec plugin.
sdk::Finding check_rotate_client_cert(const sdk::Host& host, const KubeletSources& s, const BenchmarkRefs& refs);

// eks.serving-cert-expiry: the kubelet's serving and client certificates on
// disk (also reported as certificates "kubelet-server", "kubelet-client").
sdk::Finding check_serving_cert_expiry(const sdk::Host& host, const KubeletSources& s);

// The finding `id` as an ERROR because its sources could not be read.
sdk::Finding error_finding(const std::string& id, const std::string& title, const std::string& source,
                           const std::string& message);

// Titles of the checks, shared with the plugin's declarations.
std::string check_title(const std::string& id);

} // namespace kubecert::eks
