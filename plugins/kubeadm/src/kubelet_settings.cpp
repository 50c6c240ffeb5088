#include "kubelet_settings.hpp"

#include <algorithm>
#include <set>

#include <kubecert/formats/kubelet_flags.hpp>
#include <kubecert/formats/parse_error.hpp>
#include <kubecert/formats/systemd_unit.hpp>
#include <kubecert/formats/yaml_edit.hpp>

namespace kubecert::kubeadm {

namespace {

const std::vector<std::string> k_unit_dirs = {"/etc/systemd/system", "/run/systemd/system", "/usr/lib/systemd/system",
                                              "/lib/systemd/system"};

struct UnitFile {
    std::string path;
    formats::SystemdUnit unit;
};

// The kubelet unit and its drop-ins in systemd's order: the first unit file
// found, then drop-ins sorted by name, an /etc one hiding a /usr/lib one of the same name.
std::vector<UnitFile> read_kubelet_units(const sdk::Host& host) {
    std::vector<UnitFile> units;
    for (const auto& dir : k_unit_dirs) {
        const auto path = dir + "/kubelet.service";
        if (auto text = host.read_file(path)) {
            units.push_back({path, formats::parse_systemd_unit(*text, path)});
            break;
        }
    }
    std::map<std::string, std::string> dropins; // name -> path of the winning copy
    for (auto it = k_unit_dirs.rbegin(); it != k_unit_dirs.rend(); ++it) {
        const auto dir = *it + "/kubelet.service.d";
        for (const auto& name : host.list_dir(dir))
            if (name.size() > 5 && name.ends_with(".conf")) dropins[name] = dir + "/" + name;
    }
    for (const auto& [name, path] : dropins)
        if (auto text = host.read_file(path)) units.push_back({path, formats::parse_systemd_unit(*text, path)});
    return units;
}

// Environment of the kubelet service: Environment= first, then EnvironmentFile=
// (whose values override, as systemd does). Records where each variable came from.
void collect_environment(const sdk::Host& host, const std::vector<UnitFile>& units, FlagSource& src) {
    for (const auto& u : units)
        for (const auto& e : u.unit.entries)
            if (e.section == "Service" && e.key == "Environment")
                for (const auto& [k, v] : formats::parse_environment_assignments(e.value)) {
                    src.variables[k] = v;
                    src.variable_origin[k] = u.path;
                }
    for (const auto& u : units)
        for (const auto& e : u.unit.entries) {
            if (e.section != "Service" || e.key != "EnvironmentFile" || e.value.empty()) continue;
            std::string path = e.value;
            if (path.front() == '-') path.erase(0, 1);
            auto text = host.read_file(path);
            if (!text) continue;
            for (const auto& [k, v] : formats::parse_env_file(*text, path)) {
                src.variables[k] = v;
                src.variable_origin[k] = path;
            }
        }
}

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
        const auto flag = formats::last_flag(formats::parse_kubelet_flags(src.args), name);
        if (!flag) continue;
        FlagValue v;
        v.text = "--" + name + (flag->value ? "=" + *flag->value : "");
        v.value = flag->value ? formats::parse_go_bool(*flag->value).value_or(false) : true;
        v.source = src.label;
        // Name the file that holds the flag when a variable carried it there.
        for (const auto& [var, value] : src.variables) {
            const auto words = formats::split_words(value);
            const bool has = std::any_of(words.begin(), words.end(), [&](const std::string& w) {
                return w == "--" + name || w.starts_with("--" + name + "=");
            });
            if (has) v.source = src.variable_origin.at(var) + ": " + var;
        }
        out.push_back(v);
    }
    return out;
}

KubeletSettings read_kubelet_settings(const sdk::Host& host) {
    KubeletSettings s;
    std::optional<std::string> config_flag;

    guarded(s, [&] {
        const auto units = read_kubelet_units(host);
        if (units.empty()) return;
        FlagSource src;
        collect_environment(host, units, src);
        std::vector<formats::SystemdUnit> parsed;
        for (const auto& u : units) parsed.push_back(u.unit);
        const auto exec = formats::effective_values(parsed, "Service", "ExecStart");
        if (exec.empty()) return;
        auto words = formats::split_exec_line(exec.back().value, src.variables);
        if (!words.empty()) words.erase(words.begin());
        src.label = exec.back().source + ": ExecStart";
        src.args = std::move(words);
        s.flag_sources.push_back(std::move(src));
    });
    // Without a unit (a hand-started kubelet), the env files kubeadm and packages write still say what it gets.
    if (s.flag_sources.empty()) {
        const std::vector<std::pair<std::string, std::string>> env_files = {
            {"/var/lib/kubelet/kubeadm-flags.env", "KUBELET_KUBEADM_ARGS"},
            {"/etc/default/kubelet", "KUBELET_EXTRA_ARGS"},
            {"/etc/sysconfig/kubelet", "KUBELET_EXTRA_ARGS"}};
        for (const auto& [path, var] : env_files)
            guarded(s, [&] {
                auto text = host.read_file(path);
                if (!text) return;
                const auto env = formats::parse_env_file(*text, path);
                auto it = env.find(var);
                if (it == env.end()) return;
                s.flag_sources.push_back({path + ": " + var, formats::split_words(it->second), {}, {}});
            });
    }
    guarded(s, [&] {
        for (const auto& p : host.find_processes("kubelet")) {
            std::vector<std::string> args(p.argv.begin() + (p.argv.empty() ? 0 : 1), p.argv.end());
            s.flag_sources.push_back({"/proc/" + std::to_string(p.pid) + "/cmdline", std::move(args), {}, {}});
        }
    });
    for (const auto& src : s.flag_sources)
        if (auto f = formats::last_flag(formats::parse_kubelet_flags(src.args), "config"); f && f->value)
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
