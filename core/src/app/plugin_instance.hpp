#pragma once

#include <string>
#include <vector>

#include "app/host_services.hpp"
#include "util/result.hpp"

namespace kubecert::app {

// One live plugin object (create() .. destroy()) with the host table it sees.
// Each call clears the host arena afterwards and turns a failing status into
// an Error carrying the plugin's own message.
class PluginInstance {
public:
    PluginInstance(RunContext& ctx, const loader::LoadedPlugin& plugin, Phase phase);
    ~PluginInstance();
    PluginInstance(const PluginInstance&) = delete;
    PluginInstance& operator=(const PluginInstance&) = delete;

    const loader::LoadedPlugin& plugin() const { return m_plugin; }
    bool created() const { return m_self != nullptr; }
    const std::string& create_error() const { return m_create_error; }

    util::Result<bool> detect();
    util::Status audit();
    util::Status fix(const std::vector<std::string>& finding_ids);

private:
    util::Status finish(kubecert_status_t status, const char* what);

    const loader::LoadedPlugin& m_plugin;
    HostServices m_services;
    void* m_self = nullptr;
    std::string m_create_error;
};

} // namespace kubecert::app
