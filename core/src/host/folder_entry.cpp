#include "host/folder_entry.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace kubecert::host {

namespace {

util::Error sys_error(const std::string& what, int err) {
    const auto code = err == ENOENT                     ? util::ErrorCode::not_found
                      : (err == EACCES || err == EPERM) ? util::ErrorCode::denied
                                                        : util::ErrorCode::io;
    return util::make_error(code, what + ": " + std::strerror(err));
}

// Six letters, unpredictable, for a temporary name another user cannot pre-create.
std::string random_suffix() {
    static const char k_letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    unsigned char bytes[6] = {};
    if (::getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes)) {
        static unsigned counter = 0;
        const unsigned seed = static_cast<unsigned>(::getpid()) * 2654435761u + counter++;
        for (std::size_t i = 0; i < sizeof bytes; ++i) bytes[i] = static_cast<unsigned char>(seed >> (i * 5));
    }
    std::string out;
    for (unsigned char b : bytes) out += k_letters[b % (sizeof k_letters - 1)];
    return out;
}

} // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = other.release();
    }
    return *this;
}

UniqueFd::~UniqueFd() {
    if (m_fd >= 0) ::close(m_fd);
}

int UniqueFd::release() {
    return std::exchange(m_fd, -1);
}

std::string FolderEntry::folder_path() const {
    const auto slash = path.find_last_of('/');
    return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

util::Result<FolderEntry> open_entry(const RootFs& fs, const std::string& node_path, RootFs::CreateMissing create,
                                     std::uint32_t mode, std::vector<std::string>* made) {
    const auto slash = node_path.find_last_of('/');
    if (node_path.empty() || node_path[0] != '/' || slash + 1 == node_path.size())
        return util::make_error(util::ErrorCode::invalid, "path \"" + node_path + "\" refused: not a file path");
    const std::string name = node_path.substr(slash + 1);
    if (name == "." || name == "..")
        return util::make_error(util::ErrorCode::invalid, "path \"" + node_path + "\" refused: not a file path");
    auto folder = fs.open_folder(slash == 0 ? "/" : node_path.substr(0, slash), create, mode, made);
    if (!folder) return folder.error();
    return FolderEntry{UniqueFd(*folder), name, node_path};
}

std::string temp_name_for(const FolderEntry& entry) {
    return "." + entry.name + ".kubecert-" + random_suffix();
}

util::Result<std::string> write_temp(const FolderEntry& entry, const std::string& content, std::uint32_t mode,
                                     std::optional<Owner> owner, bool owner_required, const std::string& temp_name) {
    std::string temp;
    int fd = -1;
    for (int attempt = 0; fd < 0 && attempt < (temp_name.empty() ? 100 : 1); ++attempt) {
        temp = temp_name.empty() ? temp_name_for(entry) : temp_name;
        // 0600 until written: the content may be a private key.
        fd = ::openat(entry.folder.get(), temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST) return sys_error(entry.path + ": create temporary file", errno);
    }
    if (fd < 0) return sys_error(entry.path + ": create temporary file", EEXIST);
    auto fail = [&](const std::string& step, int err) -> util::Error {
        ::close(fd);
        ::unlinkat(entry.folder.get(), temp.c_str(), 0);
        return sys_error(entry.path + ": " + step, err);
    };
    std::size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail("write temporary file", errno);
        done += static_cast<std::size_t>(n);
    }
    if (owner && ::fchown(fd, owner->uid, owner->gid) != 0 && owner_required) return fail("keep owner", errno);
    if (::fchmod(fd, mode & 07777) != 0) return fail("keep mode", errno);
    if (::fsync(fd) != 0) return fail("fsync", errno);
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlinkat(entry.folder.get(), temp.c_str(), 0);
        return sys_error(entry.path + ": close", err);
    }
    return temp;
}

util::Status sync_folder(const FolderEntry& entry) {
    if (::fsync(entry.folder.get()) != 0) return sys_error("fsync folder " + entry.folder_path(), errno);
    return util::ok_status();
}

util::Status rename_over(const FolderEntry& entry, const std::string& temp_name) {
    if (::renameat(entry.folder.get(), temp_name.c_str(), entry.folder.get(), entry.name.c_str()) != 0) {
        const int err = errno;
        ::unlinkat(entry.folder.get(), temp_name.c_str(), 0);
        return sys_error(entry.path + ": rename into place", err);
    }
    return sync_folder(entry);
}

util::Status write_atomic(const FolderEntry& entry, const std::string& content, std::uint32_t mode,
                          std::optional<Owner> owner, bool owner_required) {
    auto temp = write_temp(entry, content, mode, owner, owner_required);
    if (!temp) return temp.error();
    return rename_over(entry, *temp);
}

util::Status remove_entry(const FolderEntry& entry, bool folder) {
    if (::unlinkat(entry.folder.get(), entry.name.c_str(), folder ? AT_REMOVEDIR : 0) != 0 && errno != ENOENT)
        return sys_error(entry.path + ": remove", errno);
    return sync_folder(entry);
}

util::Result<FileData> read_entry(const FolderEntry& entry) {
    const int fd = ::openat(entry.folder.get(), entry.name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return sys_error(entry.path, errno);
    UniqueFd guard(fd);
    struct stat st {};
    if (::fstat(fd, &st) != 0) return sys_error(entry.path, errno);
    if (!S_ISREG(st.st_mode)) return util::make_error(util::ErrorCode::invalid, entry.path + ": not a regular file");
    if (static_cast<std::uint64_t>(st.st_size) > RootFs::k_max_file_bytes)
        return util::make_error(util::ErrorCode::denied, entry.path + ": refused, too large");
    FileData out;
    out.mode = st.st_mode & 07777;
    out.owner = Owner{st.st_uid, st.st_gid};
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return sys_error(entry.path, errno);
        if (n == 0) break;
        out.content.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

util::Result<std::string> read_link(const FolderEntry& entry) {
    std::string buf(256, '\0');
    for (;;) {
        const ssize_t n = ::readlinkat(entry.folder.get(), entry.name.c_str(), buf.data(), buf.size());
        if (n < 0) return sys_error(entry.path + ": read link", errno);
        if (static_cast<std::size_t>(n) < buf.size()) return buf.substr(0, static_cast<std::size_t>(n));
        buf.resize(buf.size() * 2);
    }
}

bool entry_exists(const FolderEntry& entry) {
    struct stat st {};
    return ::fstatat(entry.folder.get(), entry.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
}

util::Status move_entry(const FolderEntry& from, const FolderEntry& to) {
    if (::renameat(from.folder.get(), from.name.c_str(), to.folder.get(), to.name.c_str()) == 0) {
        if (auto synced = sync_folder(to); !synced) return synced;
        return sync_folder(from);
    }
    if (errno != EXDEV) return sys_error(from.path + ": move to " + to.path, errno);
    // Another file system (a backup folder given with --backup-dir): copy, fsync, remove.
    auto data = read_entry(from);
    if (!data)
        return util::make_error(data.error().code, data.error().message + " (only regular files can be moved "
                                                                          "across file systems)");
    auto copied = write_atomic(to, data->content, data->mode, data->owner, true);
    if (!copied) return copied;
    return remove_entry(from);
}

} // namespace kubecert::host
