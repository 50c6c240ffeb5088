#include "host/transaction.hpp"

#include "host/change_display.hpp"
#include "host/symlink_swap.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

namespace kubecert::host {

namespace {

using util::ErrorCode;
using util::Status;

util::Error sys_error(const std::string& what, int err) {
    auto code = err == ENOENT                     ? ErrorCode::not_found
                : (err == EACCES || err == EPERM) ? ErrorCode::denied
                                                  : ErrorCode::io;
    return util::make_error(code, what + ": " + std::strerror(err));
}

std::string parent_of(const std::string& path) {
    auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

// mkdir -p; folders made for backups are private (they hold keys).
Status make_dirs(const std::string& dir, mode_t mode) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode)) return util::ok_status();
        return sys_error(dir, ENOTDIR);
    }
    if (dir != "/" && dir != ".") {
        auto parent = make_dirs(parent_of(dir), mode);
        if (!parent) return parent;
    }
    if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) return sys_error("create folder " + dir, errno);
    return util::ok_status();
}

// A rename is durable only once its folder is synced.
Status fsync_dir(const std::string& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return sys_error("open folder " + dir, errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return sys_error("fsync folder " + dir, err);
    return util::ok_status();
}

util::Result<std::string> read_host_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return sys_error(path, errno);
    std::string content;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int err = errno;
            ::close(fd);
            return sys_error(path, err);
        }
        if (n == 0) break;
        content.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return content;
}

struct Owner {
    uid_t uid;
    gid_t gid;
};

