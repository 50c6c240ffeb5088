#pragma once

#include <deque>
#include <map>
#include <string>
#include <vector>

#include <kubecert/plugin.h>

#include "app/call_phase.hpp"
#include "app/run_context.hpp"
#include "loader/plugin_loader.hpp"

namespace kubecert::app {

// Which audit a plugin's findings belong to.
enum class Phase { before, after };

// The kubecert_host_t table one plugin sees: every service of plugin.h
// implemented over the run's RootFs, Transaction, command runner, x509 and
// network helpers, with the results going into the run's report. Strings
// handed to the plugin live in an arena until clear_arena().
class HostServices {
public:
    HostServices(RunContext& ctx, const loader::LoadedPlugin& plugin, Phase phase);
    HostServices(const HostServices&) = delete;
    HostServices& operator=(const HostServices&) = delete;

    const kubecert_host_t* table() const { return &m_table; }
    // Frees what the last plugin call received; call after it returns.
    void clear_arena();

    RunContext& ctx() { return m_ctx; }
    const std::string& plugin_name() const { return m_plugin_name; }
    Phase phase() const { return m_phase; }
    const loader::LoadedPlugin& plugin() const { return m_plugin; }

    // Arena and error helpers used by the C trampolines.
    const char* keep(std::string s);
    kubecert_buffer_t keep_buffer(std::string s);
    kubecert_string_list_t keep_list(const std::vector<std::string>& items);
    kubecert_status_t fail(kubecert_status_t status, std::string message);
    const std::string& last_error() const { return m_last_error; }
    const std::string& current_finding() const { return m_current_finding; }
    void set_current_finding(std::string id) { m_current_finding = std::move(id); }
    std::deque<std::vector<kubecert_process_t>>& process_lists() { return m_process_lists; }
    std::deque<std::vector<kubecert_process_info_t>>& process_info_lists() { return m_process_info_lists; }
    // The plugin entry point running now, for plugin.h's phase rule (set by a CallScope).
    PluginCall& current_call() { return m_call; }

private:
    RunContext& m_ctx;
    const loader::LoadedPlugin& m_plugin;
    std::string m_plugin_name;
    Phase m_phase;
    kubecert_host_t m_table{};
    std::string m_last_error;
    std::string m_current_finding;
    std::deque<std::string> m_strings;
    std::deque<std::vector<const char*>> m_lists;
    std::deque<std::vector<kubecert_process_t>> m_process_lists;
    std::deque<std::vector<kubecert_process_info_t>> m_process_info_lists;
    PluginCall m_call = PluginCall::none;
};

} // namespace kubecert::app
