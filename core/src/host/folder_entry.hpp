#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "host/root_fs.hpp"
#include "util/result.hpp"

// Writes inside a root act on one name in a folder opened inside that root
// (RootFs::open_folder, openat2 RESOLVE_IN_ROOT), with *at() calls and
// O_NOFOLLOW: a folder swapped for a link to elsewhere after the folder was
// opened cannot redirect them, and the folder itself was resolved in the root.
namespace kubecert::host {

// A file descriptor closed when it goes out of scope.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : m_fd(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : m_fd(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept;
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd();
    int get() const { return m_fd; }
    int release();

private:
    int m_fd = -1;
};

// One name in an open folder of a root.
struct FolderEntry {
    UniqueFd folder;  // O_RDONLY | O_DIRECTORY, so it can be fsynced
    std::string name; // one path component
    std::string path; // node path of the entry inside its root, for messages and the journal
    std::string folder_path() const;
};

struct Owner {
    uid_t uid;
    gid_t gid;
};

// Opens the folder of `node_path` inside `fs`; with CreateMissing::yes missing
// folders are made with `mode` (their node paths appended to `made`).
util::Result<FolderEntry> open_entry(const RootFs& fs, const std::string& node_path,
                                     RootFs::CreateMissing create = RootFs::CreateMissing::no,
                                     std::uint32_t mode = 0755, std::vector<std::string>* made = nullptr);

// A fresh, unpredictable name for a temporary file beside `entry`
// (".NAME.kubecert-XXXXXX"), so that a journal can name it before it exists.
std::string temp_name_for(const FolderEntry& entry);

// Writes `content` to a new temporary file beside `entry` (named `temp_name`,
// or a fresh name when empty), owner (when given; a failure matters only when
// `owner_required`) then mode (chown clears setuid bits), fsynced. Returns the
// temporary file's name.
util::Result<std::string> write_temp(const FolderEntry& entry, const std::string& content, std::uint32_t mode,
                                     std::optional<Owner> owner, bool owner_required,
                                     const std::string& temp_name = "");
// Renames the temporary `temp_name` (in the entry's folder) over the entry, then fsyncs the folder.
util::Status rename_over(const FolderEntry& entry, const std::string& temp_name);
// write_temp + rename_over: a reader sees the old or the new file, never half of one.
util::Status write_atomic(const FolderEntry& entry, const std::string& content, std::uint32_t mode,
                          std::optional<Owner> owner, bool owner_required);
// Removes the entry (a file or link; ENOENT is fine), or a folder with `folder` = true, then fsyncs.
util::Status remove_entry(const FolderEntry& entry, bool folder = false);
// fsync of the entry's folder: what makes a rename or removal durable.
util::Status sync_folder(const FolderEntry& entry);

// A regular file's content and its stat, read without following a final link.
struct FileData {
    std::string content;
    std::uint32_t mode = 0;
    Owner owner{};
};
util::Result<FileData> read_entry(const FolderEntry& entry);
// The target of the link `entry`.
util::Result<std::string> read_link(const FolderEntry& entry);
// Whether the entry exists (without following a final link).
bool entry_exists(const FolderEntry& entry);
// Moves `from` to `to` (renameat; across file systems a copy, fsync and removal).
util::Status move_entry(const FolderEntry& from, const FolderEntry& to);

} // namespace kubecert::host