// Temporary file in the target's folder, owner then mode (chown clears
// setuid bits), fsync, rename over, fsync the folder: a reader sees the old
// or the new file, never half of one. `label` names the file in messages.
Status atomic_write(const std::string& host_path, const std::string& content, mode_t mode, std::optional<Owner> owner,
                    bool owner_required, const std::string& label) {
    const std::string dir = parent_of(host_path);
    std::string tmp = dir + "/." + host_path.substr(host_path.find_last_of('/') + 1) + ".kubecert-XXXXXX";
    int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
    if (fd < 0) return sys_error(label + ": create temporary file in " + dir, errno);
    auto fail = [&](const std::string& step, int err) {
        ::close(fd);
        ::unlink(tmp.c_str());
        return sys_error(label + ": " + step, err);
    };
    std::size_t done = 0;
    while (done < content.size()) {
        ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail("write temporary file", errno);
        done += static_cast<std::size_t>(n);
    }
    if (owner && ::fchown(fd, owner->uid, owner->gid) != 0 && owner_required) return fail("keep owner", errno);
    if (::fchmod(fd, mode & 07777) != 0) return fail("keep mode", errno);
    if (::fsync(fd) != 0) return fail("fsync", errno);
    if (::close(fd) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        return sys_error(label + ": close", err);
    }
    if (::rename(tmp.c_str(), host_path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        return sys_error(label + ": rename into place", err);
    }
    return fsync_dir(dir);
}

// Copies a file with its mode and (when allowed) its owner.
Status copy_preserving(const std::string& from, const std::string& to, bool owner_required, const std::string& label) {
    struct stat st {};
    if (::stat(from.c_str(), &st) != 0) return sys_error(label + ": " + from, errno);
    auto content = read_host_file(from);
    if (!content) return util::make_error(content.error().code, label + ": " + content.error().message);
    auto made = make_dirs(parent_of(to), 0700);
    if (!made) return made;
    return atomic_write(to, *content, st.st_mode, Owner{st.st_uid, st.st_gid}, owner_required, label);
}

// rename(), or copy + fsync + unlink when the backup is on another file system.
Status move_file(const std::string& from, const std::string& to, const std::string& label) {
    if (::rename(from.c_str(), to.c_str()) == 0) {
        auto synced = fsync_dir(parent_of(to));
        if (!synced) return synced;
        return fsync_dir(parent_of(from));
    }
    if (errno != EXDEV) return sys_error(label + ": move to " + to, errno);
    struct stat st {};
    if (::lstat(from.c_str(), &st) != 0) return sys_error(label, errno);
    if (!S_ISREG(st.st_mode))
        return util::make_error(ErrorCode::invalid, label + ": only regular files can be moved across file systems");
    auto copied = copy_preserving(from, to, true, label);
    if (!copied) return copied;
    if (::unlink(from.c_str()) != 0) return sys_error(label + ": remove after copy", errno);
    return fsync_dir(parent_of(from));
}

// The MANIFEST is one line per entry, tab separated.
bool manifest_safe(const std::string& node_path) {
    return node_path.find_first_of("\t\n") == std::string::npos;
}

// The relative name used in the MANIFEST ("files/etc/x"), or "-".
std::string manifest_ref(const EditRecord& record, const std::string& backup_dir) {
    if (record.created || record.backup_path.empty()) return "-";
    if (record.backup_path.rfind(backup_dir + "/", 0) == 0) return record.backup_path.substr(backup_dir.size() + 1);
    return record.backup_path;
}

bool is_park_record(const EditRecord& record, const std::string& backup_dir) {
    return record.backup_path.rfind(backup_dir + "/parked/", 0) == 0;
}

// The edit record of `node_path`, moved to the end so records().back() is the
// latest change (the host glue reports that one). A park of the same file
// after it starts a new record: what is written then replaces the parked file.
EditRecord* find_edit(std::vector<EditRecord>& records, const std::string& backup_dir, const std::string& node_path) {
    for (auto it = records.rbegin(); it != records.rend(); ++it) {
        if (it->node_path != node_path) continue;
        if (is_park_record(*it, backup_dir)) return nullptr;
        std::rotate(it.base() - 1, it.base(), records.end());
        return &records.back();
    }
    return nullptr;
}

// A fresh name in the backup: a second copy of one file never overwrites the first.
std::string unique_backup_path(const std::string& base) {
    std::string path = base;
    struct stat st {};
    for (int n = 1; ::lstat(path.c_str(), &st) == 0; ++n)
        path = base + "." + std::to_string(n);
    return path;
}

template <class V> auto find_key(V& pairs, const std::string& key) {
    return std::find_if(pairs.begin(), pairs.end(), [&](const auto& p) { return p.first == key; });
}

// A MANIFEST reference must stay inside the backup folder.
bool safe_ref(const std::string& ref) {
    if (ref.empty() || ref[0] == '/' || ref.find('\0') != std::string::npos) return false;
    std::size_t start = 0;
    while (start <= ref.size()) {
        auto end = ref.find('/', start);
        if (end == std::string::npos) end = ref.size();
        if (ref.compare(start, end - start, "..") == 0 && end - start == 2) return false;
        start = end + 1;
    }
    return true;
}

} // namespace

Transaction::Transaction(const RootFs& fs, std::string backup_dir, bool dry_run)
    : m_fs(fs), m_backup_dir(std::move(backup_dir)), m_dry_run(dry_run) {
    while (m_backup_dir.size() > 1 && m_backup_dir.back() == '/')
        m_backup_dir.pop_back();
}

util::Result<std::string> Transaction::read_file(const std::string& node_path) const {
    if (auto link = planned_link_target(node_path)) return read_file(*link);
    auto resolved = m_fs.resolve(node_path);
    if (!resolved) return resolved.error();
    if (auto it = find_key(m_overlay, resolved->node_path); it != m_overlay.end()) return it->second;
    if (m_dry_run) {
        // A file parked under dry-run is still on disk but gone for this fix.
        auto unresolved = m_fs.resolve(node_path, false);
        if (unresolved && find_key(m_parked, unresolved->node_path) != m_parked.end())
            return util::make_error(ErrorCode::not_found,
                                    unresolved->node_path + ": " + std::strerror(ENOENT) + " (parked)");
    }
    return m_fs.read_file(resolved->node_path);
}

