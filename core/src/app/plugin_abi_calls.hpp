// Every call the host makes into a plugin's function pointers (plugin.h's
// kubecert_plugin_t), guarded: a C++ exception thrown through the C ABI, a
// missing function, a status outside kubecert_status_t or a NULL message
// becomes an Error that names the plugin and the call, never a crash.
#pragma once

#include <string>
#include <vector>

#include <kubecert/plugin.h>

#include "util/result.hpp"

namespace kubecert::app::plugin_abi {

// create(); the error carries get_last_error(NULL) when it returned NULL.
util::Result<void*> create(const kubecert_plugin_t& api, const std::string& plugin, const kubecert_host_t* host);
// destroy(); an error only when it threw.
util::Status destroy(const kubecert_plugin_t& api, const std::string& plugin, void* self);
util::Result<bool> detect(const kubecert_plugin_t& api, const std::string& plugin, void* self,
                          const kubecert_host_t* host);
util::Status audit(const kubecert_plugin_t& api, const std::string& plugin, void* self, const kubecert_host_t* host);
util::Status fix(const kubecert_plugin_t& api, const std::string& plugin, void* self, const kubecert_host_t* host,
                 const std::vector<std::string>& finding_ids);

} // namespace kubecert::app::plugin_abi
