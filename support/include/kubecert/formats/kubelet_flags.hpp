#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kubecert::formats {

// One command-line flag of the kubelet.
struct KubeletFlag {
    std::string name;                 // without leading dashes: "rotate-certificates"
    std::optional<std::string> value; // "false" for --x=false; nullopt for a bare boolean --x
    size_t index = 0;                 // index in the argument vector of the flag word
};

// Parses kubelet arguments (argv without argv[0]) into flags in order, as
// pflag does: "--name=value", "--name value" for flags that take a value
// (anything not known as boolean), "--name" alone for booleans. Words that are
// not flags are skipped.
std::vector<KubeletFlag> parse_kubelet_flags(const std::vector<std::string>& args);

// The last occurrence of `name` (pflag: the last one wins), if any.
std::optional<KubeletFlag> last_flag(const std::vector<KubeletFlag>& flags, std::string_view name);

// True when `name` is a boolean kubelet flag (--rotate-certificates,
// --rotate-server-certificates, ...): a bare "--name" means true.
bool is_boolean_kubelet_flag(std::string_view name);

// Go strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False.
std::optional<bool> parse_go_bool(std::string_view text);

// Parses "--feature-gates" syntax "A=true,B=false" (blanks trimmed).
// Throws ParseError (source, column) on a pair without '=' or a non-boolean.
std::map<std::string, bool> parse_feature_gates(std::string_view text, const std::string& source);

} // namespace kubecert::formats