util::Result<bool> Transaction::write_file(const std::string& node_path, const std::string& content, std::uint32_t mode,
                                           bool force_mode) {
    auto resolved = m_fs.resolve(node_path);
    if (!resolved) return resolved.error();
    const std::string& node = resolved->node_path;
    if (!manifest_safe(node))
        return util::make_error(ErrorCode::invalid, "path \"" + node + "\" refused: tab or newline in it");

    auto current = read_file(node);
    if (!current && current.error().code != ErrorCode::not_found) return current.error();
    const bool exists = current.ok();
    auto st = m_fs.stat(node);
    if (!st) return st.error();
    const bool on_disk = st->type == FileStat::Type::regular;
    const std::uint32_t new_mode = (force_mode || !on_disk) ? (mode & 07777) : st->mode;
    if (exists && *current == content && (!on_disk || new_mode == st->mode)) return false;

    if (m_dry_run) {
        if (auto it = find_key(m_overlay, node); it != m_overlay.end())
            it->second = content;
        else
            m_overlay.emplace_back(node, content);
        EditRecord* record = find_edit(m_records, m_backup_dir, node);
        if (!record) {
            m_records.push_back(EditRecord{node, "", !exists, false, false, "", false, ""});
            record = &m_records.back();
        }
        if (record->created) {
            record->diff = describe_change(node, std::nullopt, content);
        } else {
            auto original = m_fs.read_file(node); // the disk is untouched under dry-run
            record->diff = describe_change(node, original ? *original : std::string(), content);
        }
        return true;
    }

    EditRecord* record = find_edit(m_records, m_backup_dir, node);
    if (!record) {
        EditRecord fresh{node, "", !on_disk, false, false, "", false, ""};
        if (on_disk) {
            fresh.backup_path = unique_backup_path(m_backup_dir + "/files" + node);
            auto copied = copy_preserving(resolved->host_path, fresh.backup_path, false, node + " (backup)");
            if (!copied) return copied.error();
        }
        m_records.push_back(std::move(fresh));
        record = &m_records.back();
        // The MANIFEST names the original before the node changes, so a crash leaves it restorable.
        auto manifest = write_manifest();
        if (!manifest) return manifest.error();
    }
    if (!on_disk) {
        // Remember the folders this creates, so that a rollback leaves no trace.
        std::vector<std::string> missing;
        struct stat dst {};
        for (std::string dir = parent_of(resolved->host_path); ::stat(dir.c_str(), &dst) != 0 && dir != "/" && dir != ".";
             dir = parent_of(dir))
            missing.push_back(dir);
        auto made = make_dirs(parent_of(resolved->host_path), 0755);
        if (!made) return util::make_error(made.error().code, node + ": " + made.error().message);
        m_created_dirs.insert(m_created_dirs.end(), missing.rbegin(), missing.rend()); // outermost first
    }
    std::optional<Owner> owner;
    if (on_disk) owner = Owner{st->uid, st->gid};
    auto written = atomic_write(resolved->host_path, content, new_mode, owner, true, node);
    if (!written) return written.error();
    record->applied = true;
    if (record->created) {
        record->diff = describe_change(node, std::nullopt, content);
    } else {
        auto original = read_host_file(record->backup_path);
        record->diff = describe_change(node, original ? *original : std::string(), content);
    }
    return true;
}

util::Status Transaction::backup_file(const std::string& node_path) {
    auto resolved = m_fs.resolve(node_path);
    if (!resolved) return resolved.error();
    const std::string& node = resolved->node_path;
    if (!manifest_safe(node))
        return util::make_error(ErrorCode::invalid, "path \"" + node + "\" refused: tab or newline in it");
    if (find_edit(m_records, m_backup_dir, node)) return util::ok_status();
    auto st = m_fs.stat(node);
    if (!st) return st.error();
    if (st->type != FileStat::Type::regular)
        return util::make_error(st->type == FileStat::Type::missing ? ErrorCode::not_found : ErrorCode::invalid,
                                node + ": not a regular file, cannot back it up");
    if (m_dry_run) return util::ok_status();
    EditRecord record{node, unique_backup_path(m_backup_dir + "/files" + node), false, false, false, "", false, ""};
    auto copied = copy_preserving(resolved->host_path, record.backup_path, false, node + " (backup)");
    if (!copied) return copied;
    m_records.push_back(std::move(record));
    return write_manifest();
}

