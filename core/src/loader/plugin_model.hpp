#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <kubecert/plugin.h>

#include "util/result.hpp"

namespace kubecert::loader {

// What a loaded plugin declares, copied out of its C descriptor once, at
// load time: everything the CLI shows and the host looks up (names, checks,
// options) reads this, never the plugin's raw ABI arrays.
struct CheckModel {
    std::string id;    // "eks.configz", or a family "kubeadm.cert-expiry/<name>"
    std::string title; // what the check wants
};

struct OptionModel {
    std::string name;                         // "api-proxy" -> --<plugin>-api-proxy
    std::optional<std::string> value_name;    // "URL"; nullopt for a boolean flag
    std::string help;                         // one line
    std::optional<std::string> default_value; // only for an option that takes a value
    bool is_flag() const { return !value_name; }
};

struct PluginModel {
    std::string name;
    std::string version;
    std::string description;
    kubecert_version_t required_abi{}; // the ABI the plugin needs (its entry's stamp)
    std::string path;                  // as it was found in its plugin folder
    std::vector<CheckModel> checks;
    std::vector<OptionModel> options;

    // "1.4.0": required_abi as text.
    std::string abi_text() const;
    // The declared option `name`, or nullptr.
    const OptionModel* option(std::string_view name) const;
};

// Reads a descriptor the way plugin.h's versioning rules say: any struct_size
// that covers the fields of ABI 1.0 (and of the minor the plugin requires);
// checks and options through get_check()/get_option() when the plugin gives
// them, else from its arrays with the stride of their first element. The
// error message says what is wrong, without the path (the loader adds it).
util::Result<PluginModel> read_plugin_model(const kubecert_version_t& required_abi, const kubecert_plugin_t& plugin,
                                            std::string path);

} // namespace kubecert::loader
