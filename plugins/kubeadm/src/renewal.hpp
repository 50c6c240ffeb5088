#pragma once

#include <cstdint>
#include <vector>

#include <kubecert/sdk.hpp>

#include "findings.hpp"

// Renewing leaf certificates the way `kubeadm certs renew` does.
namespace kubecert::kubeadm {

// One leaf to renew and the CA that signs it (both owned by the audit's PkiState).
struct Renewal {
    const LeafState* leaf = nullptr;
    const AuthorityState* ca = nullptr;
};

// New keys and certificates for every renewal, in order, from one host call
// (the host generates the keys concurrently): same subject, SANs, usages,
// and the key algorithm, size and PEM encoding of the key each replaces;
// signed by its CA, valid `validity_seconds` from now. Writes nothing.
// Throws sdk::Error naming the first leaf that could not be issued.
std::vector<sdk::Issued> issue_renewals(const sdk::Host& host, const std::vector<Renewal>& renewals,
                                        std::int64_t validity_seconds);

// Writes an issued pair where `leaf`'s were: the .key (mode 0600) first, then
// the .crt, or the kubeconfig's client-certificate-data/client-key-data with
// the rest of the file kept. Throws sdk::Error when the host cannot write.
void write_renewed(const sdk::Host& host, const LeafState& leaf, const sdk::Issued& issued);

// issue_renewals() and write_renewed() for a single leaf.
void renew_leaf(const sdk::Host& host, const LeafState& leaf, const AuthorityState& ca, std::int64_t validity_seconds);

} // namespace kubecert::kubeadm
