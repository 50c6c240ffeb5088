#include "host/root_fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <stdexcept>

namespace kubecert::host {

namespace {

// Linux's own limit (MAXSYMLINKS), so a node tree behaves as it would on the node.
constexpr int k_max_links = 40;

util::Error io_error(const std::string& node_path, int err) {
    auto code = err == ENOENT                     ? util::ErrorCode::not_found
                : (err == EACCES || err == EPERM) ? util::ErrorCode::denied
                                                  : util::ErrorCode::io;
    return util::make_error(code, node_path + ": " + std::strerror(err));
}

// Splits on '/' and pushes the words in front of `queue`, keeping their order.
void push_front_components(std::deque<std::string>& queue, const std::string& path) {
    std::vector<std::string> words;
    std::size_t start = 0;
    while (start <= path.size()) {
        auto end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        if (end > start) words.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    for (auto it = words.rbegin(); it != words.rend(); ++it) queue.push_front(*it);
}

std::string join(const std::vector<std::string>& parts) {
    if (parts.empty()) return "/";
    std::string out;
    for (const auto& p : parts) out += "/" + p;
    return out;
}

} // namespace

namespace {

long openat2_in_root(int root_fd, const std::string& relative, int flags, std::uint32_t mode) {
    struct open_how how {};
    how.flags = static_cast<std::uint64_t>(flags);
    how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    return ::syscall(SYS_openat2, root_fd, relative.c_str(), &how, sizeof how);
}

// "/etc/x" -> "etc/x", "/" -> ".": openat2 takes paths relative to the root descriptor.
std::string relative_to_root(const std::string& node_path) {
    std::size_t i = 0;
    while (i < node_path.size() && node_path[i] == '/') ++i;
    return i == node_path.size() ? "." : node_path.substr(i);
}

} // namespace

RootFs::~RootFs() {
    if (m_root_fd >= 0) ::close(m_root_fd);
}

util::Result<int> RootFs::open(const std::string& node_path, int flags, std::uint32_t mode, bool follow_last) const {
    auto fd = open_unchecked(node_path, flags, mode, follow_last);
    if (fd || fd.error().code != util::ErrorCode::not_found) return fd;
    // "Missing" would hide a folder linked out of the root (a PKI folder that is a link to the host's): name it.
    if (auto link = link_out_of_root(node_path))
        return util::make_error(util::ErrorCode::denied, node_path + ": refused, " + *link);
    return fd;
}

util::Result<int> RootFs::open_unchecked(const std::string& node_path, int flags, std::uint32_t mode,
                                         bool follow_last) const {
    if (node_path.find('\0') != std::string::npos)
        return util::make_error(util::ErrorCode::invalid, "path with a NUL byte refused");
    if (node_path.empty() || node_path[0] != '/')
        return util::make_error(util::ErrorCode::invalid, "path \"" + node_path + "\" refused: it must be absolute");
    flags |= O_CLOEXEC | (follow_last ? 0 : O_NOFOLLOW);
    if (m_openat2) {
        for (;;) {
            const long fd = openat2_in_root(m_root_fd, relative_to_root(node_path), flags, mode);
            if (fd >= 0) return static_cast<int>(fd);
            if (errno == EAGAIN || errno == EINTR) continue; // a rename raced the lookup: the kernel asks to retry
            if (errno == ELOOP)
                return util::make_error(util::ErrorCode::invalid,
                                        node_path + (follow_last
                                                         ? ": refused, more than 40 symbolic links (a loop?) or a "
                                                           "/proc magic link"
                                                         : ": refused, it is a symbolic link"));
            if (errno == EXDEV)
                return util::make_error(util::ErrorCode::denied, node_path + ": refused, it leads out of the root");
            return io_error(node_path, errno);
        }
    }
    auto resolved = resolve(node_path, follow_last);
    if (!resolved) return resolved.error();
    const int fd = ::open(resolved->host_path.c_str(), flags | O_NOFOLLOW, mode);
    if (fd < 0) return io_error(resolved->node_path, errno);
    return fd;
}

util::Result<int> RootFs::open_folder(const std::string& node_path, CreateMissing create, std::uint32_t mode,
                                      std::vector<std::string>* made) const {
    auto fd = open(node_path, O_RDONLY | O_DIRECTORY);
    if (fd || create == CreateMissing::no || fd.error().code != util::ErrorCode::not_found) return fd;
    const auto slash = node_path.find_last_of('/');
    const std::string parent = slash == 0 ? "/" : node_path.substr(0, slash);
    const std::string name = node_path.substr(slash + 1);
    if (name.empty() || name == "." || name == "..") return fd;
    auto parent_fd = open_folder(parent, create, mode, made);
    if (!parent_fd) return parent_fd;
    // One name relative to a folder opened inside the root: the new folder is inside it too.
    const int rc = ::mkdirat(*parent_fd, name.c_str(), mode);
    const int err = errno;
    ::close(*parent_fd);
    if (rc != 0 && err != EEXIST) return io_error("create folder " + node_path, err);
    if (rc == 0 && made) made->push_back(node_path);
    return open(node_path, O_RDONLY | O_DIRECTORY);
}

std::optional<std::string> RootFs::link_out_of_root(const std::string& node_path) const {
    if (m_root.empty()) return std::nullopt; // the root is "/": nothing lies outside
    std::deque<std::string> words;
    push_front_components(words, node_path);
    std::string prefix;
    int depth = 0; // folders below the root the prefix's parent is at
    while (words.size() > 1) {
        const std::string word = words.front();
        words.pop_front();
        if (word == "." || word == "..") return std::nullopt; // not a path kubecert builds
        auto fd = open_unchecked(prefix + "/" + word, O_PATH, 0, false);
        if (!fd) return std::nullopt;
        struct stat st {};
        char target[PATH_MAX];
        ssize_t n = -1;
        if (::fstat(*fd, &st) == 0 && S_ISLNK(st.st_mode)) n = ::readlinkat(*fd, "", target, sizeof target - 1);
        ::close(*fd);
        prefix += "/" + word;
        if (n < 0) {
            ++depth;
            continue;
        }
        target[n] = '\0';
        auto followed = open_unchecked(prefix, O_PATH, 0, true);
        if (followed) {
            ::close(*followed);
            return std::nullopt; // the link leads to a folder inside the root: the path is merely missing
        }
        if (followed.error().code != util::ErrorCode::not_found) return std::nullopt;
        bool outside = target[0] == '/';
        std::deque<std::string> steps;
        push_front_components(steps, target);
        for (int level = depth; !outside && !steps.empty(); steps.pop_front()) {
            if (steps.front() == "..")
                outside = --level < 0;
            else if (steps.front() != ".")
                ++level;
        }
        if (!outside) return std::nullopt;
        return prefix + " is a symbolic link to " + target + ", which does not exist inside --root " + m_root +
               " (kubecert follows links inside the root only)";
    }
    return std::nullopt;
}

std::unique_ptr<RootFs> RootFs::adopt(int dir_fd) {
    std::unique_ptr<RootFs> fs(new RootFs());
    fs->m_root_fd = dir_fd;
    // The host path, for messages and the user-space fallback only.
    char buf[PATH_MAX];
    const std::string proc = "/proc/self/fd/" + std::to_string(dir_fd);
    const ssize_t n = ::readlink(proc.c_str(), buf, sizeof buf - 1);
    fs->m_root = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : proc;
    if (fs->m_root == "/") fs->m_root.clear();
    const long probe = openat2_in_root(dir_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    fs->m_openat2 = probe >= 0;
    if (probe >= 0) ::close(static_cast<int>(probe));
    return fs;
}

RootFs::RootFs(std::string root) {
    char buf[PATH_MAX];
    if (root.empty() || !::realpath(root.c_str(), buf)) {
        throw std::runtime_error("root folder " + root + ": " + std::strerror(root.empty() ? ENOENT : errno));
    }
    struct stat st {};
    if (::stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
        throw std::runtime_error("root " + root + " is not a folder");
    }
    m_root = buf;
    if (m_root == "/") m_root.clear();
    m_root_fd = ::open(buf, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (m_root_fd < 0) throw std::runtime_error("root folder " + std::string(buf) + ": " + std::strerror(errno));
    // The kernel's own confinement when it has it (Linux 5.6+, not refused by a seccomp filter).
    const long probe = openat2_in_root(m_root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    m_openat2 = probe >= 0;
    if (probe >= 0) ::close(static_cast<int>(probe));
}

util::Result<ResolvedPath> RootFs::resolve(const std::string& node_path, bool follow_last) const {
    if (node_path.find('\0') != std::string::npos) {
        return util::make_error(util::ErrorCode::invalid, "path with a NUL byte refused");
    }
    if (node_path.empty() || node_path[0] != '/') {
        return util::make_error(util::ErrorCode::invalid, "path \"" + node_path + "\" refused: it must be absolute");
    }
    std::deque<std::string> pending;
    push_front_components(pending, node_path);
    std::vector<std::string> done; // components already resolved: real folders (or missing) inside the root
    bool missing = false;          // once a component is absent nothing below it can be a link
    int links = 0;
    while (!pending.empty()) {
        std::string word = std::move(pending.front());
        pending.pop_front();
        if (word == ".") continue;
        if (word == "..") {
            // Clamped at the root, like chroot: the root's ".." is the root.
            if (!done.empty()) done.pop_back();
            continue;
        }
        done.push_back(word);
        if (missing || (pending.empty() && !follow_last)) continue;
        std::string host = m_root + join(done);
        struct stat st {};
        if (::lstat(host.c_str(), &st) != 0) {
            if (errno == ENOENT) {
                missing = true;
                continue;
            }
            return io_error(join(done), errno);
        }
        if (!S_ISLNK(st.st_mode)) {
            if (!pending.empty() && !S_ISDIR(st.st_mode)) return io_error(join(done), ENOTDIR);
            continue;
        }
        if (++links > k_max_links) {
            return util::make_error(util::ErrorCode::invalid,
                                    node_path + ": refused, more than 40 symbolic links (a loop?)");
        }
        std::string target(static_cast<std::size_t>(std::max<off_t>(st.st_size, 0)) + 256, '\0');
        ssize_t n = ::readlink(host.c_str(), target.data(), target.size());
        if (n < 0) return io_error(join(done), errno);
        target.resize(static_cast<std::size_t>(n));
        done.pop_back();
        // An absolute target starts again at the root, not at the host's "/".
        if (!target.empty() && target[0] == '/') done.clear();
        push_front_components(pending, target);
    }
    ResolvedPath out;
    out.node_path = join(done);
    out.host_path = m_root.empty() ? out.node_path : (done.empty() ? m_root : m_root + out.node_path);
    return out;
}

namespace {

const char* kind_of(mode_t mode) {
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISDIR(mode)) return "a folder";
    return "not a regular file";
}

util::Error too_large(const std::string& node_path, std::uint64_t max_bytes) {
    return util::make_error(util::ErrorCode::denied, node_path + ": refused, larger than the " +
                                                         std::to_string(max_bytes >> 10) +
                                                         " KiB kubecert reads of a file");
}

} // namespace

util::Result<std::string> RootFs::read_file(const std::string& node_path, std::uint64_t max_bytes) const {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just below).
    auto opened = open(node_path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
    if (!opened) return opened.error();
    const int fd = *opened;
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        return io_error(node_path, err);
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        return util::make_error(util::ErrorCode::denied,
                                node_path + ": refused, " + kind_of(st.st_mode) + " where a file was expected");
    }
    if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
        ::close(fd);
        return too_large(node_path, max_bytes);
    }
    std::string content;
    content.reserve(static_cast<std::size_t>(st.st_size));
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            ::close(fd);
            return io_error(node_path, err);
        }
        if (n == 0) break;
        content.append(buf, static_cast<std::size_t>(n));
        // Files under /proc say size 0 and can still be long: count what comes.
        if (content.size() > max_bytes) {
            ::close(fd);
            return too_large(node_path, max_bytes);
        }
    }
    ::close(fd);
    return content;
}

