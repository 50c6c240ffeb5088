#include <kubecert/kubelet/sources.hpp>

#include <algorithm>
#include <map>
#include <set>

#include <kubecert/formats/json_edit.hpp>
#include <kubecert/formats/kubelet_flags.hpp>
#include <kubecert/formats/parse_error.hpp>
#include <kubecert/formats/systemd_unit.hpp>
#include <kubecert/formats/yaml_edit.hpp>

namespace kubecert::kubelet {

namespace {

namespace fmt = kubecert::formats;

nlohmann::ordered_json yaml_to_json(const YAML::Node& n) {
    switch (n.Type()) {
    case YAML::NodeType::Map: {
        nlohmann::ordered_json o = nlohmann::ordered_json::object();
        for (const auto& kv : n) o[kv.first.as<std::string>()] = yaml_to_json(kv.second);
        return o;
    }
    case YAML::NodeType::Sequence: {
        nlohmann::ordered_json a = nlohmann::ordered_json::array();
        for (const auto& v : n) a.push_back(yaml_to_json(v));
        return a;
    }
    case YAML::NodeType::Scalar: {
        const std::string s = n.Scalar();
        if (n.Tag() == "!") return s; // quoted: always a string
        if (s == "true" || s == "True" || s == "TRUE") return true;
        if (s == "false" || s == "False" || s == "FALSE") return false;
        if (!s.empty() && s.find_first_not_of("-0123456789") == std::string::npos && s != "-") {
            try {
                return std::stoll(s);
            } catch (...) {
                return s;
            }
        }
        return s;
    }
    default: return nullptr;
    }
}

} // namespace

std::string kubelet_path(const CommandLine& cmd, const std::string& path) {
    return kubelet_absolute_path(cmd, path);
}

std::string relative_note(const CommandLine& cmd, const std::string& path) {
    return " (\"" + path + "\" is relative: resolved against the kubelet's working directory " +
           (cmd.working_dir.empty() ? std::string("/ (none known)")
                                    : cmd.working_dir + " from " + cmd.working_dir_source) +
           ")";
}

const CommandLine* KubeletSources::command_line() const {
    if (process) return &*process;
    if (unit) return &*unit;
    return nullptr;
}

std::vector<sdk::Evidence> source_evidence(const KubeletSources& s) {
    std::vector<sdk::Evidence> ev;
    if (s.process) ev.push_back({s.process->source, "command line", "running kubelet", ""});
    if (s.unit)
        ev.push_back({s.unit->source, "command line",
                      s.process ? "systemd unit (used at the next restart)" : "systemd unit", ""});
    if (!s.process && !s.unit)
        ev.push_back({"kubelet", "command line", "no running kubelet and no kubelet.service", ""});
    ev.push_back({s.config_path.empty() ? "--config" : s.config_path, "config file",
                  s.config_path.empty() ? "none (" + s.config_note + ")"
                                        : (s.config ? "read (" + s.config_note + ")" : "does not exist"),
                  ""});
    if (!s.config_dir.empty())
        ev.push_back({s.config_dir, "--config-dir", std::to_string(s.dropins.size()) + " drop-in(s), later wins", ""});
    return ev;
}

nlohmann::ordered_json parse_config_document(const std::string& text, const std::string& source) {
    const size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return nlohmann::ordered_json::object();
    if (text[first] == '{') return fmt::parse_json(text, source);
    auto json = yaml_to_json(fmt::parse_yaml(text, source));
    if (!json.is_object()) throw fmt::ParseError(source, 1, 1, "a KubeletConfiguration must be a mapping");
    return json;
}

KubeletSources load_kubelet_sources(const sdk::Host& host, const std::vector<std::string>& fallback_config_paths) {
    KubeletSources s;
    auto procs = running_kubelet_command_lines(host);
    if (!procs.empty()) s.process = procs.front();
    s.unit = kubelet_unit_command_line(host, &s.unit_files);
    if (s.process) inherit_working_dir(*s.process, s.unit ? &*s.unit : nullptr);

    const CommandLine* cmd = s.command_line();
    if (cmd) {
        const auto flags = fmt::parse_kubelet_flags(cmd->words());
        if (auto c = fmt::last_flag(flags, "config")) {
            s.config_path = kubelet_path(*cmd, c->value.value_or(""));
            s.config_note = "--config on " + cmd->describe(cmd->args[c->index]);
            if (s.config_path != c->value.value_or("")) s.config_note += relative_note(*cmd, *c->value);
        } else {
            s.config_note = "no --config on " + cmd->source + ": the kubelet reads no config file";
        }
        if (auto d = kubelet_flag_value(*cmd, "config-dir")) s.config_dir = kubelet_path(*cmd, *d);
    } else {
        for (const auto& p : fallback_config_paths)
            if (host.exists(p)) {
                s.config_path = p;
                s.config_note = "no kubelet command line found (no running kubelet, no kubelet.service): "
                                "a known config path of this distribution";
                if (host.stat(p + ".d").type == KUBECERT_FILE_DIRECTORY) s.config_dir = p + ".d";
                break;
            }
    }
    if (!s.config_path.empty())
        if (auto text = host.read_file(s.config_path))
            s.config = ConfigDoc{s.config_path, false, parse_config_document(*text, s.config_path)};
    if (!s.config_dir.empty()) s.dropins = read_config_dropins(host, s.config_dir);
    return s;
}

std::vector<ConfigDoc> read_config_dropins(const sdk::Host& host, const std::string& dir) {
    std::vector<ConfigDoc> out;
    for (const auto& name : host.list_dir(dir)) {
        if (!name.ends_with(".conf")) continue;
        const std::string path = dir + "/" + name;
        if (host.stat(path).type != KUBECERT_FILE_REGULAR) continue;
        if (auto text = host.read_file(path)) out.push_back({path, true, parse_config_document(*text, path)});
    }
    return out;
}

} // namespace kubecert::kubelet
