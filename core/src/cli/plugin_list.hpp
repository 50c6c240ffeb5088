#pragma once

#include <memory>
#include <string>
#include <vector>

#include "loader/plugin_loader.hpp"

namespace kubecert::cli {

// `kubecert plugins`: name, version, ABI it needs, path, description, checks
// and options of each plugin (its loader::PluginModel), then the refused
// files; as text or JSON.
std::string render_plugin_list(const std::vector<std::unique_ptr<loader::LoadedPlugin>>& plugins,
                               const std::vector<std::string>& errors, const std::string& format);

} // namespace kubecert::cli
