// A real kubecert host in process, for support code that calls the host: the
// core's HostServices behind its C table (HostAbiAdapter), on a temporary
// root, bound to an audit phase for the object's life. Commands run on this
// machine (the root counts as the running system unless told otherwise).
#pragma once

#include <kubecert/sdk.hpp>

#include <ctime>
#include <optional>
#include <string>

#include "app/host_abi_adapter.hpp"
#include "app/host_services.hpp"
#include "app/phase_context.hpp"
#include "loader/plugin_model.hpp"
#include "test_support.hpp"

namespace kubecert::test {

class RealHost {
public:
    explicit RealHost(bool live_system = true) {
        m_run.fs = std::make_unique<host::RootFs>(m_root.path());
        m_run.now = now();
        m_run.live = {live_system, live_system ? "a test says so" : "a test root"};
        m_phase.emplace(app::PhaseContext::reading(app::PhaseKind::audit, *m_run.fs, m_run.now));
        m_scope.emplace(m_services, *m_phase, &m_results);
    }
    // The host path of node path `node_path`.
    std::string operator/(const std::string& node_path) const { return m_root / node_path; }
    const std::string& root() const { return m_root.path(); }
    sdk::Host host() const { return sdk::Host(m_adapter.table()); }

private:
    static std::int64_t now();
    static loader::PluginModel model() {
        loader::PluginModel m;
        m.name = "support-tests";
        return m;
    }

    TempDir m_root;
    app::RunContext m_run;
    loader::PluginModel m_model{model()};
    app::HostServices m_services{m_run, m_model};
    app::HostAbiAdapter m_adapter{m_services};
    app::AuditResults m_results;
    std::optional<app::PhaseContext> m_phase;
    std::optional<app::HostServices::CallScope> m_scope;
};

inline std::int64_t RealHost::now() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

} // namespace kubecert::test
