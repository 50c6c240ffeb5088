#include "kubelet_facts.hpp"

#include <array>
#include <string_view>
#include <utility>

#include <kubecert/formats/kubeconfig.hpp>
#include <kubecert/formats/parse_error.hpp>
#include <kubecert/formats/systemd_unit.hpp>

namespace kubecert::kubeadm {

namespace {

// Runs `body`, recording a malformed or unreadable input instead of throwing it.
template <class F> void guarded(KubeletSettings& s, F&& body) {
    try {
        body();
    } catch (const formats::ParseError& e) {
        s.errors.push_back(e.what());
    } catch (const sdk::Error& e) {
        s.errors.push_back(e.what());
    }
}

// The env files kubeadm and the packages write, and the variable each gives the kubelet's ExecStart.
// Constant data: loading the plugin runs no code.
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> k_env_files{{
    {"/var/lib/kubelet/kubeadm-flags.env", "KUBELET_KUBEADM_ARGS"},
    {"/etc/default/kubelet", "KUBELET_EXTRA_ARGS"},
    {"/etc/sysconfig/kubelet", "KUBELET_EXTRA_ARGS"},
}};

// Without a unit or a process (a hand-started kubelet), the env files still say what flags the
// kubelet gets: their words, in the order kubeadm's drop-in expands them; nullopt when none sets any.
std::optional<kubelet::CommandLine> env_file_command_line(const sdk::Host& host) {
    kubelet::CommandLine cmd;
    for (const auto& [path_view, var_view] : k_env_files) {
        const std::string path(path_view);
        const std::string var(var_view);
        auto text = host.read_file(path);
        if (!text) continue;
        const auto env = formats::parse_env_file(*text, path);
        auto it = env.find(var);
        if (it == env.end()) continue;
        for (auto& w : formats::split_words(it->second)) cmd.args.push_back({w, {path, 0, var}});
        cmd.source += (cmd.source.empty() ? "" : ", ") + path + " (" + var + ")";
    }
    if (cmd.args.empty()) return std::nullopt;
    return cmd;
}

// --kubeconfig of the command line that runs, as the kubelet resolves it.
std::string kubeconfig_path(const kubelet::KubeletSources& sources) {
    const kubelet::CommandLine* cmd = sources.command_line();
    if (!cmd) return k_kubeadm_kubelet_kubeconfig;
    if (auto flag = kubelet::kubelet_flag_value(*cmd, "kubeconfig"); flag && !flag->empty())
        return kubelet::kubelet_path(*cmd, *flag);
    return k_kubeadm_kubelet_kubeconfig;
}

} // namespace

void resolve_rotation_settings(KubeletSettings& s) {
    // A non-boolean value or a malformed --feature-gates stops the kubelet: an error, like a malformed file.
    guarded(s, [&] {
        s.rotate_certificates = kubelet::resolve_field(s.sources, {"rotateCertificates"}, "rotate-certificates");
    });
    guarded(s, [&] {
        s.server_tls_bootstrap =
            kubelet::resolve_field(s.sources, {"serverTLSBootstrap"}, "rotate-server-certificates");
    });
    guarded(s, [&] { s.server_cert_gate = kubelet::resolve_feature_gate(s.sources, k_server_cert_gate); });
}

KubeletSettings read_kubelet_settings(const sdk::Host& host) {
    KubeletSettings s;
    guarded(s, [&] {
        s.sources = kubelet::load_kubelet_sources(host, {k_kubeadm_kubelet_config});
        if (!s.sources.command_line()) s.sources.unit = env_file_command_line(host);
        if (!s.sources.config_path.empty()) s.config_text = host.read_file(s.sources.config_path);
    });
    s.kubeconfig_path = kubeconfig_path(s.sources);
    guarded(s, [&] {
        if (auto text = host.read_file(s.kubeconfig_path))
            if (auto user = formats::parse_kubeconfig(*text, s.kubeconfig_path).current_user())
                s.exec_command = user->exec_command;
    });
    resolve_rotation_settings(s);
    return s;
}

} // namespace kubecert::kubeadm
