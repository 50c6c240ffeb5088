#include "serving_csrs.hpp"

#include <kubecert/formats/kubeconfig.hpp>
#include <kubecert/formats/parse_error.hpp>
#include <kubecert/formats/yaml_edit.hpp>
#include <kubecert/kubelet/restart.hpp>
#include <kubecert/util/base64.hpp>
#include <kubecert/util/plugin_options.hpp>

#include "check_ids.hpp"
#include "facts.hpp"

namespace kubecert::kubeadm {

namespace {

// The last value of --`name` on the command line the kubelet runs with (later ones win).
std::optional<std::string> flag_text(const KubeletSettings& kubelet, const std::string& name) {
    std::optional<std::string> value;
    if (const auto* cmd = kubelet.sources.command_line())
        for (const auto& hit : kubelet::find_flags(*cmd, name))
            if (hit.value) value = hit.value;
    return value;
}

// The node name the kubelet authenticates with: the CN of its client certificate, system:node:NAME.
std::string node_name_from_client_cert(const sdk::Host& host, const KubeletSettings& kubelet) {
    try {
        const auto text = host.read_file(kubelet.kubeconfig_path);
        if (!text) return "";
        const auto user = formats::parse_kubeconfig(*text, kubelet.kubeconfig_path).current_user();
        if (!user) return "";
        std::string pem = util::base64_decode(user->client_certificate_data).value_or("");
        if (pem.empty() && !user->client_certificate.empty())
            pem = host.read_file(user->client_certificate).value_or("");
        if (pem.empty()) return "";
        const std::string cn = host.parse_cert(pem, kubelet.kubeconfig_path).common_name;
        return cn.rfind(csr::k_node_user_prefix, 0) == 0 ? cn.substr(std::string(csr::k_node_user_prefix).size()) : "";
    } catch (const formats::ParseError&) {
        return ""; // kubeadm.cert-expiry/kubelet-client reports it
    } catch (const sdk::Error&) {
        return "";
    }
}

std::vector<std::string> split_commas(const std::string& text) {
    std::vector<std::string> out;
    std::size_t from = 0;
    while (from <= text.size()) {
        const auto comma = text.find(',', from);
        const auto item = text.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
        if (!item.empty()) out.push_back(item);
        if (comma == std::string::npos) break;
        from = comma + 1;
    }
    return out;
}

// Restores the kubelet's config and restarts it on the old file, then fails the fix with `why`.
[[noreturn]] void roll_back(const sdk::Host& host, const std::string& why, std::int64_t restart_timeout_seconds) {
    host.warn(why + ": restoring the kubelet's config and restarting it");
    host.rollback();
    const std::string again = kubelet::restart_systemd_kubelet(host, restart_timeout_seconds);
    throw sdk::Error(KUBECERT_ERR_FAILED,
                     "serverTLSBootstrap not enabled: " + why + "; the change was rolled back" +
                         (again.empty() ? std::string(" and the kubelet restarted with its previous config")
                                        : "; restarting the kubelet with its previous config also failed: " + again));
}

} // namespace

csr::ServingCsrSettings serving_csr_settings(const sdk::Host& host, const KubeletSettings& kubelet) {
    csr::ServingCsrSettings s;
    s.plugin = "kubeadm";
    s.check_id = k_kubelet_serving_csrs;
    s.title = "This node's kubelet-serving CSRs are approved and issued (kubelet serving certificate rotation)";
    s.default_kubeconfig = k_admin_conf;
    s.kubelet_kubeconfigs = {kubelet.kubeconfig_path, "/etc/kubernetes/bootstrap-kubelet.conf"};
    const std::string hostname = host.node_name();
    const auto override_name = flag_text(kubelet, "hostname-override");
    s.node.node_name = node_name_from_client_cert(host, kubelet);
    if (s.node.node_name.empty()) s.node.node_name = override_name.value_or(hostname);
    s.node.dns_names = {hostname};
    if (override_name) s.node.dns_names.push_back(*override_name);
    if (const auto ips = flag_text(kubelet, "node-ip")) s.node.ip_addresses = split_commas(*ips);
    return s;
}

sdk::Finding audit_kubelet_serving_csrs(const sdk::Host& host, const KubeletSettings& kubelet) {
    const auto settings = serving_csr_settings(host, kubelet);
    const bool on = kubelet.server_tls_bootstrap.effective_bool().value_or(false); // in the kubelet's merge order
    const util::PluginOptions options(host, "kubeadm");
    if (on || host.flag("enable-server-tls-bootstrap") || options.text(csr::k_opt_api_kubeconfig))
        return csr::audit_serving_csrs(host, settings);
    sdk::Finding f;
    f.id = settings.check_id;
    f.title = settings.title;
    f.status = sdk::Status::info;
    f.result = "serverTLSBootstrap is off: the kubelet requests no serving certificate (see " +
               std::string(k_kubelet_server_rotation) + ")";
    f.evidence.push_back({kubelet.config_path(), "serverTLSBootstrap", "false", ""});
    return f;
}

bool can_enable_server_tls_bootstrap(const sdk::Host& host, const KubeletSettings& kubelet) {
    // Only where the config file decides: a drop-in or a flag that sets it would win over the edit.
    const kubelet::Layer* winner = kubelet.server_tls_bootstrap.winner();
    return host.flag("enable-server-tls-bootstrap") && kubelet.config_text &&
           (!winner || winner->rank == kubelet::Rank::config_file);
}

void enable_server_tls_bootstrap(const sdk::Host& host, const KubeletSettings& kubelet,
                                 std::int64_t restart_timeout_seconds) {
    const auto settings = serving_csr_settings(host, kubelet);
    const auto access = csr::choose_api_access(host, settings);
    // Without API access nobody approves the kubelet's CSR, and it would serve no certificate at all.
    if (!access.why_not.empty())
        throw sdk::Error(KUBECERT_ERR_FAILED,
                         "serverTLSBootstrap not enabled: its CSRs could not be approved (" + access.why_not + ")");
    const csr::ServingCsrSession session(host, settings, access);
    const auto before = csr::csr_names(session.judged(), settings.node.node_name);
    host.begin_action(k_kubelet_server_rotation);
    const auto text = host.read_file(kubelet.config_path()).value_or(*kubelet.config_text);
    host.write_file(kubelet.config_path(),
                    formats::yaml_set_scalar(text, kubelet.config_path(), {"serverTLSBootstrap"}, "true"));
    const auto live = host.live_system();
    if (host.no_restart() || !live.live) {
        host.info(std::string(host.no_restart() ? "--no-restart" : "not the running system (" + live.reason + ")") +
                  ": restart the kubelet yourself, then run kubecert fix again to approve its serving CSR");
        return;
    }
    if (const auto failure = kubelet::restart_systemd_kubelet(host, restart_timeout_seconds); !failure.empty())
        roll_back(host, failure, restart_timeout_seconds);
    if (host.dry_run()) {
        host.info("would wait for the kubelet's kubelet-serving CSR (system:node:" + settings.node.node_name +
                  ") and approve it when it passes every check (signer, requester, subject, usages, names, "
                  "duration, signature), then check the certificate it serves");
        return;
    }
    std::string why;
    if (!csr::approve_new_csr(host, settings, session, before, why)) roll_back(host, why, restart_timeout_seconds);
    if (const auto failure = csr::verify_served_after_approval(host, settings, session); !failure.empty())
        roll_back(host, "approved, but " + failure, restart_timeout_seconds);
}

} // namespace kubecert::kubeadm
