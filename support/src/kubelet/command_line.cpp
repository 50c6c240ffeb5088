#include <kubecert/kubelet/command_line.hpp>

#include <map>

#include <kubecert/formats/kubelet_flags.hpp>
#include <kubecert/formats/systemd_unit.hpp>

namespace kubecert::kubelet {

namespace {

namespace fmt = kubecert::formats;

// Marks where an environment variable was expanded in ExecStart, so each
// resulting word can be traced back to the line that set the variable.
constexpr char k_mark_begin = '\x1e';
constexpr char k_mark_end = '\x1f';

struct EnvValue {
    std::string value;
    WordOrigin origin;
};

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
        if (l.starts_with("export ")) l = trim(std::string_view(l).substr(7));
        if (l.starts_with(name + "=")) found = line;
        if (end == text.size()) break;
        pos = end + 1;
        ++line;
    }
    return found;
}

// The kubelet unit and its drop-ins in systemd's order; empty when there is no unit.
std::vector<fmt::SystemdUnit> read_units(const sdk::Host& host, std::vector<std::string>* files) {
    std::vector<fmt::SystemdUnit> units;
    for (const auto& dir : k_systemd_unit_dirs) {
        const std::string path = std::string(dir) + "/kubelet.service";
        if (auto text = host.read_file(path)) {
            units.push_back(fmt::parse_systemd_unit(*text, path));
            if (files) files->push_back(path);
            break;
        }
    }
    std::map<std::string, std::string> dropins; // name -> path, sorted by name
    for (const auto& dir : k_systemd_unit_dirs) {
        const std::string ddir = std::string(dir) + "/kubelet.service.d";
        for (const auto& name : host.list_dir(ddir))
            if (name.size() > 5 && name.ends_with(".conf") && !dropins.count(name)) dropins[name] = ddir + "/" + name;
    }
    for (const auto& [name, path] : dropins) {
        if (auto text = host.read_file(path)) {
            units.push_back(fmt::parse_systemd_unit(*text, path));
            if (files) files->push_back(path);
        }
    }
    return units;
}

// The unit's environment: Environment= first, EnvironmentFile= overriding it (systemd's rule).
std::map<std::string, EnvValue> unit_environment(const sdk::Host& host, const std::vector<fmt::SystemdUnit>& units,
                                                 std::vector<std::string>* files) {
    std::map<std::string, EnvValue> env;
    for (const auto& e : fmt::effective_values(units, "Service", "Environment"))
        for (const auto& [name, value] : fmt::parse_environment_assignments(e.value))
            env[name] = {value, {e.source, e.line, name}};
    for (const auto& e : fmt::effective_values(units, "Service", "EnvironmentFile")) {
        std::string path = trim(e.value);
        const bool optional = path.starts_with("-");
        if (optional) path = path.substr(1);
        auto text = host.read_file(path);
        if (!text) {
            if (!optional)
                host.warn(e.source + ":" + std::to_string(e.line) + ": EnvironmentFile " + path +
                          " does not exist (systemd would refuse to start the kubelet)");
            continue;
        }
        if (files) files->push_back(path);
        for (const auto& [name, value] : fmt::parse_env_file(*text, path))
            env[name] = {value, {path, env_file_line(*text, name), name}};
    }
    return env;
}

