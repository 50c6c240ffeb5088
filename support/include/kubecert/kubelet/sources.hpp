#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <kubecert/kubelet/command_line.hpp>
#include <kubecert/sdk.hpp>

// The kubelet's configuration sources, shared by every plugin: its command line (running process
// and systemd unit), the --config file and the --config-dir drop-ins.
namespace kubecert::kubelet {

// The kubelet's command line with each word's origin (file, line, variable).
using CommandLine = KubeletCommandLine;

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

// Reads the kubelet's command line, unit files, config file and drop-ins
// through `host`; `fallback_config_paths` are the distribution's known config
// files, used only when no command line is found at all. Throws
// formats::ParseError for a malformed file (named with line and column) and
// sdk::Error when the host cannot read one.
KubeletSources load_kubelet_sources(const sdk::Host& host, const std::vector<std::string>& fallback_config_paths);

// Evidence rows naming what was consulted, so a reader sees every source: the command line that
// runs (and the unit's, used at the next restart), the config file and the --config-dir drop-ins.
std::vector<sdk::Evidence> source_evidence(const KubeletSources& s);

// A path from the kubelet's command line as the kubelet opens it (relative ones against its
// working directory), and the evidence note saying so.
std::string kubelet_path(const CommandLine& cmd, const std::string& path);
std::string relative_note(const CommandLine& cmd, const std::string& path);

// The --config-dir drop-ins of `dir` (*.conf regular files, sorted by name: later wins).
std::vector<ConfigDoc> read_config_dropins(const sdk::Host& host, const std::string& dir);

// Parses a KubeletConfiguration document, JSON or YAML (drop-ins may be either).
nlohmann::ordered_json parse_config_document(const std::string& text, const std::string& source);

} // namespace kubecert::kubelet
