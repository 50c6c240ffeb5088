#pragma once

#include <string>

// Test-time PKCS#10 requests made by the `openssl req` command line. Tests read them as kubecert
// does (csr::parse_request over the host's parser); x509::parse_csr is itself checked against
// `openssl req` (tests/unit/test_x509_csr.cpp).
namespace kubecert::test {

struct CsrSpec {
    std::string subject;    // "/O=system:nodes/CN=system:node:cp-1"
    std::string sans{};     // "DNS:cp-1,IP:10.0.0.5,email:a@b,URI:spiffe://x"; "" for none
    std::string key = "ec"; // "ec" (P-256), else -newkey's value: "rsa:2048", "rsa:1024", "ed25519"
};

// A new key and a request for it by `openssl req -new` in `dir`; the request's PEM.
std::string openssl_csr(const std::string& dir, const CsrSpec& spec);

// `pem` with one byte of its signature flipped (a request whose signature no longer verifies).
std::string corrupt_csr_signature(const std::string& pem);

} // namespace kubecert::test
