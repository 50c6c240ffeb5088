#include "kubelet_settings.hpp"

#include <algorithm>
#include <set>

#include <kubecert/formats/kubelet_flags.hpp>
#include <kubecert/formats/parse_error.hpp>
#include <kubecert/formats/systemd_unit.hpp>
#include <kubecert/formats/yaml_edit.hpp>

namespace kubecert::kubeadm {

namespace {

template <class F>
void guarded(KubeletSettings& s, F&& body) {
    try {
        body();
    } catch (const formats::ParseError& e) {
        s.errors.push_back(e.what());
    } catch (const sdk::Error& e) {
        s.errors.push_back(e.what());
    }
}

} // namespace

std::optional<bool> kubelet_config_bool(const std::string& text, const std::string& source, const std::string& key) {
    const auto doc = formats::parse_yaml(text, source);
    if (!doc.IsMap()) throw formats::ParseError(source, 1, 1, "a KubeletConfiguration must be a mapping");
    const auto node = doc[key];
    if (!node) return std::nullopt;
    if (node.IsScalar()) {
        if (auto b = formats::parse_go_bool(node.Scalar())) return b;
    }
    const auto mark = node.Mark();
    throw formats::ParseError(source, mark.line + 1, mark.column + 1, key + " is not a boolean");
}

std::vector<FlagValue> KubeletSettings::flag_values(const std::string& name) const {
    std::vector<FlagValue> out;
    for (const auto& src : flag_sources) {
        const auto flag = formats::last_flag(formats::parse_kubelet_flags(src.words()), name);
        if (!flag) continue;
        FlagValue v;
        v.text = "--" + name + (flag->value ? "=" + *flag->value : "");
        v.value = flag->value ? formats::parse_go_bool(*flag->value).value_or(false) : true;
        // The file (and variable) that holds the flag.
        v.source = src.describe(src.args[flag->index]);
        out.push_back(v);
    }
    return out;
}

KubeletSettings read_kubelet_settings(const sdk::Host& host) {
    KubeletSettings s;
    std::optional<std::string> config_flag;

    guarded(s, [&] {
        if (auto unit = checks::kubelet_unit_command_line(host)) s.flag_sources.push_back(std::move(*unit));
    });
    // Without a unit (a hand-started kubelet), the env files kubeadm and packages write still say what it gets.
    if (s.flag_sources.empty()) {
        const std::vector<std::pair<std::string, std::string>> env_files = {
            {"/var/lib/kubelet/kubeadm-flags.env", "KUBELET_KUBEADM_ARGS"},
            {"/etc/default/kubelet", "KUBELET_EXTRA_ARGS"},
            {"/etc/sysconfig/kubelet", "KUBELET_EXTRA_ARGS"}};
        for (const auto& entry : env_files)
            // Not a structured binding: clang 14 cannot capture those in a lambda (C++20 allows it, P1091).
            guarded(s, [&, &path = entry.first, &var = entry.second] {
                auto text = host.read_file(path);
                if (!text) return;
                const auto env = formats::parse_env_file(*text, path);
                auto it = env.find(var);
                if (it == env.end()) return;
                checks::KubeletCommandLine cmd;
                cmd.source = path + " (" + var + ")";
                for (auto& w : formats::split_words(it->second)) cmd.args.push_back({w, {path, 0, var}});
                s.flag_sources.push_back(std::move(cmd));
            });
    }
    guarded(s, [&] {
        for (auto& cmd : checks::running_kubelet_command_lines(host)) s.flag_sources.push_back(std::move(cmd));
    });
    for (const auto& src : s.flag_sources)
        if (auto f = formats::last_flag(formats::parse_kubelet_flags(src.words()), "config"); f && f->value)
            config_flag = *f->value;
    if (config_flag) s.config_path = *config_flag;

    guarded(s, [&] {
        s.config_text = host.read_file(s.config_path);
        if (!s.config_text) return;
        s.rotate_certificates = kubelet_config_bool(*s.config_text, s.config_path, "rotateCertificates");
        s.server_tls_bootstrap = kubelet_config_bool(*s.config_text, s.config_path, "serverTLSBootstrap");
    });
    return s;
}

} // namespace kubecert::kubeadm
