// The kubeadm plugin: audits and renews the certificates of a kubeadm node,
// restarts its control plane the way the manual procedure does, and keeps the
// kubelet rotating its own certificates.
#include <optional>
#include <string>
#include <vector>

#include <kubecert/sdk.hpp>

#include "check_ids.hpp"
#include "facts.hpp"
#include "findings.hpp"
#include "fixes.hpp"
#include "kubelet_findings.hpp"
#include "serving_csrs.hpp"
#include "user_kubeconfig.hpp"

namespace kubecert::kubeadm {

class KubeadmPlugin {
public:
    // The name, checks and --kubeadm-* options the host lists and parses: constant data.
    // fix swaps kubelet-client-current.pem with replace_symlink (ABI 1.2).
    static constexpr std::uint32_t required_abi_minor = 2;
    static constexpr sdk::CheckDecl k_checks[] = {
        {k_ca_expiry_family, "Certificate authorities ca, etcd-ca, front-proxy-ca are valid"},
        {k_cert_expiry_family, "Leaf and kubeconfig client certificates are valid, signed by their CA, "
                               "match their key (kubelet-client included)"},
        {k_kubelet_client_rotation, "The kubelet rotates its client certificate"},
        {k_kubelet_server_rotation, "The kubelet rotates its serving certificate (serverTLSBootstrap)"},
        {k_kubelet_serving_csrs, "This node's kubelet-serving CSRs are approved (only when safe) and issued"},
        {k_user_kubeconfig_current, "~/.kube/config copies of admin.conf are current"},
        {k_renew_all, "Every leaf certificate renewed, as --kubeadm-renew-all asks (kubeadm certs renew all)"},
    };
    static constexpr sdk::OptionDecl k_options[] = {
        {"renew-all", nullptr,
         "fix renews every leaf certificate, not only the failing ones (kubeadm certs renew all)"},
        {"validity", "DURATION", "validity of renewed certificates", "8760h"},
        {"crictl", "PATH", "crictl used to watch the control plane restart", "crictl"},
        {"restart-timeout", "DURATION", "how long each control-plane restart wait may take", "120s"},
        {"api-kubeconfig", "PATH",
         "kubeconfig (node path) to read and approve this node's kubelet-serving CSRs with; never the kubelet's "
         "(default: /etc/kubernetes/admin.conf on the running system)"},
        {"kubelet-address", "HOST:PORT",
         "where fix checks the kubelet's served certificate after an approval (default: 127.0.0.1:10250 on the "
         "running system)"},
        {"csr-timeout", "DURATION", "how long fix waits for the kubelet's CSR and its served certificate", "120s"},
        {"enable-server-tls-bootstrap", nullptr,
         "fix turns on serverTLSBootstrap, approves the kubelet's serving CSR and checks what it serves; rolled "
         "back when no approvable CSR arrives"},
        {"pki-dir", "DIR",
         "kubeadm's certificatesDir, a node path under --root (default: certificatesDir of "
         "/etc/kubernetes/kubeadm-config.yaml, else /etc/kubernetes/pki, else kubespray's /etc/kubernetes/ssl)"},
    };
    static constexpr sdk::PluginInfo info() {
        return {"kubeadm", "1.0.0",
                "kubeadm control-plane and worker nodes: certificate expiry, renewal, kubelet rotation", k_checks,
                k_options};
    }

    // A kube-apiserver manifest, the cluster CA with kubeadm's files beside it, or a kubeadm worker.
    bool detect(sdk::Host& host) { return detect_kubeadm(host); }

    // Gathers the facts once and reports every finding and certificate.
    void audit(sdk::Host& host) {
        m_facts = gather_facts(host);
        const Clock clock{host.now(), host.warn_within()};
        auto findings = pki_findings(m_facts->pki, clock);
        findings.push_back(audit_kubelet_client(m_facts->kubelet_client, m_facts->pki, clock));
        findings.push_back(audit_client_rotation(m_facts->kubelet, host.benchmark()));
        findings.push_back(audit_server_rotation(m_facts->kubelet, host.benchmark(),
                                                 can_enable_server_tls_bootstrap(host, m_facts->kubelet)));
        if (host.check_selected(k_kubelet_serving_csrs))
            findings.push_back(audit_kubelet_serving_csrs(host, m_facts->kubelet));
        findings.push_back(audit_user_kubeconfigs(m_facts->user_kubeconfigs));
        // The audit after a fix runs on a new instance: the host says whether this run's fix renewed all.
        if (host.flag("renew-all"))
            findings.push_back(renew_all_request(m_facts->pki, host.fixed_in_this_run(k_renew_all)));
        m_errors.clear();
        for (const auto& f : findings) {
            // The cluster's CSRs do not bear on renewing this node's files: not a reason to refuse the fix.
            if (f.status == sdk::Status::error && f.id != k_kubelet_serving_csrs) m_errors.push_back(f.id);
            host.report(f);
        }
        for (const auto& c : certificate_rows(m_facts->pki)) host.report(c);
    }

    // Acts on the facts of the audit that just ran on this object (the host guarantees it).
    void fix(sdk::Host& host, const std::vector<std::string>& ids) {
        if (!m_facts) m_facts = gather_facts(host);
        apply_fixes(host, *m_facts, ids, m_errors);
    }

private:
    std::optional<Facts> m_facts;
    std::vector<std::string> m_errors;
};

} // namespace kubecert::kubeadm

KUBECERT_PLUGIN(kubecert::kubeadm::KubeadmPlugin)
