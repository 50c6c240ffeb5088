#pragma once

#include <string>
#include <vector>

#include <kubecert/sdk.hpp>

#include "cert_store.hpp"
#include "layout.hpp"

// The certificate checks: kubeadm.ca-expiry/*, kubeadm.cert-expiry/*.
namespace kubecert::kubeadm {

// A CA as found on the node, and whether it can sign renewals.
struct AuthorityState {
    AuthoritySpec spec;
    LoadedCert cert;
    std::string key;        // the CA key as stored, "" when absent (not checked against the CA until fix)
    // Why leaves of this CA cannot be renewed here ("" when they can).
    std::string cannot_sign;
};

// A leaf certificate as found on the node, with its audit outcome.
struct LeafState {
    LeafSpec spec;
    LoadedCert cert;
    sdk::Status status = sdk::Status::pass;
    bool renewable = false; // its CA can sign a replacement on this node
};

// Everything the certificate audit learnt, kept for fix().
struct PkiState {
    std::vector<AuthorityState> authorities;
    std::vector<LeafState> leaves;
    const AuthorityState* authority(const std::string& name) const;
};

// Reads every CA and leaf of `layout` and evaluates them as of host.now().
// Appends one finding per CA and per leaf to `findings`, in kubeadm's order.
PkiState audit_pki(const sdk::Host& host, const Layout& layout, std::vector<sdk::Finding>& findings);

// The certificates for the `certs` table: leaves then authorities, each in
// kubeadm's (alphabetical) order; absent or unreadable ones are left out.
std::vector<sdk::Certificate> certificate_rows(const PkiState& pki);

// kubeadm.cert-expiry/kubelet-client: the kubelet's client certificate named
// by `kubelet_conf` (embedded, or the file it points at).
sdk::Finding audit_kubelet_client(const sdk::Host& host, const std::string& kubelet_conf, const PkiState& pki);

} // namespace kubecert::kubeadm
