#pragma once

#include <memory>
#include <string>
#include <vector>

#include <kubecert/plugin.h>

#include "loader/plugin_model.hpp"
#include "util/result.hpp"

namespace kubecert::loader {

// One loaded plugin library: what it declares (model(), read once at load
// time) and the functions an instance is run through (api()). The library
// stays open as long as this object lives, so every plugin instance must be
// destroyed before it.
class LoadedPlugin {
public:
    // Takes `fd`, the descriptor the library was loaded through: it stays
    // open with the library, so its /proc/self/fd name stays unique.
    LoadedPlugin(void* handle, int fd, PluginModel model, const kubecert_plugin_t* plugin);
    ~LoadedPlugin();
    LoadedPlugin(const LoadedPlugin&) = delete;
    LoadedPlugin& operator=(const LoadedPlugin&) = delete;

    const PluginModel& model() const { return m_model; }
    const std::string& path() const { return m_model.path; }
    const std::string& name() const { return m_model.name; }
    const std::string& version() const { return m_model.version; }
    // "1.4.0": the ABI version the plugin needs.
    std::string abi_version() const { return m_model.abi_text(); }
    // The entry points of an instance (create .. destroy, get_last_error).
    // Declarations are read from model(), never from here.
    const kubecert_plugin_t& api() const { return *m_plugin; }

private:
    void* m_handle;
    int m_fd;
    PluginModel m_model;
    const kubecert_plugin_t* m_plugin;
};

// Loads one plugin file. Refuses, with a message naming the file and the
// reason: a file or folder writable by group or others, or owned by neither
// root nor the invoking user (checked before dlopen runs any of its code);
// a file that is not a shared library; one without the entry symbol; one
// needing an ABI major version other than ours or a newer minor; an invalid
// descriptor (plugin_model.hpp). Loading calls get_plugin() and the
// declaration accessors only: no instance is created.
util::Result<std::unique_ptr<LoadedPlugin>> load_plugin(const std::string& path);

struct LoadOutcome {
    std::vector<std::unique_ptr<LoadedPlugin>> plugins; // in search order
    std::vector<std::string> errors;                    // one line per refused file
};

// Loads every "*.so" file of each folder in order (a missing folder is
// skipped), refusing a second plugin with a name already loaded.
LoadOutcome load_plugins(const std::vector<std::string>& folders);

// The folders to search: each --plugin-dir, then KUBECERT_PLUGIN_PATH
// (colon separated), then the plugins folder installed beside the executable.
std::vector<std::string> plugin_search_path(const std::vector<std::string>& plugin_dirs);

} // namespace kubecert::loader
