// The kubeadm plugin: audits and renews the certificates of a kubeadm node,
// restarts its control plane the way the manual procedure does, and keeps the
// kubelet rotating its own certificates.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <kubecert/formats/parse_error.hpp>
#include <kubecert/formats/yaml_edit.hpp>
#include <kubecert/sdk.hpp>
#include <kubecert/util/time.hpp>

#include "cert_checks.hpp"
#include "kubelet_checks.hpp"
#include "kubelet_client_renewal.hpp"
#include "kubelet_settings.hpp"
#include "layout.hpp"
#include "node_layout.hpp"
#include "renewal.hpp"
#include "restart.hpp"
#include "user_kubeconfig.hpp"

namespace kubecert::kubeadm {

namespace {

constexpr const char* k_kubeconfig_dir = "/etc/kubernetes";
constexpr const char* k_manifests_dir = "/etc/kubernetes/manifests";
constexpr const char* k_cert_expiry_prefix = "kubeadm.cert-expiry/";
constexpr const char* k_kubelet_client_id = "kubeadm.cert-expiry/kubelet-client";
constexpr const char* k_renew_all_id = "kubeadm.renew-all";

// Set by a fix that renewed every leaf on --kubeadm-renew-all. The after-audit runs in a new
// instance of this plugin in the same process; it reads this to report the request as done.
bool g_renewed_all = false;

// Parses a duration option, naming the option when it is malformed.
std::int64_t duration_option(const sdk::Host& host, const std::string& name, const std::string& fallback) {
    const auto text = host.option(name).value_or(fallback);
    const auto seconds = util::parse_duration(text);
    if (!seconds || *seconds <= 0)
        throw sdk::Error(KUBECERT_ERR_INVALID, "--kubeadm-" + name + ": not a duration: \"" + text + "\"");
    return *seconds;
}

} // namespace

class KubeadmPlugin {
public:
    // fix swaps kubelet-client-current.pem with replace_symlink (ABI 1.2).
    static constexpr std::uint32_t required_abi_minor = 2;
    static constexpr sdk::CheckDecl k_checks[] = {
        {"kubeadm.ca-expiry/<name>", "Certificate authorities ca, etcd-ca, front-proxy-ca are valid"},
        {"kubeadm.cert-expiry/<name>", "Leaf and kubeconfig client certificates are valid, signed by their CA, "
                                       "match their key (kubelet-client included)"},
        {"kubeadm.kubelet-client-rotation", "The kubelet rotates its client certificate"},
        {"kubeadm.kubelet-server-rotation", "The kubelet rotates its serving certificate (serverTLSBootstrap)"},
        {"kubeadm.user-kubeconfig-current", "~/.kube/config copies of admin.conf are current"},
        {k_renew_all_id, "Every leaf certificate renewed, as --kubeadm-renew-all asks (kubeadm certs renew all)"},
    };
    static constexpr sdk::OptionDecl k_options[] = {
        {"renew-all", nullptr, "fix renews every leaf certificate, not only the failing ones (kubeadm certs renew all)"},
        {"validity", "DURATION", "validity of renewed certificates", "8760h"},
        {"crictl", "PATH", "crictl used to watch the control plane restart", "crictl"},
        {"restart-timeout", "DURATION", "how long each control-plane restart wait may take", "120s"},
        {"pki-dir", "DIR",
         "kubeadm's certificatesDir, a node path under --root (default: certificatesDir of "
         "/etc/kubernetes/kubeadm-config.yaml, else /etc/kubernetes/pki, else kubespray's /etc/kubernetes/ssl)"},
    };
    static constexpr sdk::PluginInfo info() {
        return {"kubeadm", "1.0.0",
                "kubeadm control-plane and worker nodes: certificate expiry, renewal, kubelet rotation", k_checks,
                k_options};
    }

