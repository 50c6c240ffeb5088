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
    std::vector<std::string> sans{}; // "DNS:x", "IP:1.2.3.4"
    std::int64_t not_before = 0;     // unix seconds
    std::int64_t not_after = 0;
    bool is_ca = false;
    bool server_auth = false;
    bool client_auth = false;
    std::string key_type = "rsa"; // "rsa" (2048) or "ec" (P-256)
    int rsa_bits = 2048;
    std::string key_usage{}; // OpenSSL keyUsage value for a leaf; "" = digitalSignature,keyEncipherment
};

// Unix seconds now, and days.
std::int64_t now_seconds();
constexpr std::int64_t k_day = 86400;

// A self-signed certificate (a CA when spec.is_ca, else a self-signed leaf).
KeyPair make_self_signed(const CertSpec& spec);
// A certificate signed by `issuer`.
KeyPair make_signed(const CertSpec& spec, const KeyPair& issuer);

// The same made with the `openssl` command line in `dir` (independent of the
// core and of the library calls above). `key` is "rsa:BITS" or "ec:CURVE"
// ("ec:P-256"); `encoding` is "pkcs1" (RSA), "sec1" (EC) or "pkcs8".
// Whether a PEM certificate has a subjectKeyIdentifier.
bool ca_has_subject_key_id(const std::string& cert_pem);
// A new private key file; its path.
std::string openssl_key(const std::string& dir, const std::string& key, const std::string& encoding);
// A self-signed CA (`openssl req -x509`). Without `with_key_id` it has no
// subjectKeyIdentifier (nor authorityKeyIdentifier), like kubeadm's CAs
// before v1.19.
KeyPair openssl_ca(const std::string& dir, const std::string& common_name, const std::string& key, bool with_key_id);
// A serving and client leaf with SANs, signed by `ca` (`openssl x509 -req`),
// with authorityKeyIdentifier exactly when the CA has a key id.
KeyPair openssl_leaf(const std::string& dir, const std::string& common_name, const KeyPair& ca, const std::string& key,
                     const std::string& encoding);

} // namespace kubecert::test
