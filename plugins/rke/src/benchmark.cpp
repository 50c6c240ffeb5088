#include "benchmark.hpp"

#include <array>

namespace kubecert::rke {

namespace {

struct ProfileNumbers {
    std::string_view profile;
    std::string_view tls_cert_file;
    std::string_view rotate_server_cert;
};

// From kube-bench cfg/<profile>/node.yaml (aquasecurity/kube-bench a73ce37): the ids
// of "--tls-cert-file and --tls-private-key-file" and "RotateKubeletServerCertificate".
constexpr std::array<ProfileNumbers, 3> k_profiles{{
    {"rke-cis-1.7", "4.2.9", "4.2.11"},
    {"rke-cis-1.23", "4.2.10", "4.2.12"},
    {"rke-cis-1.24", "4.2.10", "4.2.12"},
}};

} // namespace

std::string benchmark_ref(std::string_view profile, BenchmarkItem item) {
    // The last entry is the default profile (k_default_profile).
    const ProfileNumbers* chosen = &k_profiles.back();
    for (const auto& p : k_profiles)
        if (p.profile == profile) chosen = &p;
    std::string_view number = item == BenchmarkItem::tls_cert_file ? chosen->tls_cert_file : chosen->rotate_server_cert;
    return "kube-bench " + std::string(chosen->profile) + " " + std::string(number);
}

} // namespace kubecert::rke
