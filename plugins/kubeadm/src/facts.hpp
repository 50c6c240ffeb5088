#pragma once

#include <optional>
#include <string>
#include <vector>

#include <kubecert/sdk.hpp>

#include "cert_store.hpp"
#include "kubelet_facts.hpp"
#include "layout.hpp"
#include "node_layout.hpp"
#include "user_kubeconfig.hpp"

// What a kubeadm node says, read once through the host: where its certificates are, each CA and
// leaf with what the host found about its key and chain, and the kubelet's configuration. The
// findings are judged from these facts alone; fix acts on the same facts.
namespace kubecert::kubeadm {

inline constexpr const char* k_kubeconfig_dir = "/etc/kubernetes";
inline constexpr const char* k_manifests_dir = "/etc/kubernetes/manifests";
// kubeadm's CA rotation procedure, which every CA remediation cites.
inline constexpr const char* k_ca_rotation_doc =
    "https://kubernetes.io/docs/tasks/tls/manual-rotation-of-ca-certificates/";

// A CA as found on the node, and whether it can sign renewals.
struct AuthorityState {
    AuthoritySpec spec;
    LoadedCert cert;
    std::string key; // the CA key as stored, "" when absent (not checked against the CA until fix)
    // Why leaves of this CA cannot be renewed here ("" when they can).
    std::string cannot_sign;
};

// What the host said about a loaded leaf's chain and key.
struct LeafChecks {
    // Its CA's verdict when both were in their validity (a chain judged only on time says nothing
    // the expiry does not); nullopt when not asked.
    std::optional<sdk::VerifyResult> chain;
    // Whether the key belongs to the certificate; nullopt when there is no key or it is unreadable.
    std::optional<bool> key_matches;
    std::string key_error; // why the key could not be read ("" when it could)
};

// A leaf certificate as found on the node.
struct LeafState {
    LeafSpec spec;
    LoadedCert cert;
    LeafChecks checks;
};

// Every CA and leaf of the layout, in kubeadm's order.
struct PkiState {
    std::vector<AuthorityState> authorities;
    std::vector<LeafState> leaves;
    const AuthorityState* authority(const std::string& name) const {
        for (const auto& a : authorities)
            if (a.spec.name == name) return &a;
        return nullptr;
    }
    const LeafState* leaf(const std::string& name) const {
        for (const auto& l : leaves)
            if (l.spec.name == name) return &l;
        return nullptr;
    }
};

// The kubelet's client certificate as kubelet.conf names it (embedded, or the file it points at).
struct KubeletClientState {
    std::string kubelet_conf; // node path of kubelet.conf
    LoadedCert cert;
    std::string link_target; // where cert.path points when it is a symlink ("" otherwise)
    // The cluster CA's verdict on it when both are in their validity; nullopt when not asked.
    std::optional<sdk::VerifyResult> chain;
};

// Everything the audit learned.
struct Facts {
    NodeLayout node;
    Layout layout;
    PkiState pki;
    KubeletClientState kubelet_client;
    UserKubeconfigs user_kubeconfigs;
    KubeletSettings kubelet;
};

// True when the root looks like a kubeadm node: a kube-apiserver manifest, the cluster CA with its
// key or kubeadm's kubelet.conf, or a kubelet config.yaml with kubeadm-flags.env or kubelet.conf.
bool detect_kubeadm(const sdk::Host& host);

// Reads every CA and leaf of `layout`, with the host's verdicts on each leaf's chain and key.
PkiState read_pki(const sdk::Host& host, const Layout& layout);

// Reads the kubelet's client certificate through `kubelet_conf`, with the cluster CA's verdict on it.
KubeletClientState read_kubelet_client(const sdk::Host& host, const std::string& kubelet_conf, const PkiState& pki);

// Gathers the facts (layout, certificates, kubelet configuration) through the host, logging the
// layout's notes.
Facts gather_facts(const sdk::Host& host);

} // namespace kubecert::kubeadm
