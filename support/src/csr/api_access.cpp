// Which kubeconfig the serving-CSR check may use: the user's choice or the plugin's default, never
// the kubelet's own (a node may not approve CSRs, and using its identity for that would be wrong
// even where RBAC allowed it).
#include <kubecert/csr/serving_csrs.hpp>

#include <algorithm>

#include <kubecert/formats/kubeconfig.hpp>
#include <kubecert/formats/parse_error.hpp>
#include <kubecert/util/base64.hpp>
#include <kubecert/util/plugin_options.hpp>

namespace kubecert::csr {

namespace {

// A path of a kubeconfig as the file means it: relative ones are relative to its folder.
std::string beside(const std::string& kubeconfig, const std::string& path) {
    if (path.empty() || path.front() == '/') return path;
    const auto slash = kubeconfig.rfind('/');
    return (slash == std::string::npos ? std::string() : kubeconfig.substr(0, slash + 1)) + path;
}

// The CN of the kubeconfig's client certificate, "" when it has none (tokens, exec plugins).
std::string client_common_name(const sdk::Host& host, const std::string& path, const std::string& text) {
    const auto kc = formats::parse_kubeconfig(text, path);
    const auto user = kc.current_user();
    if (!user) return "";
    std::string pem;
    if (!user->client_certificate_data.empty())
        pem = util::base64_decode(user->client_certificate_data).value_or("");
    else if (!user->client_certificate.empty())
        pem = host.read_file(beside(path, user->client_certificate)).value_or("");
    if (pem.empty()) return "";
    try {
        return host.parse_cert(pem, path).common_name;
    } catch (const sdk::Error&) {
        return ""; // the transport reports an unusable certificate when it loads it
    }
}

} // namespace

ApiAccess choose_api_access(const sdk::Host& host, const ServingCsrSettings& settings) {
    const util::PluginOptions options(host, settings.plugin);
    ApiAccess access;
    const auto named = options.text(k_opt_api_kubeconfig);
    access.explicit_option = named.has_value();
    access.kubeconfig = named.value_or(settings.default_kubeconfig);
    const std::string option = options.spelling(k_opt_api_kubeconfig);
    if (access.kubeconfig.empty() || (!named && !host.exists(access.kubeconfig))) {
        access.why_not = "no kubeconfig to read the cluster's CSRs with: give " + option +
                         " PATH (a kubeconfig allowed to approve CSRs, not the kubelet's)";
        access.kubeconfig.clear();
        return access;
    }
    if (!named) {
        if (const auto live = host.live_system(); !live.live) {
            access.why_not = "not the running system (" + live.reason + "): the cluster is only asked with " + option +
                             " PATH given";
            access.kubeconfig.clear();
            return access;
        }
    }
    const auto& own = settings.kubelet_kubeconfigs;
    std::string why_refused;
    if (std::find(own.begin(), own.end(), access.kubeconfig) != own.end())
        why_refused = access.kubeconfig + " is the kubelet's own kubeconfig";
    else if (const auto text = host.read_file(access.kubeconfig)) {
        try {
            const auto cn = client_common_name(host, access.kubeconfig, *text);
            if (cn.rfind(k_node_user_prefix, 0) == 0)
                why_refused = access.kubeconfig + " authenticates as " + cn + ", a kubelet";
        } catch (const formats::ParseError&) {
            // Malformed: the API client names the position when it opens it.
        }
    }
    if (!why_refused.empty()) {
        access.why_not = why_refused + ": a node may not approve CSRs; give " + option +
                         " a kubeconfig of an administrator or an approver";
        access.refused = true;
        access.kubeconfig.clear();
    }
    return access;
}

std::set<std::string> csr_names(const std::vector<JudgedCsr>& csrs, const std::string& node_name) {
    std::set<std::string> names;
    for (const auto& j : csrs)
        if (requested_by(j.record.object, node_name)) names.insert(j.record.object.name);
    return names;
}

} // namespace kubecert::csr
