#pragma once

#include <cstdint>
#include <string>

#include <kubecert/csr/serving_csr_policy.hpp>
#include <kubecert/sdk.hpp>

// Whether the kubelet's port serves what an approved kubelet-serving CSR should give it: a
// certificate of the cluster CA, for this node, naming only this node's names.
namespace kubecert::csr {

// What the TLS probe saw.
struct ServedCertificate {
    bool ok = false;
    std::string seen; // "CN=system:node:cp-1 by kubernetes, DNS:cp-1, IP:10.0.0.5" or why none was seen
    std::string why;  // "" when ok, else what is wrong
    std::string sha256_fingerprint;
};

// Connects to `address` ("127.0.0.1:10250") and judges the certificate it serves against the
// cluster CA `ca_pem` and `node`: signed by that CA, subject CN=system:node:<name>, at least one
// DNS name or IP, each of them this node's. A connection that fails is not ok (seen says why).
ServedCertificate probe_served_certificate(const sdk::Host& host, const std::string& address, const std::string& ca_pem,
                                           const NodeIdentity& node, std::uint32_t timeout_ms = 5000);

} // namespace kubecert::csr
