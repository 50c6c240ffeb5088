#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace kubecert::x509 {

struct CertDetails {
    std::string subject; // RFC 2253 ("CN=kube-apiserver")
    std::string issuer;
    std::string common_name;
    std::string issuer_common_name;
    std::vector<std::string> organizations;
    std::vector<std::string> sans; // "DNS:x", "IP:1.2.3.4", "URI:...", "email:..."
    std::string key_usage;         // "digitalSignature,keyEncipherment,keyCertSign"
    std::string ext_key_usage;     // "serverAuth,clientAuth"
    bool is_ca = false;
    bool self_signed = false;
    std::int64_t not_before = 0;
    std::int64_t not_after = 0;
    std::string serial;               // upper-case hex
    std::string public_key_algorithm; // "RSA", "EC", "ED25519"
    int public_key_bits = 0;
    std::string sha256_fingerprint; // "AB:CD:..."
    std::string pem;
};

// Parses the first certificate in PEM, DER, or base64 of PEM/DER. `source`
// names the data in errors ("FILE: not a certificate: ...").
util::Result<CertDetails> parse_certificate(std::string_view data, const std::string& source);

// Whether the private key (PEM, DER, base64) belongs to the certificate.
util::Result<bool> key_matches_certificate(std::string_view key, std::string_view cert);

struct VerifyOutcome {
    bool ok = false;
    std::string reason; // OpenSSL's reason when not ok
};
// Verifies `cert` against the CA certificate(s) in `ca_bundle` at `at_time`.
util::Result<VerifyOutcome> verify_certificate(std::string_view cert, std::string_view ca_bundle, std::int64_t at_time);

struct IssuedPair {
    std::string cert_pem;
    std::string key_pem;
};
// A new key and a certificate with the template's subject, SANs, key usage,
// extended key usage and basic constraints, signed by `ca_key` as `ca_cert`,
// valid [now - 5 min, now + validity]. Random serial.
// The key keeps the algorithm, size and PEM encoding of `old_key` (the key
// being replaced: PEM, DER or base64) when given; without it (or when it does
// not decode) the template's algorithm and size, encoded like kubeadm: PKCS#1
// "RSA PRIVATE KEY", SEC1 "EC PRIVATE KEY", PKCS#8 for Ed25519.
// Thread-safe: batches call it from several threads at once.
util::Result<IssuedPair> issue_certificate(std::string_view template_cert, std::string_view ca_cert,
                                           std::string_view ca_key, std::int64_t now, std::int64_t validity_seconds,
                                           std::string_view old_key = {});

} // namespace kubecert::x509
