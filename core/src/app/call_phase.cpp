#include "app/call_phase.hpp"

namespace kubecert::app {

const char* to_string(PluginCall call) {
    switch (call) {
    case PluginCall::create:
        return "create()";
    case PluginCall::detect:
        return "detect()";
    case PluginCall::audit:
        return "audit()";
    case PluginCall::fix:
        return "fix()";
    case PluginCall::none:
        break;
    }
    return "no plugin call";
}

std::optional<std::string> refuse_node_change(PluginCall now, std::string_view service) {
    if (now == PluginCall::fix) return std::nullopt;
    // Rationale: audit and detect run on every `kubecert audit`, on a schedule too; a plugin
    // that changed the node there would do so without --yes, backup or rollback.
    return std::string(service) + ": refused during " + to_string(now) +
           ": a plugin changes the node only in fix() (plugin.h, \"Phases\")";
}

} // namespace kubecert::app
