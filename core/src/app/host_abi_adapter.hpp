// HostAbiAdapter: the kubecert_host_t table of plugin.h over HostServices.
// It only marshals (C structs and strings in, C++ values to the services, C
// structs out, strings kept in an arena until the plugin call returns), and
// guards every callback: no C++ exception leaves it, a failure is a status
// plus last_error().
#pragma once

#include <deque>
#include <map>
#include <string>
#include <vector>

#include <kubecert/plugin.h>

#include "app/host_services.hpp"
#include "loader/plugin_model.hpp"

namespace kubecert::app {

class HostAbiAdapter {
public:
    explicit HostAbiAdapter(HostServices& services);
    HostAbiAdapter(const HostAbiAdapter&) = delete;
    HostAbiAdapter& operator=(const HostAbiAdapter&) = delete;

    // Valid as long as this adapter; the same pointer for every call of one plugin instance.
    const kubecert_host_t* table() const { return &m_table; }
    HostServices& services() { return m_services; }
    // Frees what the last plugin call received; call after it returns.
    void clear_arena();

    // Arena: what the plugin receives stays valid until clear_arena().
    const char* keep(std::string s);
    kubecert_buffer_t keep_buffer(std::string s);
    kubecert_string_list_t keep_list(const std::vector<std::string>& items);
    std::vector<kubecert_process_t>& keep_processes();
    const std::vector<kubecert_process_info_t>& keep_process_infos(std::vector<kubecert_process_info_t> list);
    // Records `message` for last_error() and returns `status`; never throws.
    kubecert_status_t fail(kubecert_status_t status, const std::string& message) noexcept;
    const char* last_error() const { return m_last_error.c_str(); }

private:
    HostServices& m_services;
    kubecert_host_t m_table{};
    std::string m_last_error;
    std::deque<std::string> m_strings;
    std::deque<std::vector<const char*>> m_lists;
    std::deque<std::vector<kubecert_process_t>> m_process_lists;
    std::deque<std::vector<kubecert_process_info_t>> m_process_info_lists;
};

} // namespace kubecert::app
