#include "kubelet_facts.hpp"

#include <algorithm>
#include <set>
#include <tuple>

#include <kubecert/formats/kubeconfig.hpp>
#include <kubecert/formats/kubelet_flags.hpp>
#include <kubecert/formats/parse_error.hpp>
#include <kubecert/formats/systemd_unit.hpp>
#include <kubecert/formats/yaml_edit.hpp>
#include <kubecert/kubelet/merge.hpp>

namespace kubecert::kubeadm {

namespace {

template <class F> void guarded(KubeletSettings& s, F&& body) {
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

namespace {

// The kubelet's command lines: systemd's (or, without a unit, the env files kubeadm and the
// packages write), then the running processes'.
void read_flag_sources(const sdk::Host& host, KubeletSettings& s) {
    guarded(s, [&] {
        if (auto unit = kubelet::kubelet_unit_command_line(host)) s.flag_sources.push_back(std::move(*unit));
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
                kubelet::KubeletCommandLine cmd;
                cmd.source = path + " (" + var + ")";
                for (auto& w : formats::split_words(it->second)) cmd.args.push_back({w, {path, 0, var}});
                s.flag_sources.push_back(std::move(cmd));
            });
    }
    // A copy: flag_sources grows below.
    std::optional<kubelet::KubeletCommandLine> unit;
    if (!s.flag_sources.empty() && !s.flag_sources.front().from_process) unit = s.flag_sources.front();
    guarded(s, [&] {
        for (auto& cmd : kubelet::running_kubelet_command_lines(host)) {
            kubelet::inherit_working_dir(cmd, unit ? &*unit : nullptr);
            s.flag_sources.push_back(std::move(cmd));
        }
    });
}

// --config, --config-dir and --kubeconfig as the kubelet resolves them.
void choose_paths(KubeletSettings& s) {
    // The last source is what runs; relative paths are the kubelet's working directory's.
    std::optional<std::string> config_flag;
    std::optional<std::string> kubeconfig_flag;
    for (const auto& src : s.flag_sources) {
        const auto flags = formats::parse_kubelet_flags(src.words());
        if (auto f = formats::last_flag(flags, "config"); f && f->value) {
            config_flag = kubelet::kubelet_absolute_path(src, *f->value);
            s.config_note = *config_flag == *f->value
                                ? "--config on " + src.describe(src.args[f->index])
                                : "--config " + *f->value + " on " + src.describe(src.args[f->index]) +
                                      ", relative to the kubelet's working directory " +
                                      (src.working_dir.empty() ? std::string("/") : src.working_dir);
        }
        if (auto f = formats::last_flag(flags, "kubeconfig"); f && f->value)
            kubeconfig_flag = kubelet::kubelet_absolute_path(src, *f->value);
        if (auto f = formats::last_flag(flags, "config-dir"); f && f->value)
            s.config_dir = kubelet::kubelet_absolute_path(src, *f->value);
    }
    if (config_flag) s.config_path = *config_flag;
    if (kubeconfig_flag) s.kubeconfig_path = *kubeconfig_flag;
}

// rotateCertificates and serverTLSBootstrap from the config file, and from the --config-dir
// drop-ins that override it key by key (merged by the shared engine).
void read_config_values(const sdk::Host& host, KubeletSettings& s) {
    guarded(s, [&] {
        s.config_text = host.read_file(s.config_path);
        if (!s.config_text) return;
        s.rotate_certificates = kubelet_config_bool(*s.config_text, s.config_path, "rotateCertificates");
        s.server_tls_bootstrap = kubelet_config_bool(*s.config_text, s.config_path, "serverTLSBootstrap");
    });
    // --config-dir drop-ins override the file key by key: the shared engine merges them.
    if (!s.config_dir.empty())
        guarded(s, [&] {
            kubelet::KubeletSources files;
            if (s.config_text)
                files.config = kubelet::ConfigDoc{s.config_path, false,
                                                  kubelet::parse_config_document(*s.config_text, s.config_path)};
            files.dropins = kubelet::read_config_dropins(host, s.config_dir);
            for (auto [key, flag, value, from] : {std::tuple{"rotateCertificates", "rotate-certificates",
                                                             &s.rotate_certificates, &s.rotate_certificates_from},
                                                  std::tuple{"serverTLSBootstrap", "rotate-server-certificates",
                                                             &s.server_tls_bootstrap, &s.server_tls_bootstrap_from}}) {
                const auto setting = kubelet::resolve_field(files, {key}, flag);
                const auto* winner = setting.winner();
                if (!winner || winner->rank != kubelet::Rank::config_dropin) continue;
                *value = setting.effective_bool();
                *from = winner->source;
            }
        });
}

} // namespace

KubeletSettings read_kubelet_settings(const sdk::Host& host) {
    KubeletSettings s;
    read_flag_sources(host, s);
    choose_paths(s);
    guarded(s, [&] {
        if (auto text = host.read_file(s.kubeconfig_path))
            if (auto user = formats::parse_kubeconfig(*text, s.kubeconfig_path).current_user())
                s.exec_command = user->exec_command;
    });

    read_config_values(host, s);
    return s;
}

} // namespace kubecert::kubeadm
