#include "facts.hpp"

namespace kubecert::kubeadm {

namespace {

bool in_validity(const sdk::CertInfo& c, std::int64_t now) {
    return c.not_before <= now && now < c.not_after;
}

AuthorityState load_authority(const sdk::Host& host, const AuthoritySpec& spec) {
    AuthorityState a;
    a.spec = spec;
    a.cert = load_pem_pair(host, spec.cert_path, spec.key_path);
    a.key = a.cert.key;
    if (!spec.managed_by.empty()) {
        a.cannot_sign = spec.managed_by;
        return a;
    }
    if (a.cert.state != LoadState::loaded) {
        a.cannot_sign =
            "its CA " + spec.cert_path + (a.cert.state == LoadState::absent ? " is absent" : " is unreadable");
        return a;
    }
    if (a.key.empty()) {
        a.cannot_sign = "its CA is externally managed: " + spec.key_path +
                        " is not on this node; renew it where the CA key is kept";
        return a;
    }
    // Whether the key belongs to the CA is checked by fix, before signing with it: parsing a
    // private key is the most expensive step of an audit, and only a renewal needs the CA's.
    if (a.cert.info.not_after <= host.now()) {
        a.cannot_sign =
            "its CA " + spec.cert_path + " has expired: rotate the CA first (" + std::string(k_ca_rotation_doc) + ")";
    }
    return a;
}

// Loads the leaf `spec` and asks the host about its chain (when both it and its CA are in their
// validity) and its key. A key or chain the host cannot read is recorded, not thrown.
LeafState read_leaf(const sdk::Host& host, const LeafSpec& spec, const PkiState& pki) {
    LeafState leaf;
    leaf.spec = spec;
    leaf.cert = spec.holder == CertHolder::kubeconfig ? load_kubeconfig_cert(host, spec.cert_path)
                                                      : load_pem_pair(host, spec.cert_path, spec.key_path);
    if (leaf.cert.state != LoadState::loaded) return leaf;
    const auto now = host.now();
    const auto& info = leaf.cert.info;
    const AuthorityState* ca = pki.authority(spec.authority);
    try {
        if (ca && ca->cert.state == LoadState::loaded && in_validity(info, now) && in_validity(ca->cert.info, now))
            leaf.checks.chain = host.verify_cert(info.pem, ca->cert.info.pem);
        if (!leaf.cert.key.empty()) leaf.checks.key_matches = host.key_matches_cert(leaf.cert.key, info.pem);
    } catch (const sdk::Error& e) {
        leaf.checks.key_error = e.what();
    }
    return leaf;
}

} // namespace

bool detect_kubeadm(const sdk::Host& host) {
    const auto pki = discover_layout(host, host.option("pki-dir")).pki_dir;
    if (host.exists(std::string(k_manifests_dir) + "/kube-apiserver.yaml")) return true;
    // EKS nodes also keep the cluster CA in pki/ca.crt; kubeadm nodes have its key (control
    // plane) or kubeadm's kubelet.conf (workers) next to it. kubespray's certificatesDir is
    // /etc/kubernetes/ssl (discover_layout), where RKE keeps kube-ca.pem, never ca.crt.
    if (host.exists(pki + "/ca.crt") &&
        (host.exists(pki + "/ca.key") || host.exists(std::string(k_kubeconfig_dir) + "/kubelet.conf")))
        return true;
    // A kubeadm worker: kubeadm writes kubeadm-flags.env next to the kubelet's config.yaml.
    return host.exists("/var/lib/kubelet/config.yaml") &&
           (host.exists("/var/lib/kubelet/kubeadm-flags.env") || host.exists("/etc/kubernetes/kubelet.conf"));
}

KubeletClientState read_kubelet_client(const sdk::Host& host, const std::string& kubelet_conf, const PkiState& pki) {
    KubeletClientState k;
    k.kubelet_conf = kubelet_conf;
    k.cert = load_kubeconfig_cert(host, kubelet_conf);
    if (k.cert.state != LoadState::loaded) return k;
    if (!k.cert.embedded && host.lstat(k.cert.path).type == KUBECERT_FILE_SYMLINK)
        k.link_target = host.resolve_path(k.cert.path);
    const auto now = host.now();
    const auto* ca = pki.authority("ca");
    if (ca && ca->cert.state == LoadState::loaded && in_validity(k.cert.info, now) && in_validity(ca->cert.info, now))
        k.chain = host.verify_cert(k.cert.info.pem, ca->cert.info.pem);
    return k;
}

PkiState read_pki(const sdk::Host& host, const Layout& layout) {
    PkiState pki;
    for (const auto& spec : layout.authorities) pki.authorities.push_back(load_authority(host, spec));
    for (const auto& spec : layout.leaves) pki.leaves.push_back(read_leaf(host, spec, pki));
    return pki;
}

Facts gather_facts(const sdk::Host& host) {
    Facts facts;
    facts.node = discover_layout(host, host.option("pki-dir"));
    host.debug("certificatesDir " + facts.node.pki_dir + " (" + facts.node.pki_origin + ")" +
               (facts.node.etcd ? ", external etcd from " + facts.node.etcd->source : std::string()));
    for (const auto& note : facts.node.notes) host.warn(note);
    facts.layout = layout_for(host, facts.node, k_kubeconfig_dir);
    facts.pki = read_pki(host, facts.layout);
    facts.kubelet_client = read_kubelet_client(host, std::string(k_kubeconfig_dir) + "/kubelet.conf", facts.pki);
    const LoadedCert absent;
    const auto* admin = facts.pki.leaf("admin.conf");
    const auto* super_admin = facts.pki.leaf("super-admin.conf");
    facts.user_kubeconfigs =
        read_user_kubeconfigs(host, admin ? admin->cert : absent, super_admin ? super_admin->cert : absent);
    facts.kubelet = read_kubelet_settings(host);
    return facts;
}

} // namespace kubecert::kubeadm
