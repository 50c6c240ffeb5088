#include "fixes.hpp"

#include <map>
#include <set>

#include <kubecert/formats/yaml_edit.hpp>
#include <kubecert/util/plugin_options.hpp>

#include "check_ids.hpp"
#include "kubelet_client_renewal.hpp"
#include "renewal.hpp"
#include "restart.hpp"
#include "serving_csrs.hpp"
#include "user_kubeconfig.hpp"

namespace kubecert::kubeadm {

namespace {

// What one fix was asked to do, from the ids and the --kubeadm-* options.
struct FixRequest {
    std::set<std::string> wanted;
    bool renew_all = false;
    std::int64_t validity_seconds = 0;
    RestartOptions restart;
};

// What the changes need restarted.
struct Changes {
    std::string control_plane_reason; // the finding a control-plane restart is recorded under ("" for none)
    bool kubelet_config_changed = false;
    bool kubelet_client_renewed = false;
};

// Whether a CA's key belongs to its certificate, checked once per fix (a mismatched key would
// sign certificates nothing trusts); throws when the key cannot be parsed.
class CaKeys {
public:
    explicit CaKeys(const sdk::Host& host) : m_host(host) {}
    bool usable(const AuthorityState& ca) {
        auto it = m_ok.find(ca.spec.name);
        if (it == m_ok.end()) it = m_ok.emplace(ca.spec.name, m_host.key_matches_cert(ca.key, ca.cert.info.pem)).first;
        return it->second;
    }

private:
    const sdk::Host& m_host;
    std::map<std::string, bool> m_ok;
};

FixRequest read_request(const sdk::Host& host, const std::vector<std::string>& ids) {
    FixRequest request;
    request.wanted.insert(ids.begin(), ids.end());
    const util::PluginOptions options(host, "kubeadm");
    request.renew_all = options.flag("renew-all");
    request.validity_seconds =
        options.duration_or("validity", util::k_one_second, 100 * 365 * util::k_one_day, 365 * util::k_one_day);
    request.restart.crictl = options.text("crictl").value_or("crictl");
    request.restart.timeout_seconds = options.duration_or("restart-timeout", util::k_one_second, util::k_one_day, 120);
    return request;
}

// The leaves to renew: those asked for, or every loaded one with --kubeadm-renew-all, whose CA
// can sign here with a key that belongs to it.
std::vector<Renewal> plan_renewals(const sdk::Host& host, const PkiState& pki, const FixRequest& request,
                                   CaKeys& keys) {
    std::vector<Renewal> renewals;
    for (const auto& l : pki.leaves) {
        const bool asked = request.wanted.count(k_cert_expiry_prefix + l.spec.name) > 0;
        if (!asked && !(request.renew_all && l.cert.state == LoadState::loaded)) continue;
        const auto* ca = pki.authority(l.spec.authority);
        if (!ca || !ca->cannot_sign.empty()) {
            host.warn(l.spec.name + " not renewed: " + (ca ? ca->cannot_sign : "unknown CA"));
            continue;
        }
        if (!keys.usable(*ca)) {
            host.warn(l.spec.name + " not renewed: its CA key " + ca->spec.key_path + " does not belong to " +
                      ca->spec.cert_path);
            continue;
        }
        renewals.push_back({&l, ca});
    }
    return renewals;
}

// Issues the renewals in one batch (the host generates the keys concurrently), then writes each,
// key first; refreshes the copies of admin.conf when it was renewed or that was asked.
void renew_leaves(const sdk::Host& host, const std::vector<Renewal>& renewals, const FixRequest& request,
                  Changes& changes) {
    const auto issued = issue_renewals(host, renewals, request.validity_seconds);
    bool renewed_admin = false;
    for (std::size_t i = 0; i < renewals.size(); ++i) {
        const LeafState& l = *renewals[i].leaf;
        const auto id = k_cert_expiry_prefix + l.spec.name;
        host.begin_action(id);
        write_renewed(host, l, issued[i]);
        host.info(std::string(host.dry_run() ? "would renew " : "renewed ") + l.spec.name + " (" + l.cert.path + ")");
        if (is_user_kubeconfig(l.spec.name))
            renewed_admin = true;
        else if (changes.control_plane_reason.empty())
            changes.control_plane_reason = id;
    }
    // Renewing admin.conf makes its copies in ~/.kube/config stale even if they were current at audit time.
    if (renewed_admin || request.wanted.count(k_user_kubeconfig_current))
        for (const auto& path : refresh_user_kubeconfigs(host, k_kubeconfig_dir))
            host.info(std::string(host.dry_run() ? "would refresh " : "refreshed ") + path + " from admin.conf");
}

// rotateCertificates: true in the kubelet's config file, when that was asked.
void enable_client_rotation(const sdk::Host& host, const KubeletSettings& kubelet, const FixRequest& request,
                            Changes& changes) {
    if (!request.wanted.count(k_kubelet_client_rotation) || !kubelet.config_text) return;
    host.begin_action(k_kubelet_client_rotation);
    const auto updated =
        formats::yaml_set_scalar(*kubelet.config_text, kubelet.config_path(), {"rotateCertificates"}, "true");
    host.write_file(kubelet.config_path(), updated);
    changes.kubelet_config_changed = updated != *kubelet.config_text;
}

// The kubelet's own client certificate, which it could not rotate while the API server was down.
void renew_kubelet_client_if_asked(const sdk::Host& host, const PkiState& pki, const FixRequest& request, CaKeys& keys,
                                   Changes& changes) {
    if (!request.wanted.count(k_kubelet_client_expiry)) return;
    const auto* ca = pki.authority("ca");
    if (ca && keys.usable(*ca)) {
        host.begin_action(k_kubelet_client_expiry);
        renew_kubelet_client(host, std::string(k_kubeconfig_dir) + "/kubelet.conf", *ca, request.validity_seconds);
        changes.kubelet_client_renewed = true;
    } else if (ca) {
        host.warn("kubelet-client not renewed: its CA key " + ca->spec.key_path + " does not belong to " +
                  ca->spec.cert_path);
    }
}

// Restarts what loads the changes. Restarts act on the running system only: on a mounted image
// they would move manifests and restart services of the machine running kubecert.
void restart_what_changed(const sdk::Host& host, const Changes& changes, const RestartOptions& restart) {
    const bool kubelet = changes.kubelet_config_changed || changes.kubelet_client_renewed;
    const auto live = host.live_system();
    if (host.no_restart() || !live.live) {
        const std::string why =
            host.no_restart() ? std::string("--no-restart") : "not the running system (" + live.reason + ")";
        if (!changes.control_plane_reason.empty())
            host.info(why + ": restart the control plane yourself so it loads the renewed certificates");
        if (kubelet) host.info(why + ": restart the kubelet yourself (systemctl restart kubelet)");
        return;
    }
    if (!changes.control_plane_reason.empty()) {
        host.begin_action(changes.control_plane_reason);
        restart_control_plane(host, k_manifests_dir, restart);
    }
    if (kubelet) {
        host.begin_action(changes.kubelet_config_changed ? k_kubelet_client_rotation : k_kubelet_client_expiry);
        restart_kubelet(host, restart.timeout_seconds);
    }
}

} // namespace

void apply_fixes(const sdk::Host& host, const Facts& facts, const std::vector<std::string>& ids,
                 const std::vector<std::string>& audit_errors) {
    if (!audit_errors.empty()) {
        std::string list;
        for (const auto& id : audit_errors) list += (list.empty() ? "" : ", ") + id;
        throw sdk::Error(KUBECERT_ERR_FAILED,
                         "nothing fixed: the audit could not evaluate " + list + "; repair that input first");
    }
    const FixRequest request = read_request(host, ids);
    CaKeys keys(host);
    Changes changes;
    renew_leaves(host, plan_renewals(host, facts.pki, request, keys), request, changes);
    enable_client_rotation(host, facts.kubelet, request, changes);
    renew_kubelet_client_if_asked(host, facts.pki, request, keys, changes);
    restart_what_changed(host, changes, request.restart);
    // Last: these wait for the kubelet and the cluster, on the files the steps above left.
    if (request.wanted.count(k_kubelet_server_rotation))
        enable_server_tls_bootstrap(host, facts.kubelet, request.restart.timeout_seconds);
    if (request.wanted.count(k_kubelet_serving_csrs))
        csr::fix_serving_csrs(host, serving_csr_settings(host, facts.kubelet));
}

} // namespace kubecert::kubeadm
