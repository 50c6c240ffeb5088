#include "loader/plugin_loader.hpp"

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <optional>
#include <set>

namespace kubecert::loader {

using util::ErrorCode;
using util::make_error;

LoadedPlugin::LoadedPlugin(void* handle, int fd, PluginModel model, const kubecert_plugin_t* plugin)
    : m_handle(handle), m_fd(fd), m_model(std::move(model)), m_plugin(plugin) {}

LoadedPlugin::~LoadedPlugin() {
    if (m_handle) dlclose(m_handle);
    if (m_fd >= 0) ::close(m_fd);
}

namespace {

std::string parent_of(const std::string& path) {
    auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

std::string octal_mode(mode_t mode) {
    char b[8];
    std::snprintf(b, sizeof b, "%04o", static_cast<unsigned>(mode & 07777));
    return b;
}

// Rationale: dlopen runs the library's constructors as the invoking user
// (root, on a node), so a file anybody else could have replaced, or put in
// place by renaming a folder above it, must be refused before it is opened.
// The rule is sudo's and OpenSSH's: owner root or the invoking user, not
// writable by group or others; a folder may be writable by all only when it
// is sticky and root's (like /tmp), since then nobody can rename what is in it.
util::Status check_owner_and_mode(const std::string& what, const std::string& path, const struct stat& st) {
    if (st.st_uid != 0 && st.st_uid != ::getuid())
        return make_error(ErrorCode::denied, path + ": refused: " + what + " is owned by uid " +
                                                 std::to_string(st.st_uid) + ", neither root nor the invoking user");
    const bool sticky_root_folder = S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX) && st.st_uid == 0;
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !sticky_root_folder)
        return make_error(ErrorCode::denied, path + ": refused: " + what + " is writable by group or others (mode " +
                                                 octal_mode(st.st_mode) + ")");
    return util::ok_status();
}

// Every folder from `file`'s (resolved, absolute) folder up to "/".
util::Status check_folders_up_to_root(const std::string& file) {
    for (std::string dir = parent_of(file);; dir = parent_of(dir)) {
        struct stat st {};
        if (::stat(dir.c_str(), &st) != 0)
            return make_error(ErrorCode::io, dir + ": cannot stat plugin folder: " + std::strerror(errno));
        const std::string what = dir == parent_of(file) ? "plugin folder" : "folder above the plugin";
        if (auto ok = check_owner_and_mode(what, dir, st); !ok) return ok;
        if (dir == "/") return util::ok_status();
    }
}

// The plugin file opened once, checked through its descriptor, so the file
// checked is the file loaded (dlopen of /proc/self/fd/N).
struct CheckedFile {
    int fd = -1;
    std::string resolved;
    ~CheckedFile() {
        if (fd >= 0) ::close(fd);
    }
};

util::Status open_checked(const std::string& path, CheckedFile& out) {
    char real[PATH_MAX];
    if (!::realpath(path.c_str(), real))
        return make_error(ErrorCode::io, path + ": cannot resolve plugin file: " + std::strerror(errno));
    out.resolved = real;
    if (auto ok = check_folders_up_to_root(out.resolved); !ok) return ok;
    out.fd = ::open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (out.fd < 0) return make_error(ErrorCode::io, path + ": cannot open plugin file: " + std::strerror(errno));
    struct stat st {};
    if (::fstat(out.fd, &st) != 0)
        return make_error(ErrorCode::io, path + ": cannot stat plugin file: " + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) return make_error(ErrorCode::denied, path + ": refused: not a regular file");
    return check_owner_and_mode("plugin file", out.resolved == path ? path : path + " (" + out.resolved + ")", st);
}

// Runs a call into the plugin; "" when it returned, else what crossed the C ABI.
template <class Call> std::string guarded_abi_call(Call&& body) noexcept {
    try {
        body();
        return "";
    } catch (const std::exception& e) {
        return std::string("a C++ exception crossed the plugin ABI: ") + e.what();
    } catch (...) {
        return "an exception crossed the plugin ABI";
    }
}

bool valid_name(const char* name) {
    if (!name || !*name || std::strlen(name) > 64) return false;
    for (const char* p = name; *p; ++p)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')) return false;
    return true;
}

} // namespace

