#include "cert_checks.hpp"

#include "kubelet_client_renewal.hpp"

#include <kubecert/findings/expiry.hpp>
#include <kubecert/util/time.hpp>

namespace kubecert::kubeadm {

namespace {

constexpr const char* k_ca_rotation_doc = "https://kubernetes.io/docs/tasks/tls/manual-rotation-of-ca-certificates/";

// Higher is worse, so findings keep the worst of several problems.
int severity(sdk::Status s) {
    switch (s) {
    case sdk::Status::pass: return 0;
    case sdk::Status::info: return 0;
    case sdk::Status::warn: return 1;
    case sdk::Status::fail: return 2;
    case sdk::Status::error: return 3;
    }
    return 0;
}

void raise(sdk::Status& status, sdk::Status to) {
    if (severity(to) > severity(status)) status = to;
}

bool in_validity(const sdk::CertInfo& c, std::int64_t now) { return c.not_before <= now && now < c.not_after; }

// A verification failure caused only by time is the expiry check's business, not a broken chain.
bool is_time_reason(const std::string& reason) {
    return reason.find("expired") != std::string::npos || reason.find("not yet valid") != std::string::npos;
}

sdk::Finding absent_finding(const std::string& id, const std::string& title, const std::string& path,
                            const std::string& reason) {
    sdk::Finding f;
    f.id = id;
    f.title = title;
    f.status = sdk::Status::info;
    f.result = reason;
    f.evidence.push_back({path, "present", reason, ""});
    return f;
}

sdk::Finding error_finding(const std::string& id, const std::string& title, const LoadedCert& c,
                           const std::string& remediation) {
    sdk::Finding f;
    f.id = id;
    f.title = title;
    f.status = sdk::Status::error;
    f.result = "cannot read " + c.path + ": " + c.error;
    f.evidence.push_back({c.path, "certificate", c.error, "a readable certificate"});
    f.remediation = remediation;
    return f;
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
        a.cannot_sign = "its CA " + spec.cert_path + (a.cert.state == LoadState::absent ? " is absent" : " is unreadable");
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
        a.cannot_sign = "its CA " + spec.cert_path + " has expired: rotate the CA first (" +
                        std::string(k_ca_rotation_doc) + ")";
    }
    return a;
}

sdk::Finding audit_authority(const sdk::Host& host, const AuthorityState& a) {
    const std::string id = "kubeadm.ca-expiry/" + a.spec.name;
    const std::string title = "Certificate authority " + a.spec.name + " is valid and not about to expire";
    if (a.cert.state == LoadState::absent) return absent_finding(id, title, a.spec.cert_path, a.spec.absent_reason);
    if (a.cert.state == LoadState::error)
        return error_finding(id, title, a.cert, "Restore " + a.spec.cert_path + " from a backup.");
    sdk::Finding f;
    f.id = id;
    f.title = title;
    f.status = findings::expiry_status(a.cert.info.not_before, a.cert.info.not_after, host.now(), host.warn_within());
    f.evidence = findings::expiry_evidence(a.spec.cert_path, a.cert.info, host.now(), host.warn_within());
    f.result = findings::expiry_result(a.cert.info, host.now()) + (a.key.empty() ? "; its key is not on this node" : "");
    f.evidence.push_back({a.spec.key_path, "private key",
                          a.key.empty() ? "absent (externally managed CA)" : "present", ""});
    if (f.status == sdk::Status::fail || f.status == sdk::Status::warn)
        f.remediation = "kubecert never renews a certificate authority: every certificate it signed and every "
                        "kubeconfig that trusts it must change with it. Rotate " +
                        a.spec.name + " by hand, following " + k_ca_rotation_doc;
    return f;
}

LeafState evaluate_leaf(const sdk::Host& host, const LeafSpec& spec, const PkiState& pki, sdk::Finding& f) {
    LeafState s;
    s.spec = spec;
    s.cert = spec.holder == CertHolder::kubeconfig ? load_kubeconfig_cert(host, spec.cert_path)
                                                   : load_pem_pair(host, spec.cert_path, spec.key_path);
    f.id = "kubeadm.cert-expiry/" + spec.name;
    f.title = "Certificate " + spec.name + " is valid and not about to expire";
    if (s.cert.state == LoadState::absent) {
        f = absent_finding(f.id, f.title, spec.cert_path, spec.absent_reason);
        s.status = f.status;
        return s;
    }
    if (s.cert.state == LoadState::error) {
        f = error_finding(f.id, f.title, s.cert,
                          "Repair or restore " + s.cert.path + "; nothing is renewed while it is unreadable.");
        s.status = f.status;
        return s;
    }
    const auto now = host.now();
    const auto& info = s.cert.info;
    const AuthorityState* ca = pki.authority(spec.authority);
    f.status = findings::expiry_status(info.not_before, info.not_after, now, host.warn_within());
    f.evidence = findings::expiry_evidence(s.cert.path, info, now, host.warn_within());
    f.result = findings::expiry_result(info, now);
    std::string ca_text = spec.authority;
    if (ca) ca_text += " (" + ca->spec.cert_path + ")";
    if (ca && ca->cert.state == LoadState::loaded && ca->key.empty()) ca_text += ", externally managed";
    f.evidence.push_back({s.cert.path, "issuing CA", ca_text, ""});

    std::vector<std::string> problems;
    try {
        if (ca && ca->cert.state == LoadState::loaded && in_validity(info, now) && in_validity(ca->cert.info, now)) {
            const auto v = host.verify_cert(info.pem, ca->cert.info.pem);
            if (!v.ok && !is_time_reason(v.reason)) {
                raise(f.status, sdk::Status::fail);
                f.evidence.push_back({s.cert.path, "verifies against " + ca->spec.cert_path, "no: " + v.reason, "yes"});
                problems.push_back("it is not signed by the CA on disk");
                f.result = "not signed by " + ca->spec.cert_path + "; " + f.result;
            }
        }
        if (s.cert.key.empty()) {
            raise(f.status, sdk::Status::fail);
            f.evidence.push_back({s.cert.key_path, "private key", "absent", "present, matching the certificate"});
            problems.push_back("its private key is missing");
            f.result = "private key " + s.cert.key_path + " is missing; " + f.result;
        } else if (!host.key_matches_cert(s.cert.key, info.pem)) {
            raise(f.status, sdk::Status::fail);
            f.evidence.push_back({s.cert.key_path, "private key", "does not match the certificate",
                                  "matches the certificate"});
            problems.push_back("its private key does not match it");
            f.result = "private key " + s.cert.key_path + " does not match it; " + f.result;
        }
    } catch (const sdk::Error& e) {
        f.status = sdk::Status::error;
        f.result = "cannot read the private key " + s.cert.key_path + ": " + e.what();
        f.evidence.push_back({s.cert.key_path, "private key", e.what(), "a readable key"});
        f.remediation = "Repair or restore " + s.cert.key_path + "; nothing is renewed while it is unreadable.";
        s.status = f.status;
        return s;
    }
    s.status = f.status;
    if (f.status != sdk::Status::fail && f.status != sdk::Status::warn) return s;

    const std::string why = problems.empty() ? (f.status == sdk::Status::fail ? "it has expired or is not yet valid"
                                                                             : "it expires within the warning window")
                                             : problems.front();
    if (ca && ca->cannot_sign.empty()) {
        s.renewable = true;
        f.fixable = true;
        // The same words for every certificate, so a report lists them once for all.
        f.remediation = "Renew with `kubecert --flavor kubeadm fix`, which also restarts the control plane so it "
                        "loads the new certificates (by hand: `kubeadm certs renew <name>`, then restart the "
                        "control-plane static pods).";
    } else {
        f.remediation = spec.name + " cannot be renewed on this node (" + why + "): " +
                        (ca ? ca->cannot_sign : "its CA " + spec.authority + " is unknown") + ".";
    }
    return s;
}

} // namespace

