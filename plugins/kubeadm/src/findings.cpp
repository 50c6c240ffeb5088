#include "findings.hpp"

#include "check_ids.hpp"

#include "kubelet_client_renewal.hpp"

#include <kubecert/findings/expiry.hpp>
#include <kubecert/util/time.hpp>

namespace kubecert::kubeadm {

namespace {

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

sdk::Finding authority_finding_of(const AuthorityState& a, const Clock& clock) {
    const std::string id = k_ca_expiry_prefix + a.spec.name;
    const std::string title = "Certificate authority " + a.spec.name + " is valid and not about to expire";
    if (a.cert.state == LoadState::absent) return absent_finding(id, title, a.spec.cert_path, a.spec.absent_reason);
    if (a.cert.state == LoadState::error)
        return error_finding(id, title, a.cert, "Restore " + a.spec.cert_path + " from a backup.");
    sdk::Finding f;
    f.id = id;
    f.title = title;
    f.status = findings::expiry_status(a.cert.info.not_before, a.cert.info.not_after, clock.now, clock.warn_within);
    f.evidence = findings::expiry_evidence(a.spec.cert_path, a.cert.info, clock.now, clock.warn_within);
    f.result = findings::expiry_result(a.cert.info, clock.now) + (a.key.empty() ? "; its key is not on this node" : "");
    f.evidence.push_back(
        {a.spec.key_path, "private key", a.key.empty() ? "absent (externally managed CA)" : "present", ""});
    if (f.status == sdk::Status::fail || f.status == sdk::Status::warn)
        f.remediation = "kubecert never renews a certificate authority: every certificate it signed and every "
                        "kubeconfig that trusts it must change with it. Rotate " +
                        a.spec.name + " by hand, following " + k_ca_rotation_doc;
    return f;
}

// Where the leaf stands on time alone, naming its issuing CA.
sdk::Finding leaf_expiry(const LeafState& leaf, const AuthorityState* ca, const Clock& clock) {
    sdk::Finding f;
    f.id = k_cert_expiry_prefix + leaf.spec.name;
    f.title = "Certificate " + leaf.spec.name + " is valid and not about to expire";
    const auto& info = leaf.cert.info;
    f.status = findings::expiry_status(info.not_before, info.not_after, clock.now, clock.warn_within);
    f.evidence = findings::expiry_evidence(leaf.cert.path, info, clock.now, clock.warn_within);
    f.result = findings::expiry_result(info, clock.now);
    std::string ca_text = leaf.spec.authority;
    if (ca) ca_text += " (" + ca->spec.cert_path + ")";
    if (ca && ca->cert.state == LoadState::loaded && ca->key.empty()) ca_text += ", externally managed";
    f.evidence.push_back({leaf.cert.path, "issuing CA", ca_text, ""});
    return f;
}

// Fails `f` for a broken chain or key; returns the first problem ("" when none).
std::string judge_chain_and_key(sdk::Finding& f, const LeafState& leaf, const AuthorityState* ca) {
    std::string first;
    const auto& path = leaf.cert.path;
    if (leaf.checks.chain && !leaf.checks.chain->ok && !is_time_reason(leaf.checks.chain->reason)) {
        raise(f.status, sdk::Status::fail);
        f.evidence.push_back(
            {path, "verifies against " + ca->spec.cert_path, "no: " + leaf.checks.chain->reason, "yes"});
        first = "it is not signed by the CA on disk";
        f.result = "not signed by " + ca->spec.cert_path + "; " + f.result;
    }
    const auto& key_path = leaf.cert.key_path;
    if (leaf.cert.key.empty()) {
        raise(f.status, sdk::Status::fail);
        f.evidence.push_back({key_path, "private key", "absent", "present, matching the certificate"});
        if (first.empty()) first = "its private key is missing";
        f.result = "private key " + key_path + " is missing; " + f.result;
    } else if (leaf.checks.key_matches == false) {
        raise(f.status, sdk::Status::fail);
        f.evidence.push_back({key_path, "private key", "does not match the certificate", "matches the certificate"});
        if (first.empty()) first = "its private key does not match it";
        f.result = "private key " + key_path + " does not match it; " + f.result;
    }
    return first;
}

// The remediation of a FAIL or WARN leaf: kubecert's fix where its CA can sign, else why not.
void set_leaf_remedy(sdk::Finding& f, const LeafState& leaf, const AuthorityState* ca, const std::string& problem) {
    const std::string why = !problem.empty()                ? problem
                            : f.status == sdk::Status::fail ? "it has expired or is not yet valid"
                                                            : "it expires within the warning window";
    if (ca && ca->cannot_sign.empty()) {
        f.fixable = true;
        // The same words for every certificate, so a report lists them once for all.
        f.remediation = "Renew with `kubecert --flavor kubeadm fix`, which also restarts the control plane so it "
                        "loads the new certificates (by hand: `kubeadm certs renew <name>`, then restart the "
                        "control-plane static pods).";
    } else {
        f.remediation = leaf.spec.name + " cannot be renewed on this node (" + why +
                        "): " + (ca ? ca->cannot_sign : "its CA " + leaf.spec.authority + " is unknown") + ".";
    }
}

// The evidence of a kubelet client certificate close to or past its expiry: kubeadm's documented
// upgrade case when kubelet.conf embeds it, broken rotation when it is the kubelet's own file.
sdk::Evidence kubelet_client_rotation_row(const LoadedCert& c) {
    // An embedded certificate is kubeadm's documented upgrade case (kubelet.conf written before the
    // kubelet rotated into kubelet-client-current.pem, or by kubeadm before 1.17): the kubelet never
    // rewrites kubelet.conf, so its rotation may well work while this copy ages.
    return {c.path, "rotation",
            c.embedded ? "kubelet.conf embeds its first client certificate (client-certificate-data), kubeadm's "
                         "documented case after an upgrade: the kubelet rotates into "
                         "/var/lib/kubelet/pki/kubelet-client-current.pem but never rewrites kubelet.conf, so "
                         "point kubelet.conf at that file"
                       : "the kubelet renews this certificate itself well before it expires (kubeadm leaves it "
                         "out for that reason); one this close to expiry means that rotation is broken",
            c.embedded ? "client-certificate: /var/lib/kubelet/pki/kubelet-client-current.pem"
                       : "renewed by the kubelet"};
}

} // namespace

sdk::Finding authority_finding(const AuthorityState& ca, const Clock& clock) {
    return authority_finding_of(ca, clock);
}

sdk::Finding leaf_finding(const LeafState& leaf, const PkiState& pki, const Clock& clock) {
    const std::string id = k_cert_expiry_prefix + leaf.spec.name;
    const std::string title = "Certificate " + leaf.spec.name + " is valid and not about to expire";
    if (leaf.cert.state == LoadState::absent)
        return absent_finding(id, title, leaf.spec.cert_path, leaf.spec.absent_reason);
    if (leaf.cert.state == LoadState::error)
        return error_finding(id, title, leaf.cert,
                             "Repair or restore " + leaf.cert.path + "; nothing is renewed while it is unreadable.");
    const AuthorityState* ca = pki.authority(leaf.spec.authority);
    sdk::Finding f = leaf_expiry(leaf, ca, clock);
    if (!leaf.checks.key_error.empty()) {
        f.status = sdk::Status::error;
        f.result = "cannot read the private key " + leaf.cert.key_path + ": " + leaf.checks.key_error;
        f.evidence.push_back({leaf.cert.key_path, "private key", leaf.checks.key_error, "a readable key"});
        f.remediation = "Repair or restore " + leaf.cert.key_path + "; nothing is renewed while it is unreadable.";
        return f;
    }
    const std::string problem = judge_chain_and_key(f, leaf, ca);
    if (f.status == sdk::Status::fail || f.status == sdk::Status::warn) set_leaf_remedy(f, leaf, ca, problem);
    return f;
}

std::vector<sdk::Finding> pki_findings(const PkiState& pki, const Clock& clock) {
    std::vector<sdk::Finding> out;
    for (const auto& a : pki.authorities) out.push_back(authority_finding(a, clock));
    for (const auto& l : pki.leaves) out.push_back(leaf_finding(l, pki, clock));
    return out;
}

sdk::Finding renew_all_request(const PkiState& pki, bool done) {
    sdk::Finding f;
    f.id = k_renew_all;
    std::size_t renewable = 0;
    for (const auto& l : pki.leaves)
        if (l.cert.state == LoadState::loaded) ++renewable;
    if (done) {
        f.title = "every leaf certificate was renewed in this run (--kubeadm-renew-all)";
        return f;
    }
    f.status = sdk::Status::warn;
    f.title =
        "--kubeadm-renew-all asks to renew all " + std::to_string(renewable) + " leaf certificates; `fix` does it";
    f.remediation = "kubecert --flavor kubeadm fix --kubeadm-renew-all";
    f.fixable = renewable > 0;
    return f;
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

sdk::Finding audit_kubelet_client(const KubeletClientState& client, const PkiState& pki, const Clock& clock) {
    const std::string id = k_kubelet_client_expiry;
    const std::string title = "The kubelet's client certificate is valid and not about to expire";
    const auto& c = client.cert;
    const auto& kubelet_conf = client.kubelet_conf;
    if (c.state == LoadState::absent)
        return absent_finding(id, title, kubelet_conf, "not present: the kubelet has not joined a cluster");
    if (c.state == LoadState::error && c.no_client_cert)
        return absent_finding(id, title, kubelet_conf, "no client certificate: " + c.error);
    if (c.state == LoadState::error)
        return error_finding(id, title, c, "Repair " + kubelet_conf + " or the certificate it points at.");
    sdk::Finding f;
    f.id = id;
    f.title = title;
    f.status = findings::expiry_status(c.info.not_before, c.info.not_after, clock.now, clock.warn_within);
    f.evidence = findings::expiry_evidence(c.path, c.info, clock.now, clock.warn_within);
    f.result = findings::expiry_result(c.info, clock.now);
    if (!c.embedded) {
        f.evidence.insert(f.evidence.begin(), {kubelet_conf, "users[].user.client-certificate", c.path, ""});
        if (!client.link_target.empty()) f.evidence.push_back({c.path, "symlink to", client.link_target, ""});
    }
    const auto* ca = pki.authority("ca");
    if (ca && client.chain && !client.chain->ok && !is_time_reason(client.chain->reason)) {
        f.status = sdk::Status::fail;
        f.evidence.push_back({c.path, "verifies against " + ca->spec.cert_path, "no: " + client.chain->reason, "yes"});
        f.result = "not signed by " + ca->spec.cert_path + "; " + f.result;
    }
    if (f.status == sdk::Status::fail || f.status == sdk::Status::warn) {
        f.evidence.push_back(kubelet_client_rotation_row(c));
        set_kubelet_client_remedy(f, c, pki);
    }
    return f;
}

} // namespace kubecert::kubeadm
