#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kubecert::app {

// The plugin entry point running on one instance (plugin.h, "Phases").
enum class PluginCall { none, create, detect, audit, fix };

const char* to_string(PluginCall call);

// plugin.h's phase rule for the services that change the node (write_file,
// backup_file, park_file, unpark_file, rollback, replace_symlink): fix()
// only. The message of the KUBECERT_ERR_DENIED refusal of `service` during
// `now`, or nullopt when it may run.
std::optional<std::string> refuse_node_change(PluginCall now, std::string_view service);

// Marks `slot` with `call` while one plugin entry point runs, and puts back
// what was there when it returns.
class CallScope {
public:
    CallScope(PluginCall& slot, PluginCall call) : m_slot(slot), m_previous(slot) { m_slot = call; }
    ~CallScope() { m_slot = m_previous; }
    CallScope(const CallScope&) = delete;
    CallScope& operator=(const CallScope&) = delete;

private:
    PluginCall& m_slot;
    PluginCall m_previous;
};

} // namespace kubecert::app