util::Status Transaction::park_file(const std::string& node_path) {
    auto resolved = m_fs.resolve(node_path, false);
    if (!resolved) return resolved.error();
    const std::string& node = resolved->node_path;
    if (!manifest_safe(node))
        return util::make_error(ErrorCode::invalid, "path \"" + node + "\" refused: tab or newline in it");
    if (find_key(m_parked, node) != m_parked.end())
        return util::make_error(ErrorCode::invalid, node + ": already parked");
    auto st = m_fs.stat(node, false);
    if (!st) return st.error();
    bool exists = st->type != FileStat::Type::missing;
    if (m_dry_run) {
        auto it = find_key(m_overlay, node);
        if (it != m_overlay.end()) {
            m_overlay.erase(it);
            exists = true;
        }
    }
    if (!exists)
        return util::make_error(ErrorCode::not_found, node + ": " + std::strerror(ENOENT) + ", nothing to park");
    const std::string dest = m_backup_dir + "/parked" + node;
    m_records.push_back(EditRecord{node, dest, false, false, false, "", false, ""});
    if (m_dry_run) {
        m_parked.emplace_back(node, "");
        return util::ok_status();
    }
    auto manifest = write_manifest();
    if (!manifest) return manifest;
    auto made = make_dirs(parent_of(dest), 0700);
    if (!made) return made;
    auto moved = move_file(resolved->host_path, dest, node);
    if (!moved) return moved;
    m_parked.emplace_back(node, dest);
    m_records.back().applied = true;
    return util::ok_status();
}

util::Status Transaction::unpark_file(const std::string& node_path) {
    auto resolved = m_fs.resolve(node_path, false);
    if (!resolved) return resolved.error();
    auto it = find_key(m_parked, resolved->node_path);
    if (it == m_parked.end()) return util::make_error(ErrorCode::invalid, resolved->node_path + ": not parked");
    if (!m_dry_run) {
        auto made = make_dirs(parent_of(resolved->host_path), 0755);
        if (!made) return made;
        auto moved = move_file(it->second, resolved->host_path, resolved->node_path);
        if (!moved) return moved;
    }
    m_parked.erase(it);
    return util::ok_status();
}

util::Status Transaction::unpark_all() {
    std::string errors;
    while (!m_parked.empty()) {
        const std::string node = m_parked.back().first;
        auto done = unpark_file(node);
        if (!done) {
            errors += (errors.empty() ? "" : "; ") + done.error().message;
            // Leave it parked (the MANIFEST names it) and go on with the others.
            auto it = find_key(m_parked, node);
            if (it != m_parked.end()) m_parked.erase(it);
        }
    }
    if (!errors.empty()) return util::make_error(ErrorCode::io, "cannot put back parked files: " + errors);
    return util::ok_status();
}

util::Status Transaction::rollback() {
    if (m_dry_run) {
        m_overlay.clear();
        m_parked.clear();
        m_links.clear();
        for (auto& r : m_records)
            r.rolled_back = true;
        return util::ok_status();
    }
    std::string errors;
    auto note = [&](const util::Error& e) { errors += (errors.empty() ? "" : "; ") + e.message; };
    // Newest first: a file parked and then replaced by a new one gets the new one removed, then comes back.
    for (auto it = m_records.rbegin(); it != m_records.rend(); ++it) {
        EditRecord& r = *it;
        if (r.rolled_back) continue;
        if (r.symlink) {
            if (auto back = undo_symlink(r); !back) {
                note(back.error());
                continue;
            }
            r.rolled_back = true;
            continue;
        }
        if (is_park_record(r, m_backup_dir)) {
            if (find_key(m_parked, r.node_path) != m_parked.end()) {
                if (auto back = unpark_file(r.node_path); !back) {
                    note(back.error());
                    continue;
                }
            }
            r.rolled_back = r.applied;
            continue;
        }
        auto resolved = m_fs.resolve(r.node_path);
        if (!resolved) {
            note(resolved.error());
            continue;
        }
        if (r.created) {
            if (::unlink(resolved->host_path.c_str()) != 0 && errno != ENOENT) {
                note(sys_error(r.node_path + ": remove created file", errno));
                continue;
            }
        } else if (!r.backup_path.empty()) {
            auto restored = copy_preserving(r.backup_path, resolved->host_path, true, r.node_path);
            if (!restored) {
                note(restored.error());
                continue;
            }
        }
        r.rolled_back = true;
    }
    if (auto unparked = unpark_all(); !unparked) note(unparked.error());
    // Folders made for new files go too, newest first; one that is not empty stays.
    for (auto it = m_created_dirs.rbegin(); it != m_created_dirs.rend(); ++it) ::rmdir(it->c_str());
    m_created_dirs.clear();
    if (!errors.empty()) return util::make_error(ErrorCode::io, "rollback incomplete: " + errors);
    return util::ok_status();
}