const AuthorityState* PkiState::authority(const std::string& name) const {
    for (const auto& a : authorities)
        if (a.spec.name == name) return &a;
    return nullptr;
}

PkiState audit_pki(const sdk::Host& host, const Layout& layout, std::vector<sdk::Finding>& findings) {
    PkiState pki;
    for (const auto& spec : layout.authorities) pki.authorities.push_back(load_authority(host, spec));
    for (const auto& a : pki.authorities) findings.push_back(audit_authority(host, a));
    for (const auto& spec : layout.leaves) {
        sdk::Finding f;
        pki.leaves.push_back(evaluate_leaf(host, spec, pki, f));
        findings.push_back(std::move(f));
    }
    return pki;
}

std::vector<sdk::Certificate> certificate_rows(const PkiState& pki) {
    std::vector<sdk::Certificate> rows;
    for (const auto& l : pki.leaves) {
        if (l.cert.state != LoadState::loaded) continue;
        const auto* ca = pki.authority(l.spec.authority);
        const bool external =
            ca && ((ca->cert.state == LoadState::loaded && ca->key.empty()) || !ca->spec.managed_by.empty());
        rows.push_back({l.spec.name, l.cert.path, l.cert.info.subject, l.cert.info.issuer, l.cert.info.not_before,
                        l.cert.info.not_after, l.spec.authority, external, false});
    }
    for (const auto& a : pki.authorities) {
        if (a.cert.state != LoadState::loaded) continue;
        rows.push_back({a.spec.name, a.spec.cert_path, a.cert.info.subject, a.cert.info.issuer, a.cert.info.not_before,
                        a.cert.info.not_after, "", a.key.empty() || !a.spec.managed_by.empty(), true});
    }
    return rows;
}

