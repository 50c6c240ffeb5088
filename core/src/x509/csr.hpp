// PKCS#10 certificate signing requests (a Kubernetes CSR's spec.request),
// parsed with OpenSSL for the host's kubecert.csr.v1 service.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace kubecert::x509 {

struct CsrDetails {
    std::string subject; // RFC 2253, as `openssl req -subject -nameopt RFC2253`
    std::string common_name;
    std::vector<std::string> organizations;
    bool other_subject_attributes = false; // anything but CN and O in the subject
    std::vector<std::string> dns_names;
    std::vector<std::string> ip_addresses;
    std::vector<std::string> email_addresses;
    std::vector<std::string> uris;
    std::string key_type; // "RSA", "EC", "ED25519", ...
    int key_bits = 0;
    bool signature_valid = false;
};

// Parses the first PEM "CERTIFICATE REQUEST" block of `pem`. Errors (parse)
// name `source` and what is wrong: no PEM block, not a request, an
// unreadable public key or subjectAltName.
util::Result<CsrDetails> parse_csr(std::string_view pem, const std::string& source);

} // namespace kubecert::x509
