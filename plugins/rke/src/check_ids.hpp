#pragma once

// The RKE plugin's check ids, declared once: the declaration, the findings and the fixes all name
// a check through these.
namespace kubecert::rke {

inline constexpr const char* k_check_generate = "rke.generate-serving-cert";
inline constexpr const char* k_check_expiry = "rke.serving-cert-expiry";
inline constexpr const char* k_check_served = "rke.served-cert-matches-disk";
inline constexpr const char* k_check_legacy = "rke.legacy-self-signed";

} // namespace kubecert::rke
