#pragma once

#include <string_view>

#include <kubecert/plugin.h>

namespace kubecert::app {

// The host extensions (plugin.h, "Host extensions"): optional services a
// plugin asks for by name with kubecert_host_t.get_extension(), so a new
// service does not grow the host table. A name is "kubecert.<service>.v<N>";
// each one this host offers is a row of the registry in host_extensions.cpp,
// whose value is constant data (a struct or a table of functions) that lives
// as long as the process.

// The extension `name`, or nullptr when this host does not offer it.
const void* find_host_extension(std::string_view name);

// kubecert_host_t.get_extension: find_host_extension() behind the C ABI
// (NULL for a NULL name; never throws).
const void* get_host_extension(const kubecert_host_t* host, const char* name) noexcept;

} // namespace kubecert::app
