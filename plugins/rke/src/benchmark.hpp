#pragma once

#include <string>
#include <string_view>

namespace kubecert::rke {

// The two recommendations of the RKE CIS profiles this plugin's checks answer to.
enum class BenchmarkItem {
    tls_cert_file,      // "--tls-cert-file and --tls-private-key-file are set as appropriate"
    rotate_server_cert, // "RotateKubeletServerCertificate is set to true"
};

// The default profile when --benchmark names none of ours (the newest in kube-bench).
inline constexpr std::string_view k_default_profile = "rke-cis-1.24";

// The citation of `item` in `profile` (--benchmark), e.g. "kube-bench rke-cis-1.24 4.2.10";
// the numbering differs between profiles, so an unknown or empty profile cites the default one.
std::string benchmark_ref(std::string_view profile, BenchmarkItem item);

} // namespace kubecert::rke
