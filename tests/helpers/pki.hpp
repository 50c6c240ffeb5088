#pragma once

#include <cstdint>
#include <string>
#include <vector>

// Test-time certificates made with the OpenSSL library, with any dates.
namespace kubecert::test {

struct KeyPair {
    std::string cert_pem;
    std::string key_pem;
};

// Empty member initializers: gcc 12 warns about designated initializers
// that leave out members without one (-Wmissing-field-initializers).
struct CertSpec {
    std::string common_name{};
    std::vector<std::string> organizations{};
    std::vector<std::string> sans{};       // "DNS:x", "IP:1.2.3.4"
    std::int64_t not_before = 0;           // unix seconds
    std::int64_t not_after = 0;
    bool is_ca = false;
    bool server_auth = false;
    bool client_auth = false;
    std::string key_type = "rsa";          // "rsa" (2048) or "ec" (P-256)
    int rsa_bits = 2048;
};

// Unix seconds now, and days.
std::int64_t now_seconds();
constexpr std::int64_t k_day = 86400;

// A self-signed certificate (a CA when spec.is_ca, else a self-signed leaf).
KeyPair make_self_signed(const CertSpec& spec);
// A certificate signed by `issuer`.
KeyPair make_signed(const CertSpec& spec, const KeyPair& issuer);

} // namespace kubecert::test