    bool detect(sdk::Host& host) {
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

    void audit(sdk::Host& host) {
        const NodeLayout node = discover_layout(host, host.option("pki-dir"));
        host.debug("certificatesDir " + node.pki_dir + " (" + node.pki_origin + ")" +
                   (node.etcd ? ", external etcd from " + node.etcd->source : std::string()));
        for (const auto& note : node.notes)
            host.warn(note);
        m_layout = layout_for(host, node, k_kubeconfig_dir);
        std::vector<sdk::Finding> findings;
        m_pki = audit_pki(host, m_layout, findings);
        findings.push_back(audit_kubelet_client(host, std::string(k_kubeconfig_dir) + "/kubelet.conf", m_pki));
        m_kubelet = read_kubelet_settings(host);
        findings.push_back(audit_client_rotation(m_kubelet, host.benchmark()));
        findings.push_back(audit_server_rotation(m_kubelet, host.benchmark()));
        findings.push_back(audit_user_kubeconfigs(host, leaf("admin.conf").cert, leaf("super-admin.conf").cert));
        if (host.flag("renew-all")) findings.push_back(renew_all_request());
        m_errors.clear();
        for (const auto& f : findings) {
            if (f.status == sdk::Status::error) m_errors.push_back(f.id);
            host.report(f);
        }
        for (const auto& c : certificate_rows(m_pki)) host.report(c);
    }

    void fix(sdk::Host& host, const std::vector<std::string>& ids) {
        // Renewing and restarting around a file we could not read is how outages start.
        if (!m_errors.empty()) {
            std::string list;
            for (const auto& id : m_errors) list += (list.empty() ? "" : ", ") + id;
            throw sdk::Error(KUBECERT_ERR_FAILED,
                             "nothing fixed: the audit could not evaluate " + list + "; repair that input first");
        }
        const std::set<std::string> wanted(ids.begin(), ids.end());
        const auto validity = duration_option(host, "validity", "8760h");
        RestartOptions restart;
        restart.crictl = host.option("crictl").value_or("crictl");
        restart.timeout_seconds = duration_option(host, "restart-timeout", "120s");

        std::string restart_reason;
        bool renewed_admin = false;
        std::vector<Renewal> renewals;
        for (const auto& l : m_pki.leaves) {
            const auto id = k_cert_expiry_prefix + l.spec.name;
            const bool asked = wanted.count(id) > 0;
            if (!asked && !(host.flag("renew-all") && l.cert.state == LoadState::loaded)) continue;
            const auto* ca = m_pki.authority(l.spec.authority);
            if (!ca || !ca->cannot_sign.empty()) {
                host.warn(l.spec.name + " not renewed: " + (ca ? ca->cannot_sign : "unknown CA"));
                continue;
            }
            if (!ca_key_usable(host, *ca)) {
                host.warn(l.spec.name + " not renewed: its CA key " + ca->spec.key_path + " does not belong to " +
                          ca->spec.cert_path);
                continue;
            }
            renewals.push_back({&l, ca});
        }
        // One batch: the host generates the keys concurrently; then each is written, key first.
        const auto issued = issue_renewals(host, renewals, validity);
        if (wanted.count(k_renew_all_id)) g_renewed_all = true;
        for (std::size_t i = 0; i < renewals.size(); ++i) {
            const LeafState& l = *renewals[i].leaf;
            const auto id = k_cert_expiry_prefix + l.spec.name;
            host.begin_action(id);
            write_renewed(host, l, issued[i]);
            host.info(std::string(host.dry_run() ? "would renew " : "renewed ") + l.spec.name + " (" + l.cert.path + ")");
            if (is_user_kubeconfig(l.spec.name)) renewed_admin = true;
            else if (restart_reason.empty()) restart_reason = id;
        }
        // Renewing admin.conf makes its copies in ~/.kube/config stale even if they were current at audit time.
        if (renewed_admin || wanted.count("kubeadm.user-kubeconfig-current"))
            for (const auto& path : refresh_user_kubeconfigs(host, k_kubeconfig_dir))
                host.info(std::string(host.dry_run() ? "would refresh " : "refreshed ") + path + " from admin.conf");

        bool kubelet_changed = false;
        if (wanted.count("kubeadm.kubelet-client-rotation") && m_kubelet.config_text) {
            host.begin_action("kubeadm.kubelet-client-rotation");
            const auto updated = formats::yaml_set_scalar(*m_kubelet.config_text, m_kubelet.config_path,
                                                          {"rotateCertificates"}, "true");
            host.write_file(m_kubelet.config_path, updated);
            kubelet_changed = updated != *m_kubelet.config_text;
        }

        // The kubelet's own client certificate, which it could not rotate while the API server was down.
        bool kubelet_client_renewed = false;
        if (wanted.count(k_kubelet_client_id)) {
            const auto* ca = m_pki.authority("ca");
            if (ca && ca_key_usable(host, *ca)) {
                host.begin_action(k_kubelet_client_id);
                renew_kubelet_client(host, std::string(k_kubeconfig_dir) + "/kubelet.conf", *ca, validity);
                kubelet_client_renewed = true;
            } else if (ca) {
                host.warn("kubelet-client not renewed: its CA key " + ca->spec.key_path + " does not belong to " +
                          ca->spec.cert_path);
            }
        }

        // Restarts act on the running system only: on a mounted image they would move manifests
        // and restart services of the machine running kubecert.
        const auto live = host.live_system();
        if (host.no_restart() || !live.live) {
            const std::string why =
                host.no_restart() ? std::string("--no-restart") : "not the running system (" + live.reason + ")";
            if (!restart_reason.empty())
                host.info(why + ": restart the control plane yourself so it loads the renewed certificates");
            if (kubelet_changed || kubelet_client_renewed)
                host.info(why + ": restart the kubelet yourself (systemctl restart kubelet)");
            return;
        }
        if (!restart_reason.empty()) {
            host.begin_action(restart_reason);
            restart_control_plane(host, k_manifests_dir, restart);
        }
        if (kubelet_changed || kubelet_client_renewed) {
            host.begin_action(kubelet_changed ? "kubeadm.kubelet-client-rotation" : k_kubelet_client_id);
            restart_kubelet(host, restart.timeout_seconds);
        }
    }

private:
    // --kubeadm-renew-all is a request, not a defect: without a finding of its own, a fix on a
    // node where nothing is due would have nothing to act on and renew nothing.
    sdk::Finding renew_all_request() const {
        sdk::Finding f;
        f.id = k_renew_all_id;
        std::size_t renewable = 0;
        for (const auto& l : m_pki.leaves)
            if (l.cert.state == LoadState::loaded) ++renewable;
        if (g_renewed_all) {
            f.title = "every leaf certificate was renewed in this run (--kubeadm-renew-all)";
            return f;
        }
        f.status = sdk::Status::warn;
        f.title = "--kubeadm-renew-all asks to renew all " + std::to_string(renewable) +
                  " leaf certificates; `fix` does it";
        f.remediation = "kubecert --flavor kubeadm fix --kubeadm-renew-all";
        f.fixable = renewable > 0;
        return f;
    }

    // Whether `ca`'s key belongs to its certificate, checked once per fix (a mismatched key would
    // sign certificates nothing trusts). Throws when the key cannot be parsed.
    bool ca_key_usable(const sdk::Host& host, const AuthorityState& ca) {
        auto it = m_ca_key_ok.find(ca.spec.name);
        if (it == m_ca_key_ok.end())
            it = m_ca_key_ok.emplace(ca.spec.name, host.key_matches_cert(ca.key, ca.cert.info.pem)).first;
        return it->second;
    }

    const LeafState& leaf(const std::string& name) const {
        for (const auto& l : m_pki.leaves)
            if (l.spec.name == name) return l;
        throw sdk::Error(KUBECERT_ERR_FAILED, "internal: unknown certificate " + name);
    }

    Layout m_layout;
    PkiState m_pki;
    KubeletSettings m_kubelet;
    std::vector<std::string> m_errors;
    std::map<std::string, bool> m_ca_key_ok;
};

} // namespace kubecert::kubeadm

KUBECERT_PLUGIN(kubecert::kubeadm::KubeadmPlugin)
