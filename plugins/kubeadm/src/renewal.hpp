#pragma once

#include <cstdint>

#include <kubecert/sdk.hpp>

#include "cert_checks.hpp"

// Renewing a leaf certificate the way `kubeadm certs renew` does.
namespace kubecert::kubeadm {

// Issues a new key and certificate for `leaf` (same subject, SANs, usages and
// key algorithm, signed by `ca`, valid `validity_seconds` from now) and writes
// them where the old ones were: the .key (mode 0600) and .crt, or the
// kubeconfig's client-certificate-data/client-key-data with the rest of the
// file kept. Throws sdk::Error when the host cannot issue or write.
void renew_leaf(const sdk::Host& host, const LeafState& leaf, const AuthorityState& ca, std::int64_t validity_seconds);

} // namespace kubecert::kubeadm