util::Result<std::unique_ptr<LoadedPlugin>> load_plugin(const std::string& path) {
    CheckedFile file;
    if (auto st = open_checked(path, file); !st) return st.error();

    const std::string by_fd = "/proc/self/fd/" + std::to_string(file.fd);
    void* handle = dlopen(by_fd.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char* why = dlerror();
        return make_error(ErrorCode::invalid,
                          path + ": refused: not a loadable shared library (" + (why ? why : "unknown") + ")");
    }
    auto fail = [&](const std::string& why) -> util::Error {
        dlclose(handle);
        return make_error(ErrorCode::invalid, path + ": refused: " + why);
    };
    auto* entry = static_cast<const kubecert_plugin_entry_t*>(dlsym(handle, KUBECERT_PLUGIN_ENTRY_SYMBOL));
    if (!entry) return fail("not a kubecert plugin (no " KUBECERT_PLUGIN_ENTRY_SYMBOL " symbol)");

    // The version is read before anything else of the entry: it is the ABI the plugin needs.
    const kubecert_version_t abi = entry->abi;
    const std::string abi_text = std::to_string(abi.major) + "." + std::to_string(abi.minor);
    const std::string host_text = std::to_string(KUBECERT_ABI_MAJOR) + "." + std::to_string(KUBECERT_ABI_MINOR);
    if (abi.major != KUBECERT_ABI_MAJOR)
        return fail("needs plugin ABI " + abi_text + ", this kubecert supports ABI " +
                    std::to_string(KUBECERT_ABI_MAJOR) + ".0 to " + host_text);
    if (abi.minor > KUBECERT_ABI_MINOR)
        return fail("needs plugin ABI " + abi_text + ", newer than this kubecert's " + host_text +
                    " (upgrade kubecert)");
    // The entry has not grown since ABI 1.0: its size then is the minimum.
    if (entry->struct_size < KUBECERT_SIZE_UNTIL(kubecert_plugin_entry_t, get_plugin) || !entry->get_plugin)
        return fail("malformed entry (struct_size " + std::to_string(entry->struct_size) + ")");

    const kubecert_version_t host_abi{KUBECERT_ABI_MAJOR, KUBECERT_ABI_MINOR, KUBECERT_ABI_PATCH};
    const kubecert_plugin_t* plugin = nullptr;
    std::optional<util::Result<PluginModel>> model;
    // get_plugin() and the declaration accessors are the plugin's code: an exception thrown
    // through the C ABI refuses this file, as every other guarded call into a plugin does.
    const std::string thrown = guarded_abi_call([&] {
        plugin = entry->get_plugin(&host_abi);
        if (plugin) model = read_plugin_model(abi, *plugin, path);
    });
    if (!thrown.empty())
        return fail(std::string(plugin ? "reading its checks and options" : "get_plugin()") + ": " + thrown);
    if (!plugin) return fail("the plugin declined this kubecert's ABI " + host_text);
    if (!*model) return fail(model->error().message);
    if (!valid_name(plugin->name)) return fail("invalid plugin name (want [a-z0-9-]+)");
    if (!plugin->create || !plugin->destroy || !plugin->detect || !plugin->audit || !plugin->fix ||
        !plugin->get_last_error)
        return fail("plugin '" + std::string(plugin->name) + "' leaves a required function empty");
    // glibc knows a loaded library by the name it was opened with: the descriptor
    // stays open with it, so no later plugin gets the same /proc/self/fd name.
    const int fd = file.fd;
    file.fd = -1;
    return std::make_unique<LoadedPlugin>(handle, fd, std::move(**model), plugin);
}

LoadOutcome load_plugins(const std::vector<std::string>& folders) {
    LoadOutcome out;
    std::set<std::string> seen_files;
    for (const auto& folder : folders) {
        DIR* d = opendir(folder.c_str());
        if (!d) continue;
        std::vector<std::string> names;
        while (dirent* e = readdir(d)) {
            std::string n = e->d_name;
            if (n.size() > 3 && n.compare(n.size() - 3, 3, ".so") == 0) names.push_back(n);
        }
        closedir(d);
        std::sort(names.begin(), names.end());
        for (const auto& n : names) {
            std::string path = folder + "/" + n;
            char real[PATH_MAX];
            std::string key = realpath(path.c_str(), real) ? real : path;
            if (!seen_files.insert(key).second) continue; // the same folder listed twice
            auto loaded = load_plugin(path);
            if (!loaded) {
                out.errors.push_back(loaded.error().message);
                continue;
            }
            auto dup = std::find_if(out.plugins.begin(), out.plugins.end(),
                                    [&](const auto& p) { return p->name() == (*loaded)->name(); });
            if (dup != out.plugins.end()) {
                out.errors.push_back(path + ": refused: a plugin named '" + (*loaded)->name() +
                                     "' is already loaded from " + (*dup)->path());
                continue;
            }
            out.plugins.push_back(std::move(*loaded));
        }
    }
    return out;
}

namespace {
std::string executable_dir() {
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return ".";
    buf[n] = 0;
    return parent_of(buf);
}
} // namespace

std::vector<std::string> plugin_search_path(const std::vector<std::string>& plugin_dirs) {
    std::vector<std::string> out = plugin_dirs;
    if (const char* env = std::getenv("KUBECERT_PLUGIN_PATH")) {
        std::string s = env;
        size_t start = 0;
        while (start <= s.size()) {
            size_t colon = s.find(':', start);
            std::string part = s.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
            if (!part.empty()) out.push_back(part);
            if (colon == std::string::npos) break;
            start = colon + 1;
        }
    }
    std::string installed = executable_dir() + "/" KUBECERT_BIN_TO_PLUGINS;
    char real[PATH_MAX];
    out.push_back(realpath(installed.c_str(), real) ? std::string(real) : installed);
    return out;
}

} // namespace kubecert::loader
