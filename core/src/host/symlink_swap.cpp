#include "host/symlink_swap.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <vector>

namespace kubecert::host {

namespace {

util::Error link_error(const std::string& what, int err) {
    const auto code = err == ENOENT                     ? util::ErrorCode::not_found
                      : (err == EACCES || err == EPERM) ? util::ErrorCode::denied
                                                        : util::ErrorCode::io;
    return util::make_error(code, what + ": " + std::strerror(err));
}

std::string folder_of(const std::string& path) {
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

} // namespace

util::Result<std::string> read_symlink(const std::string& host_path) {
    std::vector<char> buf(256);
    for (;;) {
        const ssize_t n = ::readlink(host_path.c_str(), buf.data(), buf.size());
        if (n < 0) return link_error(host_path + ": read link", errno);
        if (static_cast<std::size_t>(n) < buf.size()) return std::string(buf.data(), static_cast<std::size_t>(n));
        buf.resize(buf.size() * 2);
    }
}

util::Status swap_symlink(const std::string& host_path, const std::string& target) {
    static std::atomic<unsigned> counter{0};
    const std::string dir = folder_of(host_path);
    const std::string tmp = dir + "/." + host_path.substr(host_path.find_last_of('/') + 1) + ".kubecert-link-" +
                            std::to_string(::getpid()) + "-" + std::to_string(counter++);
    if (::symlink(target.c_str(), tmp.c_str()) != 0) return link_error(host_path + ": create new link", errno);
    if (::rename(tmp.c_str(), host_path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        return link_error(host_path + ": rename new link into place", err);
    }
    // The rename is durable only once the folder is synced.
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return link_error("open folder " + dir, errno);
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) return link_error("fsync folder " + dir, err);
    return util::ok_status();
}

} // namespace kubecert::host
