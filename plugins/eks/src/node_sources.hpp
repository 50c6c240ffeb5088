#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <kubecert/sdk.hpp>

namespace kubecert::eks {

// Where one command-line word was written, so that a fix can edit it there.
struct WordOrigin {
    std::string file;     // node path of the file holding it; "" for a running process's word
    int line = 0;         // 1-based first line of the entry (ExecStart=, Environment=, env-file line)
    std::string variable; // the environment variable that carried it; "" when written in ExecStart itself
    // How evidence names it: "/etc/.../10-kubelet-args.conf:2 (KUBELET_ARGS)" or "/proc/42/cmdline".
    std::string describe() const;
};

struct ArgWord {
    std::string text;
    WordOrigin origin;
};

// The kubelet's arguments (argv without argv[0]) from one place.
struct CommandLine {
    std::string source; // "/proc/42/cmdline" or the unit file with its ExecStart line
    bool from_process = false;
    std::vector<ArgWord> args;
    std::vector<std::string> words() const;
    // Where `word` (one of args) comes from, for evidence.
    std::string describe(const ArgWord& word) const;
};

// One KubeletConfiguration document: the --config file or a --config-dir drop-in.
struct ConfigDoc {
    std::string path;
    bool is_dropin = false;
    nlohmann::ordered_json json; // YAML drop-ins converted to JSON
};

// Everything on the node that decides the kubelet's effective settings.
struct KubeletSources {
    std::optional<CommandLine> process;  // the running kubelet
    std::optional<CommandLine> unit;     // the systemd unit with its drop-ins and environment
    std::vector<std::string> unit_files; // unit, drop-ins and environment files that were read
    std::string config_path;             // the --config file ("" when the kubelet reads none)
    std::string config_note;             // how config_path was chosen
    std::optional<ConfigDoc> config;     // absent when the file does not exist
    std::string config_dir;              // --config-dir ("" when not given)
    std::vector<ConfigDoc> dropins;      // sorted by name; later wins

    // The command line the kubelet runs with: the process's, else the unit's.
    const CommandLine* command_line() const;
};

// The two paths EKS AMIs install the KubeletConfiguration at (AL2, AL2023 nodeadm).
inline const std::vector<std::string> k_eks_config_paths{"/etc/kubernetes/kubelet/kubelet-config.json",
                                                         "/etc/kubernetes/kubelet/config.json"};

// Reads the kubelet's command line, unit files, config file and drop-ins
// through `host`. Throws formats::ParseError for a malformed file (named
// with line and column) and sdk::Error when the host cannot read one.
KubeletSources load_kubelet_sources(const sdk::Host& host);

// The running kubelet processes' command lines (pid order).
std::vector<CommandLine> running_kubelets(const sdk::Host& host);

// The value of the last --`name` flag of `cmd` (pflag: last wins), if any.
std::optional<std::string> flag_value(const CommandLine& cmd, const std::string& name);

// Parses a KubeletConfiguration document, JSON or YAML (drop-ins may be either).
nlohmann::ordered_json parse_config_document(const std::string& text, const std::string& source);

} // namespace kubecert::eks