sdk::Finding audit_kubelet_client(const sdk::Host& host, const std::string& kubelet_conf, const PkiState& pki) {
    const std::string id = "kubeadm.cert-expiry/kubelet-client";
    const std::string title = "The kubelet's client certificate is valid and not about to expire";
    const auto c = load_kubeconfig_cert(host, kubelet_conf);
    if (c.state == LoadState::absent)
        return absent_finding(id, title, kubelet_conf, "not present: the kubelet has not joined a cluster");
    if (c.state == LoadState::error && c.no_client_cert)
        return absent_finding(id, title, kubelet_conf, "no client certificate: " + c.error);
    if (c.state == LoadState::error)
        return error_finding(id, title, c, "Repair " + kubelet_conf + " or the certificate it points at.");
    sdk::Finding f;
    f.id = id;
    f.title = title;
    const auto now = host.now();
    f.status = findings::expiry_status(c.info.not_before, c.info.not_after, now, host.warn_within());
    f.evidence = findings::expiry_evidence(c.path, c.info, now, host.warn_within());
    f.result = findings::expiry_result(c.info, now);
    if (!c.embedded) {
        f.evidence.insert(f.evidence.begin(), {kubelet_conf, "users[].user.client-certificate", c.path, ""});
        if (host.lstat(c.path).type == KUBECERT_FILE_SYMLINK)
            f.evidence.push_back({c.path, "symlink to", host.resolve_path(c.path), ""});
    }
    const auto* ca = pki.authority("ca");
    if (ca && ca->cert.state == LoadState::loaded && in_validity(c.info, now) && in_validity(ca->cert.info, now)) {
        const auto v = host.verify_cert(c.info.pem, ca->cert.info.pem);
        if (!v.ok && !is_time_reason(v.reason)) {
            f.status = sdk::Status::fail;
            f.evidence.push_back({c.path, "verifies against " + ca->spec.cert_path, "no: " + v.reason, "yes"});
            f.result = "not signed by " + ca->spec.cert_path + "; " + f.result;
        }
    }
    if (f.status == sdk::Status::fail || f.status == sdk::Status::warn) {
        // An embedded certificate is kubeadm's documented upgrade case (kubelet.conf written before the
        // kubelet rotated into kubelet-client-current.pem, or by kubeadm before 1.17): the kubelet never
        // rewrites kubelet.conf, so its rotation may well work while this copy ages.
        f.evidence.push_back(
            {c.path, "rotation",
             c.embedded ? "kubelet.conf embeds its first client certificate (client-certificate-data), kubeadm's "
                          "documented case after an upgrade: the kubelet rotates into "
                          "/var/lib/kubelet/pki/kubelet-client-current.pem but never rewrites kubelet.conf, so "
                          "point kubelet.conf at that file"
                        : "the kubelet renews this certificate itself well before it expires (kubeadm leaves it "
                          "out for that reason); one this close to expiry means that rotation is broken",
             c.embedded ? "client-certificate: /var/lib/kubelet/pki/kubelet-client-current.pem"
                        : "renewed by the kubelet"});
        set_kubelet_client_remedy(f, c, pki);
    }
    return f;
}

} // namespace kubecert::kubeadm
