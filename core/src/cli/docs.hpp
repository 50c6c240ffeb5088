#pragma once

#include <memory>
#include <string>
#include <vector>

#include "loader/plugin_loader.hpp"

namespace kubecert::cli {

// The manual page kubecert(1) in roff (man(7) macros): commands, options and
// plugin options from the same descriptions as --help (options.hpp), exit
// status, environment, files, report formats. `plugin_dir` is the plugin
// folder named under FILES ("BINDIR/../lib/kubecert/plugins").
std::string render_man_page(const std::vector<std::unique_ptr<loader::LoadedPlugin>>& plugins,
                            const std::string& plugin_dir);

// A bash completion script for kubecert: commands, options (plugin options
// of `plugins` included), --format values, --flavor values (the plugins
// `kubecert plugins` finds when Tab is pressed) and file/folder arguments.
std::string render_bash_completion(const std::vector<std::unique_ptr<loader::LoadedPlugin>>& plugins);

} // namespace kubecert::cli
