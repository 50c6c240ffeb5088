#include "host/symlink_swap.hpp"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace kubecert::host {

std::string link_temp_name(const FolderEntry& entry) {
    static std::atomic<unsigned> counter{0};
    return "." + entry.name + ".kubecert-link-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

util::Status swap_symlink(const FolderEntry& entry, const std::string& target, const std::string& temp_name) {
    if (::symlinkat(target.c_str(), entry.folder.get(), temp_name.c_str()) != 0)
        return util::make_error(util::ErrorCode::io, entry.path + ": create new link: " + std::strerror(errno));
    // rename_over fsyncs the folder: the rename is durable only then.
    return rename_over(entry, temp_name);
}

} // namespace kubecert::host