// The ExecStart words with each expanded variable's words traced to its origin.
std::optional<KubeletCommandLine> expand_exec_start(const std::vector<fmt::SystemdUnit>& units,
                                                    const std::map<std::string, EnvValue>& env) {
    auto execs = fmt::effective_values(units, "Service", "ExecStart");
    if (execs.empty()) return std::nullopt;
    const fmt::UnitEntry& exec = execs.back();
    std::map<std::string, std::string> marks;
    for (const auto& [name, v] : env) marks[name] = std::string(1, k_mark_begin) + name + k_mark_end;
    const WordOrigin exec_origin{exec.source, exec.line, ""};
    KubeletCommandLine cmd;
    cmd.source = exec.source + ":" + std::to_string(exec.line) + " (ExecStart)";
    bool first = true;
    for (const auto& word : fmt::split_exec_line(exec.value, marks)) {
        std::vector<ArgWord> out;
        if (word.size() > 2 && word.front() == k_mark_begin && word.back() == k_mark_end &&
            word.find(k_mark_begin, 1) == std::string::npos) {
            const EnvValue& v = env.at(word.substr(1, word.size() - 2));
            for (auto& w : fmt::split_words(v.value)) out.push_back({w, v.origin});
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

std::string KubeletCommandLine::describe(const ArgWord& word) const {
    return from_process ? source : word.origin.describe();
}

std::vector<std::string> KubeletCommandLine::words() const {
    std::vector<std::string> w;
    w.reserve(args.size());
    for (const auto& a : args) w.push_back(a.text);
    return w;
}

std::optional<KubeletCommandLine> kubelet_unit_command_line(const sdk::Host& host,
                                                            std::vector<std::string>* files_read) {
    auto units = read_units(host, files_read);
    if (units.empty()) return std::nullopt;
    auto cmd = expand_exec_start(units, unit_environment(host, units, files_read));
    if (!cmd) return cmd;
    auto dirs = fmt::effective_values(units, "Service", "WorkingDirectory");
    if (!dirs.empty()) {
        std::string dir = trim(dirs.back().value);
        if (dir.starts_with("-")) dir = dir.substr(1); // "-": a missing folder is not an error
        if (dir == "~") dir = "/root";                 // the kubelet runs as root
        if (dir.starts_with("/")) {
            cmd->working_dir = dir;
            cmd->working_dir_source =
                dirs.back().source + ":" + std::to_string(dirs.back().line) + " (WorkingDirectory)";
        }
    }
    return cmd;
}

std::string kubelet_absolute_path(const KubeletCommandLine& cmd, const std::string& path) {
    if (path.empty() || path.front() == '/') return path;
    const std::string joined = (cmd.working_dir.empty() ? std::string("/") : cmd.working_dir) + "/" + path;
    std::vector<std::string> parts;
    size_t pos = 0;
    while (pos <= joined.size()) {
        size_t end = joined.find('/', pos);
        if (end == std::string::npos) end = joined.size();
        const std::string part = joined.substr(pos, end - pos);
        if (part == "..") {
            if (!parts.empty()) parts.pop_back();
        } else if (!part.empty() && part != ".") {
            parts.push_back(part);
        }
        pos = end + 1;
    }
    std::string out;
    for (const auto& p : parts) out += "/" + p;
    return out.empty() ? "/" : out;
}

void inherit_working_dir(KubeletCommandLine& process, const KubeletCommandLine* unit) {
    if (!process.working_dir.empty() || !unit || unit->working_dir.empty()) return;
    process.working_dir = unit->working_dir;
    process.working_dir_source = unit->working_dir_source;
}

std::vector<KubeletCommandLine> running_kubelet_command_lines(const sdk::Host& host) {
    std::vector<KubeletCommandLine> out;
    for (const auto& p : host.find_processes("kubelet")) {
        KubeletCommandLine cmd;
        cmd.source = "/proc/" + std::to_string(p.pid) + "/cmdline";
        cmd.from_process = true;
        for (size_t i = 1; i < p.argv.size(); ++i) cmd.args.push_back({p.argv[i], {}});
        // Where the kubelet runs, read inside the root: ROOT/proc/PID/cwd.
        const std::string cwd = "/proc/" + std::to_string(p.pid) + "/cwd";
        try {
            if (host.lstat(cwd).type == KUBECERT_FILE_SYMLINK) {
                cmd.working_dir = host.resolve_path(cwd);
                cmd.working_dir_source = cwd;
            }
        } catch (const sdk::Error&) {
            // Unreadable (another user's process): the unit's WorkingDirectory=, else "/".
        }
        out.push_back(std::move(cmd));
    }
    return out;
}

std::optional<std::string> kubelet_flag_value(const KubeletCommandLine& cmd, const std::string& name) {
    auto f = fmt::last_flag(fmt::parse_kubelet_flags(cmd.words()), name);
    if (!f) return std::nullopt;
    return f->value ? *f->value : std::string("true");
}

} // namespace kubecert::kubelet
