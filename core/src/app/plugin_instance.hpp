#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/host_abi_adapter.hpp"
#include "app/host_services.hpp"
#include "app/phase_context.hpp"
#include "loader/plugin_loader.hpp"
#include "util/result.hpp"

namespace kubecert::app {

// What one audit of one plugin gave: its findings and certificates, and why
// the audit as a whole broke, when it did (what it reported before stays).
struct AuditOutcome {
    AuditResults results;
    std::optional<util::Error> error;
};

// One live plugin object (create() .. destroy()) with the one host table it
// sees for its whole life. Each call is bound to the phase it belongs to
// (explicit, immutable PhaseContext), clears the host arena afterwards, and
// turns a failing status, or anything a misbehaving plugin does, into an
// Error carrying the plugin's own message (plugin_abi_calls.hpp).
class PluginInstance {
public:
    // `creation`: the phase of create() (the first phase the instance is used in).
    PluginInstance(RunContext& run, const loader::LoadedPlugin& plugin, const PhaseContext& creation);
    ~PluginInstance();
    PluginInstance(const PluginInstance&) = delete;
    PluginInstance& operator=(const PluginInstance&) = delete;

    const loader::LoadedPlugin& plugin() const { return m_plugin; }

    util::Result<bool> detect(const PhaseContext& phase);
    AuditOutcome audit(const PhaseContext& phase);
    // Findings a plugin reports during its fix (unusual) go to `reported`.
    util::Status fix(const PhaseContext& phase, const std::vector<std::string>& finding_ids, AuditResults& reported);

private:
    RunContext& m_run;
    const loader::LoadedPlugin& m_plugin;
    HostServices m_services;
    HostAbiAdapter m_adapter;
    util::Result<void*> m_self;
};

} // namespace kubecert::app