util::Status Transaction::write_manifest() const {
    if (m_dry_run) return util::ok_status();
    std::string text;
    for (const auto& r : m_records)
        text += r.node_path + "\t" + manifest_ref(r, m_backup_dir) + "\n";
    auto made = make_dirs(m_backup_dir, 0700);
    if (!made) return made;
    return atomic_write(m_backup_dir + "/MANIFEST", text, 0600, std::nullopt, false, m_backup_dir + "/MANIFEST");
}

util::Result<std::vector<std::string>> restore_backup(const RootFs& fs, const std::string& backup_dir) {
    const std::string manifest_path = backup_dir + "/MANIFEST";
    auto manifest = read_host_file(manifest_path);
    if (!manifest) return manifest.error();

    struct Entry {
        std::string node;
        std::string ref;
    };
    std::vector<Entry> entries;
    std::size_t start = 0;
    int line_no = 0;
    while (start < manifest->size()) {
        ++line_no;
        auto end = manifest->find('\n', start);
        if (end == std::string::npos) end = manifest->size();
        std::string line = manifest->substr(start, end - start);
        start = end + 1;
        if (line.empty()) continue;
        auto tab = line.find('\t');
        Entry e{line.substr(0, tab), tab == std::string::npos ? "" : line.substr(tab + 1)};
        if (tab == std::string::npos || e.node.empty() || e.node[0] != '/' || (e.ref != "-" && !safe_ref(e.ref))) {
            return util::make_error(ErrorCode::parse, manifest_path + ":" + std::to_string(line_no) +
                                                          ":1: expected \"NODE-PATH<TAB>BACKUP-FILE or -\"");
        }
        entries.push_back(std::move(e));
    }

    std::vector<std::string> restored;
    std::string errors;
    auto note = [&](const util::Error& e) { errors += (errors.empty() ? "" : "; ") + e.message; };
    // Newest first, so a file parked and then replaced ends as it was before the fix.
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
        const bool parked = it->ref.rfind("parked/", 0) == 0;
        const bool link = it->ref.rfind("links/", 0) == 0;
        // A created file or link goes itself, not what a link points at.
        auto resolved = fs.resolve(it->node, !parked && !link && it->ref != "-");
        if (!resolved) {
            note(resolved.error());
            continue;
        }
        const std::string source = backup_dir + "/" + it->ref;
        Status done = util::ok_status();
        if (it->ref == "-") {
            if (::unlink(resolved->host_path.c_str()) != 0 && errno != ENOENT)
                done = sys_error(it->node + ": remove file created by the fix", errno);
        } else if (link) {
            auto target = read_symlink(source);
            done = target ? swap_symlink(resolved->host_path, *target) : Status(target.error());
        } else if (parked) {
            struct stat st {};
            if (::lstat(source.c_str(), &st) != 0) continue; // put back at the end of that fix already
            done = make_dirs(parent_of(resolved->host_path), 0755);
            if (done) done = move_file(source, resolved->host_path, it->node);
        } else {
            done = make_dirs(parent_of(resolved->host_path), 0755);
            if (done) done = copy_preserving(source, resolved->host_path, true, it->node);
        }
        if (!done) {
            note(done.error());
            continue;
        }
        if (std::find(restored.begin(), restored.end(), it->node) == restored.end()) restored.push_back(it->node);
    }
    if (!errors.empty())
        return util::make_error(ErrorCode::io, "restore from " + backup_dir + " incomplete: " + errors);
    return restored;
}

} // namespace kubecert::host
