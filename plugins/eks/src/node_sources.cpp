#include "node_sources.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <kubecert/formats/json_edit.hpp>
#include <kubecert/formats/kubelet_flags.hpp>
#include <kubecert/formats/parse_error.hpp>
#include <kubecert/formats/systemd_unit.hpp>
#include <kubecert/formats/yaml_edit.hpp>

namespace kubecert::eks {

namespace {

namespace fmt = kubecert::formats;

// systemd reads the unit from the first of these folders that has it; drop-ins
// from all of them, a name in an earlier folder masking the same name later.
const std::vector<std::string> k_unit_dirs{"/etc/systemd/system", "/run/systemd/system", "/usr/lib/systemd/system",
                                           "/lib/systemd/system"};

// Marks where an environment variable was expanded in ExecStart, so each
// resulting word can be traced back to the line that set the variable.
constexpr char k_mark_begin = '\x1e';
constexpr char k_mark_end = '\x1f';

struct EnvValue {
    std::string value;
    WordOrigin origin;
};

bool starts_with(std::string_view s, std::string_view p) {
    return s.substr(0, p.size()) == p;
}

std::string trim(std::string_view s) {
    size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    size_t e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

// 1-based line of the last `NAME=` assignment in an environment file, or 0.
int env_file_line(std::string_view text, const std::string& name) {
    int line = 1, found = 0;
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string l = trim(text.substr(pos, end - pos));
        if (starts_with(l, "export ")) l = trim(std::string_view(l).substr(7));
        if (starts_with(l, name + "=")) found = line;
        if (end == text.size()) break;
        pos = end + 1;
        ++line;
    }
    return found;
}

nlohmann::ordered_json yaml_to_json(const YAML::Node& n) {
    switch (n.Type()) {
    case YAML::NodeType::Map: {
        nlohmann::ordered_json o = nlohmann::ordered_json::object();
        for (const auto& kv : n)
            o[kv.first.as<std::string>()] = yaml_to_json(kv.second);
        return o;
    }
    case YAML::NodeType::Sequence: {
        nlohmann::ordered_json a = nlohmann::ordered_json::array();
        for (const auto& v : n)
            a.push_back(yaml_to_json(v));
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
    default:
        return nullptr;
    }
}

// Reads the kubelet unit and its drop-ins; empty when there is no unit at all.
std::vector<fmt::SystemdUnit> read_units(const sdk::Host& host, std::vector<std::string>& files) {
    std::vector<fmt::SystemdUnit> units;
    for (const auto& dir : k_unit_dirs) {
        const std::string path = dir + "/kubelet.service";
        if (auto text = host.read_file(path)) {
            units.push_back(fmt::parse_systemd_unit(*text, path));
            files.push_back(path);
            break;
        }
    }
    std::map<std::string, std::string> dropins; // name -> path, sorted by name
    for (const auto& dir : k_unit_dirs) {
        const std::string ddir = dir + "/kubelet.service.d";
        for (const auto& name : host.list_dir(ddir))
            if (name.size() > 5 && name.ends_with(".conf") && !dropins.count(name)) dropins[name] = ddir + "/" + name;
    }
    for (const auto& [name, path] : dropins) {
        if (auto text = host.read_file(path)) {
            units.push_back(fmt::parse_systemd_unit(*text, path));
            files.push_back(path);
        }
    }
    return units;
}

// The unit's environment: Environment= first, EnvironmentFile= overriding it (systemd's rule).
std::map<std::string, EnvValue> unit_environment(const sdk::Host& host, const std::vector<fmt::SystemdUnit>& units,
                                                 std::vector<std::string>& files) {
    std::map<std::string, EnvValue> env;
    for (const auto& e : fmt::effective_values(units, "Service", "Environment"))
        for (const auto& [name, value] : fmt::parse_environment_assignments(e.value))
            env[name] = {value, {e.source, e.line, name}};
    for (const auto& e : fmt::effective_values(units, "Service", "EnvironmentFile")) {
        std::string path = trim(e.value);
        bool optional = starts_with(path, "-");
        if (optional) path = path.substr(1);
        auto text = host.read_file(path);
        if (!text) {
            if (!optional)
                host.warn(e.source + ":" + std::to_string(e.line) + ": EnvironmentFile " + path +
                          " does not exist (systemd would refuse to start the kubelet)");
            continue;
        }
        files.push_back(path);
        for (const auto& [name, value] : fmt::parse_env_file(*text, path))
            env[name] = {value, {path, env_file_line(*text, name), name}};
    }
    return env;
}

// The ExecStart words with each expanded variable's words traced to its origin.
std::optional<CommandLine> unit_command_line(const std::vector<fmt::SystemdUnit>& units,
                                             const std::map<std::string, EnvValue>& env) {
    auto execs = fmt::effective_values(units, "Service", "ExecStart");
    if (execs.empty()) return std::nullopt;
    const fmt::UnitEntry& exec = execs.back();
    std::map<std::string, std::string> marks;
    for (const auto& [name, v] : env)
        marks[name] = std::string(1, k_mark_begin) + name + k_mark_end;
    const WordOrigin exec_origin{exec.source, exec.line, ""};
    CommandLine cmd;
    cmd.source = exec.source + ":" + std::to_string(exec.line) + " (ExecStart)";
    bool first = true;
    for (const auto& word : fmt::split_exec_line(exec.value, marks)) {
        std::vector<ArgWord> out;
        if (word.size() > 2 && word.front() == k_mark_begin && word.back() == k_mark_end &&
            word.find(k_mark_begin, 1) == std::string::npos) {
            const EnvValue& v = env.at(word.substr(1, word.size() - 2));
            for (auto& w : fmt::split_words(v.value))
                out.push_back({w, v.origin});
        } else {
            std::string text;
            for (size_t i = 0; i < word.size(); ++i) {
                size_t end = word[i] == k_mark_begin ? word.find(k_mark_end, i) : std::string::npos;
                if (end == std::string::npos) {
                    text += word[i];
                    continue;
                }
                text += env.at(word.substr(i + 1, end - i - 1)).value;
                i = end;
            }
            out.push_back({text, exec_origin});
        }
        for (auto& w : out) {
            if (first) {
                first = false; // argv[0], the kubelet binary
                continue;
            }
            cmd.args.push_back(std::move(w));
        }
    }
    return cmd;
}

} // namespace

std::string WordOrigin::describe() const {
    if (file.empty()) return "running process";
    std::string s = file + (line > 0 ? ":" + std::to_string(line) : std::string());
    if (!variable.empty()) s += " (" + variable + ")";
    return s;
}

std::string CommandLine::describe(const ArgWord& word) const {
    return from_process ? source : word.origin.describe();
}

std::vector<std::string> CommandLine::words() const {
    std::vector<std::string> w;
    for (const auto& a : args)
        w.push_back(a.text);
    return w;
}

const CommandLine* KubeletSources::command_line() const {
    if (process) return &*process;
    if (unit) return &*unit;
    return nullptr;
}

std::optional<std::string> flag_value(const CommandLine& cmd, const std::string& name) {
    auto f = fmt::last_flag(fmt::parse_kubelet_flags(cmd.words()), name);
    if (!f) return std::nullopt;
    return f->value ? *f->value : std::string("true");
}

nlohmann::ordered_json parse_config_document(const std::string& text, const std::string& source) {
    const size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return nlohmann::ordered_json::object();
    if (text[first] == '{') return fmt::parse_json(text, source);
    auto json = yaml_to_json(fmt::parse_yaml(text, source));
    if (!json.is_object()) throw fmt::ParseError(source, 1, 1, "a KubeletConfiguration must be a mapping");
    return json;
}

std::vector<CommandLine> running_kubelets(const sdk::Host& host) {
    std::vector<CommandLine> out;
    for (const auto& p : host.find_processes("kubelet")) {
        CommandLine cmd;
        cmd.source = "/proc/" + std::to_string(p.pid) + "/cmdline";
        cmd.from_process = true;
        for (size_t i = 1; i < p.argv.size(); ++i)
            cmd.args.push_back({p.argv[i], {}});
        out.push_back(std::move(cmd));
    }
    return out;
}

KubeletSources load_kubelet_sources(const sdk::Host& host) {
    KubeletSources s;
    auto procs = running_kubelets(host);
    if (!procs.empty()) s.process = procs.front();

    auto units = read_units(host, s.unit_files);
    if (!units.empty()) s.unit = unit_command_line(units, unit_environment(host, units, s.unit_files));

    const CommandLine* cmd = s.command_line();
    if (cmd) {
        const auto flags = fmt::parse_kubelet_flags(cmd->words());
        if (auto c = fmt::last_flag(flags, "config")) {
            s.config_path = c->value.value_or("");
            s.config_note = "--config on " + cmd->describe(cmd->args[c->index]);
        } else {
            s.config_note = "no --config on " + cmd->source + ": the kubelet reads no config file";
        }
        if (auto d = flag_value(*cmd, "config-dir")) s.config_dir = *d;
    } else {
        for (const auto& p : k_eks_config_paths)
            if (host.exists(p)) {
                s.config_path = p;
                s.config_note = "no kubelet command line found (no running kubelet, no kubelet.service): "
                                "the EKS AMI's path";
                if (host.stat(p + ".d").type == KUBECERT_FILE_DIRECTORY) s.config_dir = p + ".d";
                break;
            }
    }
    if (!s.config_path.empty())
        if (auto text = host.read_file(s.config_path))
            s.config = ConfigDoc{s.config_path, false, parse_config_document(*text, s.config_path)};
    if (!s.config_dir.empty()) {
        for (const auto& name : host.list_dir(s.config_dir)) {
            if (!name.ends_with(".conf")) continue;
            const std::string path = s.config_dir + "/" + name;
            if (host.stat(path).type != KUBECERT_FILE_REGULAR) continue;
            if (auto text = host.read_file(path)) s.dropins.push_back({path, true, parse_config_document(*text, path)});
        }
    }
    return s;
}

} // namespace kubecert::eks
