#include "app/plugin_instance.hpp"

#include "app/plugin_abi_calls.hpp"

namespace kubecert::app {

namespace {

util::Result<void*> create_bound(HostServices& services, HostAbiAdapter& adapter, const loader::LoadedPlugin& plugin,
                                 const PhaseContext& creation) {
    AuditResults ignored; // a plugin has nothing to report while it is made
    HostServices::CallScope scope(services, creation, &ignored);
    auto self = plugin_abi::create(plugin.api(), plugin.name(), adapter.table());
    adapter.clear_arena();
    return self;
}

} // namespace

PluginInstance::PluginInstance(RunContext& run, const loader::LoadedPlugin& plugin, const PhaseContext& creation)
    : m_run(run), m_plugin(plugin), m_services(run, plugin.model()), m_adapter(m_services),
      m_self(create_bound(m_services, m_adapter, plugin, creation)) {}

PluginInstance::~PluginInstance() {
    if (!m_self) return;
    if (auto st = plugin_abi::destroy(m_plugin.api(), m_plugin.name(), *m_self); !st)
        m_run.report.errors.push_back(st.error().message);
}

util::Result<bool> PluginInstance::detect(const PhaseContext& phase) {
    if (!m_self) return m_self.error();
    AuditResults ignored; // findings belong to an audit, not to detect
    HostServices::CallScope scope(m_services, phase, &ignored);
    auto matches = plugin_abi::detect(m_plugin.api(), m_plugin.name(), *m_self, m_adapter.table());
    m_adapter.clear_arena();
    return matches;
}

AuditOutcome PluginInstance::audit(const PhaseContext& phase) {
    AuditOutcome outcome;
    if (!m_self) {
        outcome.error = m_self.error();
        return outcome;
    }
    HostServices::CallScope scope(m_services, phase, &outcome.results);
    auto st = plugin_abi::audit(m_plugin.api(), m_plugin.name(), *m_self, m_adapter.table());
    m_adapter.clear_arena();
    if (!st) outcome.error = st.error();
    return outcome;
}

util::Status PluginInstance::fix(const PhaseContext& phase, const std::vector<std::string>& finding_ids,
                                 AuditResults& reported) {
    if (!m_self) return m_self.error();
    HostServices::CallScope scope(m_services, phase, &reported);
    auto st = plugin_abi::fix(m_plugin.api(), m_plugin.name(), *m_self, m_adapter.table(), finding_ids);
    m_adapter.clear_arena();
    return st;
}

} // namespace kubecert::app
