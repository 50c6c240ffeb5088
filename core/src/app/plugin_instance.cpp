#include "app/plugin_instance.hpp"

namespace kubecert::app {

PluginInstance::PluginInstance(RunContext& ctx, const loader::LoadedPlugin& plugin, Phase phase)
    : m_plugin(plugin), m_services(ctx, plugin, phase) {
    {
        CallScope call(m_services.current_call(), PluginCall::create);
        m_self = plugin.api().create(m_services.table());
    }
    if (!m_self) {
        const char* e = plugin.api().get_last_error(nullptr);
        m_create_error = e && *e ? e : "create() failed";
    }
    m_services.clear_arena();
}

PluginInstance::~PluginInstance() {
    if (m_self) m_plugin.api().destroy(m_self);
}

util::Status PluginInstance::finish(kubecert_status_t status, const char* what) {
    m_services.clear_arena();
    if (status == KUBECERT_OK) return util::ok_status();
    const char* e = m_plugin.api().get_last_error(m_self);
    std::string msg = e && *e ? e : "no message";
    return util::make_error(static_cast<util::ErrorCode>(status == KUBECERT_OK ? 1 : status),
                            m_plugin.name() + ": " + what + " failed: " + msg);
}

util::Result<bool> PluginInstance::detect() {
    if (!m_self) return util::make_error(util::ErrorCode::failed, m_plugin.name() + ": " + m_create_error);
    int matches = 0;
    CallScope call(m_services.current_call(), PluginCall::detect);
    auto st = finish(m_plugin.api().detect(m_self, m_services.table(), &matches), "detect");
    if (!st) return st.error();
    return matches != 0;
}

util::Status PluginInstance::audit() {
    if (!m_self) return util::make_error(util::ErrorCode::failed, m_plugin.name() + ": " + m_create_error);
    CallScope call(m_services.current_call(), PluginCall::audit);
    return finish(m_plugin.api().audit(m_self, m_services.table()), "audit");
}

util::Status PluginInstance::fix(const std::vector<std::string>& finding_ids) {
    if (!m_self) return util::make_error(util::ErrorCode::failed, m_plugin.name() + ": " + m_create_error);
    std::vector<const char*> ids;
    for (const auto& id : finding_ids) ids.push_back(id.c_str());
    CallScope call(m_services.current_call(), PluginCall::fix);
    return finish(m_plugin.api().fix(m_self, m_services.table(), ids.data(), ids.size()), "fix");
}

} // namespace kubecert::app
