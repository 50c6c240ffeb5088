#pragma once

#include <memory>
#include <string>
#include <vector>

#include <kubecert/plugin.h>

#include "util/result.hpp"

namespace kubecert::loader {

// One loaded plugin library. The library stays open as long as this object
// lives, so every plugin instance must be destroyed before it.
class LoadedPlugin {
public:
    // Takes `fd`, the descriptor the library was loaded through: it stays
    // open with the library, so its /proc/self/fd name stays unique.
    LoadedPlugin(void* handle, int fd, std::string path, const kubecert_plugin_entry_t* entry,
                 const kubecert_plugin_t* plugin);
    ~LoadedPlugin();
    LoadedPlugin(const LoadedPlugin&) = delete;
    LoadedPlugin& operator=(const LoadedPlugin&) = delete;

    const std::string& path() const { return m_path; }
    const kubecert_plugin_t& api() const { return *m_plugin; }
    std::string name() const { return m_plugin->name; }
    std::string version() const { return m_plugin->version ? m_plugin->version : ""; }
    // "1.0.0": the ABI version the plugin was built with.
    std::string abi_version() const;

private:
    void* m_handle;
    int m_fd;
    std::string m_path;
    const kubecert_plugin_entry_t* m_entry;
    const kubecert_plugin_t* m_plugin;
};

// Loads one plugin file. Refuses, with a message naming the file and the
// reason: a file or folder writable by group or others, or owned by neither
// root nor the invoking user (checked before dlopen runs any of its code);
// a file that is not a shared library; one without the entry symbol; an ABI
// major version other than ours or a newer minor; an invalid descriptor.
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
