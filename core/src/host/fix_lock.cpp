#include "host/fix_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

namespace kubecert::host {

namespace {

util::Error lock_error(const std::string& lock_path, const std::string& step, int err) {
    return util::make_error(err == EACCES || err == EPERM ? util::ErrorCode::denied : util::ErrorCode::io,
                            "fix lock " + lock_path + ": " + step + ": " + std::strerror(err));
}

util::Status make_parents(const std::string& path) {
    for (std::size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
        std::string dir = path.substr(0, slash);
        if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return lock_error(path, "create folder " + dir, errno);
    }
    return util::ok_status();
}

// Our own command line, for the message another run prints while we hold the lock.
std::string own_command_line() {
    int fd = ::open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return "?";
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    while (!text.empty() && text.back() == '\0') text.pop_back();
    for (char& c : text)
        if (c == '\0' || c == '\n') c = ' ';
    return text.empty() ? "?" : text;
}

std::string holder_of(int fd) {
    std::string text(512, '\0');
    ssize_t n = ::pread(fd, text.data(), text.size(), 0);
    text.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
    return text;
}

// The holder of an flock on the file open as `fd`, found in /proc/locks
// (device in hex major:minor, inode), with its command line.
std::string holder_from_proc_locks(int fd) {
    struct stat st;
    if (::fstat(fd, &st) != 0) return "";
    char dev[64];
    std::snprintf(dev, sizeof dev, "%02x:%02x:%llu", major(st.st_dev), minor(st.st_dev),
                  static_cast<unsigned long long>(st.st_ino));
    int lf = ::open("/proc/locks", O_RDONLY | O_CLOEXEC);
    if (lf < 0) return "";
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(lf, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
    ::close(lf);
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        std::string line = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
        pos = end == std::string::npos ? text.size() : end + 1;
        char kind[16], adv[16], mode[16], devino[64];
        int pid = 0;
        if (line.find("->") != std::string::npos) continue; // a waiter, not the holder
        if (std::sscanf(line.c_str(), "%*d: %15s %15s %15s %d %63s", kind, adv, mode, &pid, devino) != 5) continue;
        if (std::string(kind) != "FLOCK" || std::string(devino) != dev) continue;
        std::string cmd;
        int cf = ::open(("/proc/" + std::to_string(pid) + "/cmdline").c_str(), O_RDONLY | O_CLOEXEC);
        if (cf >= 0) {
            while ((n = ::read(cf, buf, sizeof buf)) > 0) cmd.append(buf, static_cast<std::size_t>(n));
            ::close(cf);
        }
        while (!cmd.empty() && cmd.back() == '\0') cmd.pop_back();
        for (char& c : cmd)
            if (c == '\0') c = ' ';
        return "pid=" + std::to_string(pid) + " cmd=" + (cmd.empty() ? "?" : cmd);
    }
    return "";
}

bool is_directory(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

} // namespace

FixLock::~FixLock() {
    release();
}

util::Status FixLock::acquire(const std::string& lock_path, std::chrono::milliseconds wait) {
    if (m_fd >= 0)
        return util::make_error(util::ErrorCode::invalid, "fix lock " + lock_path + ": already held by this run");
    // A folder (the root itself) is locked in place: nothing is created on
    // the node, and the holder is found through /proc/locks.
    const bool folder = is_directory(lock_path);
    if (!folder) {
        auto made = make_parents(lock_path);
        if (!made) return made;
    }
    int fd = folder ? ::open(lock_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                    : ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return lock_error(lock_path, "open", errno);

    const auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0) break;
        if (errno != EWOULDBLOCK && errno != EINTR) {
            int err = errno;
            ::close(fd);
            return lock_error(lock_path, "flock", err);
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            std::string holder = folder ? holder_from_proc_locks(fd) : holder_of(fd);
            if (holder.empty()) holder = holder_from_proc_locks(fd);
            ::close(fd);
            return util::make_error(util::ErrorCode::timeout,
                                    "another kubecert fix is running on this root (" +
                                        (holder.empty() ? std::string("holder unknown") : holder) + "); waited " +
                                        std::to_string(wait.count()) + " ms for " + lock_path);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }

    if (folder) {
        m_fd = fd;
        m_folder = true;
        return util::ok_status();
    }
    const std::string text = "pid=" + std::to_string(::getpid()) + " cmd=" + own_command_line() + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
        int err = errno;
        ::close(fd);
        return lock_error(lock_path, "write holder", err);
    }
    m_fd = fd;
    return util::ok_status();
}

void FixLock::release() {
    if (m_fd < 0) return;
    // The file stays: unlinking a lock file lets two runs lock two different files.
    if (!m_folder && ::ftruncate(m_fd, 0) != 0) {
        // Nothing to do: a stale holder line is harmless once the flock is gone.
    }
    ::flock(m_fd, LOCK_UN);
    ::close(m_fd);
    m_fd = -1;
    m_folder = false;
}

} // namespace kubecert::host