util::Result<FileStat> RootFs::stat(const std::string& node_path, bool follow_last) const {
    // O_PATH opens without reading or following a final link (with O_NOFOLLOW it is the link itself).
    auto opened = open(node_path, O_PATH, 0, follow_last);
    if (!opened) {
        // A path through a file ("a/b" where a is a file) is as missing as stat(2) says (ENOTDIR).
        if (opened.error().code == util::ErrorCode::not_found ||
            opened.error().message == node_path + ": " + std::strerror(ENOTDIR))
            return FileStat{};
        return opened.error();
    }
    struct stat st {};
    const int rc = ::fstat(*opened, &st);
    const int err = errno;
    ::close(*opened);
    if (rc != 0) return io_error(node_path, err);
    FileStat out;
    out.type = S_ISREG(st.st_mode)   ? FileStat::Type::regular
               : S_ISDIR(st.st_mode) ? FileStat::Type::directory
               : S_ISLNK(st.st_mode) ? FileStat::Type::symlink
                                     : FileStat::Type::other;
    out.mode = st.st_mode & 07777;
    out.uid = st.st_uid;
    out.gid = st.st_gid;
    out.size = static_cast<std::uint64_t>(st.st_size);
    out.mtime = st.st_mtime;
    return out;
}

util::Result<std::vector<std::string>> RootFs::list_dir(const std::string& node_path) const {
    auto opened = open(node_path, O_RDONLY | O_DIRECTORY);
    if (!opened) return opened.error();
    const int fd = *opened;
    DIR* dir = ::fdopendir(fd);
    if (!dir) {
        int err = errno;
        ::close(fd);
        return io_error(node_path, err);
    }
    std::vector<std::string> names;
    while (auto* entry = ::readdir(dir)) {
        std::string name = entry->d_name;
        if (name != "." && name != "..") names.push_back(std::move(name));
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace kubecert::host
