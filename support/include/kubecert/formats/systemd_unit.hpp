#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace kubecert::formats {

// One `Key=Value` line of a unit file, continuation lines joined.
struct UnitEntry {
    std::string section; // "Service"
    std::string key;     // "ExecStart"
    std::string value;   // raw value, leading/trailing blanks trimmed, continuations joined with " "
    int line = 0;        // 1-based line of the key
    std::string source;  // node path of the file it came from
};

// A parsed unit file or drop-in, entries in file order.
struct SystemdUnit {
    std::vector<UnitEntry> entries;
};

// Parses unit-file text (sections, comments '#'/';', trailing '\' continuations).
// Throws ParseError naming `source` and the line for a line that is neither a
// section header, a comment, blank, nor Key=Value, or an entry before any section.
SystemdUnit parse_systemd_unit(std::string_view text, const std::string& source);

// The effective values of `section`.`key` over a unit followed by its drop-ins
// (in the order given), with systemd's rule that an empty assignment resets
// the list collected so far. For a single-valued key take the last element.
std::vector<UnitEntry> effective_values(const std::vector<SystemdUnit>& unit_and_dropins, const std::string& section,
                                        const std::string& key);

// Splits an Environment= value into NAME=value assignments, honouring double
// and single quotes around whole assignments ("A=b c" D=e).
std::vector<std::pair<std::string, std::string>> parse_environment_assignments(std::string_view value);

// Parses an EnvironmentFile (or kubeadm-flags.env, /etc/default/kubelet):
// KEY=value lines, '#' comments, optional "export ", single/double quotes,
// backslash-newline continuations. Throws ParseError for a non-assignment line.
std::map<std::string, std::string> parse_env_file(std::string_view text, const std::string& source);

// Splits an ExecStart= command line into words as systemd does (quotes,
// backslash escapes, a leading '-', '@', '+', '!' prefix dropped), expanding
// `$NAME` (unquoted: split into words at blanks; empty -> nothing) and
// `${NAME}` (one word) from `env`. Unknown variables expand to nothing.
std::vector<std::string> split_exec_line(std::string_view line, const std::map<std::string, std::string>& env);

// Splits a flags string (the value of KUBELET_ARGS, KUBELET_EXTRA_ARGS, ...)
// into words, shell-like: blanks separate, quotes group.
std::vector<std::string> split_words(std::string_view text);

} // namespace kubecert::formats
