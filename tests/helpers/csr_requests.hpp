#pragma once

#include <string>
#include <vector>

// Test-time PKCS#10 requests: made by the `openssl req` command line, read back with the OpenSSL
// library independently of kubecert's own parser.
namespace kubecert::test {

struct CsrSpec {
    std::string subject;    // "/O=system:nodes/CN=system:node:cp-1"
    std::string sans{};     // "DNS:cp-1,IP:10.0.0.5,email:a@b,URI:spiffe://x"; "" for none
    std::string key = "ec"; // "ec" (P-256), "rsa:2048", "rsa:1024"
};

// A new key and a request for it by `openssl req -new` in `dir`; the request's PEM.
std::string openssl_csr(const std::string& dir, const CsrSpec& spec);

// What the OpenSSL library reads from a PEM request (the members of sdk::CsrInfo).
struct ParsedCsr {
    std::string subject; // RFC 2253
    std::string common_name;
    std::vector<std::string> organizations;
    std::vector<std::string> other_subject_attributes; // "OU=x"
    std::vector<std::string> dns_names;
    std::vector<std::string> ip_addresses;
    std::vector<std::string> email_addresses;
    std::vector<std::string> uris;
    std::string key_type; // "RSA", "EC", ...
    int key_bits = 0;
    bool signature_valid = false;
};

// Parses a PEM request; throws std::runtime_error when it is none.
ParsedCsr parse_csr_pem(const std::string& pem);

// `pem` with one byte of its signature flipped (a request whose signature no longer verifies).
std::string corrupt_csr_signature(const std::string& pem);

} // namespace kubecert::test
