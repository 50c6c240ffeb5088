#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <kubecert/sdk.hpp>

#include "facts.hpp"

// The certificate verdicts: kubeadm.ca-expiry/*, kubeadm.cert-expiry/*, kubeadm.renew-all, judged
// from the facts alone (unit-tested without files).
namespace kubecert::kubeadm {

// The evaluation instant and warning window of a run.
struct Clock {
    std::int64_t now = 0;
    std::int64_t warn_within = 0;
};

// kubeadm.ca-expiry/<name>: the CA's validity; kubecert never renews a CA.
sdk::Finding authority_finding(const AuthorityState& ca, const Clock& clock);

// kubeadm.cert-expiry/<name>: the leaf's validity, its chain to its CA and its key; fixable when
// its CA can sign a replacement here.
sdk::Finding leaf_finding(const LeafState& leaf, const PkiState& pki, const Clock& clock);

// One finding per CA, then one per leaf, in kubeadm's order.
std::vector<sdk::Finding> pki_findings(const PkiState& pki, const Clock& clock);

// The certificates for the `certs` table: leaves then authorities, each in
// kubeadm's (alphabetical) order; absent or unreadable ones are left out.
std::vector<sdk::Certificate> certificate_rows(const PkiState& pki);

// kubeadm.renew-all: --kubeadm-renew-all is a request, not a defect; without a finding of its own,
// a fix on a node where nothing is due would have nothing to act on. `done` when this run's fix
// renewed them all.
sdk::Finding renew_all_request(const PkiState& pki, bool done);

// kubeadm.cert-expiry/kubelet-client: the kubelet's client certificate that kubelet.conf names
// (embedded, or the file it points at).
sdk::Finding audit_kubelet_client(const KubeletClientState& client, const PkiState& pki, const Clock& clock);

} // namespace kubecert::kubeadm
