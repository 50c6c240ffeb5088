#include "host/transaction.hpp"

#include "host/change_display.hpp"
#include "host/folder_entry.hpp"
#include "host/node_view.hpp"
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

// Keeps the error code, puts `context` in front of the message.
util::Error with_context(const std::string& context, const util::Error& e) {
    return util::make_error(e.code, context + ": " + e.message);
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

// The edit record of `node_path`, moved to the end so records().back() is the
// latest change (the host glue reports that one). A park of the same file
// after it starts a new record: what is written then replaces the parked file.
EditRecord* find_edit(std::vector<EditRecord>& records, const std::string& node_path) {
    for (auto it = records.rbegin(); it != records.rend(); ++it) {
        if (it->node_path != node_path) continue;
        // What is written after a park, or after a rollback, is a change of its own.
        if (it->parked || it->rolled_back) return nullptr;
        std::rotate(it.base() - 1, it.base(), records.end());
        return &records.back();
    }
    return nullptr;
}

template <class V> auto find_key(V& pairs, const std::string& key) {
    return std::find_if(pairs.begin(), pairs.end(), [&](const auto& p) { return p.first == key; });
}

template <class V> auto find_write(V& writes, const std::string& node_path) {
    return std::find_if(writes.begin(), writes.end(), [&](const PendingWrite& w) { return w.node_path == node_path; });
}

std::string folder_of(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

// mkdir -p of a host path chosen by the user (--backup-dir); new folders are private (they hold keys).
Status make_host_dirs(const std::string& dir) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode)) return util::ok_status();
        return util::make_error(ErrorCode::io, dir + ": " + std::strerror(ENOTDIR));
    }
    const auto slash = dir.find_last_of('/');
    if (slash != std::string::npos && slash > 0) {
        auto parent = make_host_dirs(dir.substr(0, slash));
        if (!parent) return parent;
    }
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        return util::make_error(ErrorCode::io, "create folder " + dir + ": " + std::strerror(errno));
    return util::ok_status();
}

} // namespace

Transaction::Transaction(const RootFs& fs, std::string backup_dir, bool dry_run, BackupPlace place)
    : m_fs(fs), m_backup_request(std::move(backup_dir)), m_backup_place(place), m_dry_run(dry_run) {
    while (m_backup_request.size() > 1 && m_backup_request.back() == '/') m_backup_request.pop_back();
    m_backup_dir = place == BackupPlace::in_root ? fs.root() + m_backup_request : m_backup_request;
}

Transaction::~Transaction() {
    // Staged writes never committed (an exception went past the fix): their temporary files hold new keys.
    while (!m_staged.empty()) drop_staged(m_staged.back().node_path);
}

Status Transaction::open_backup() {
    if (m_backup) return util::ok_status();
    int fd = -1;
    if (m_backup_place == BackupPlace::in_root) {
        // Made and opened inside the root: a var/backups link cannot lead the copies of keys out of it.
        auto opened = m_fs.open_folder(m_backup_request, RootFs::CreateMissing::yes, 0700);
        if (!opened) return with_context("backup folder " + m_backup_dir, opened.error());
        fd = *opened;
    } else {
        auto made = make_host_dirs(m_backup_request);
        if (!made) return made;
        fd = ::open(m_backup_request.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            return util::make_error(ErrorCode::io, "backup folder " + m_backup_request + ": " + std::strerror(errno));
    }
    m_backup = RootFs::adopt(fd);
    m_backup_dir = m_backup->root().empty() ? "/" : m_backup->root();
    return util::ok_status();
}

std::string Transaction::unique_backup_path(const std::string& base) const {
    std::string path = base;
    for (int n = 1;; ++n) {
        auto st = m_backup->stat(path, false);
        if (!st || st->type == FileStat::Type::missing) return path;
        path = base + "." + std::to_string(n);
    }
}

Status Transaction::copy_to_backup(const std::string& node, const std::string& backup_node) {
    auto from = open_entry(m_fs, node);
    if (!from) return with_context(node + " (backup)", from.error());
    auto data = read_entry(*from);
    if (!data) return with_context(node + " (backup)", data.error());
    auto to = open_entry(*m_backup, backup_node, RootFs::CreateMissing::yes, 0700);
    if (!to) return with_context(node + " (backup)", to.error());
    return write_atomic(*to, data->content, data->mode, data->owner, false);
}

bool Transaction::staged(const std::string& node_path) const {
    return std::any_of(m_staged.begin(), m_staged.end(), [&](const Staged& s) { return s.node_path == node_path; });
}

void Transaction::drop_staged(std::string node_path) {
    auto it = std::find_if(m_staged.begin(), m_staged.end(), [&](const Staged& s) { return s.node_path == node_path; });
    if (it == m_staged.end()) return;
    if (auto entry = open_entry(m_fs, node_path)) ::unlinkat(entry->folder.get(), it->temp_name.c_str(), 0);
    m_staged.erase(it);
    if (auto o = find_write(m_overlay, node_path); o != m_overlay.end()) m_overlay.erase(o);
}

util::Result<std::string> Transaction::read_file(const std::string& node_path) const {
    return NodeView(m_fs, this).read_file(node_path);
}

const PendingWrite* Transaction::pending_write(const std::string& node_path) const {
    auto it = find_write(m_overlay, node_path);
    return it == m_overlay.end() ? nullptr : &*it;
}

bool Transaction::parked_in_plan(const std::string& node_path) const {
    return m_dry_run && find_key(m_parked, node_path) != m_parked.end();
}

std::optional<std::string> Transaction::planned_link(const std::string& node_path) const {
    if (auto it = find_key(m_links, node_path); it != m_links.end()) return it->second;
    return std::nullopt;
}

std::vector<std::string> Transaction::pending_paths() const {
    std::vector<std::string> paths;
    for (const auto& w : m_overlay) paths.push_back(w.node_path);
    for (const auto& l : m_links) paths.push_back(l.first);
    return paths;
}

std::vector<std::string> Transaction::staged_temp_names(const std::string& node_folder) const {
    std::vector<std::string> names;
    for (const auto& s : m_staged)
        if (folder_of(s.node_path) == node_folder) names.push_back(s.temp_name);
    return names;
}

const EditRecord* Transaction::record(std::uint64_t id) const {
    auto it = std::find_if(m_records.begin(), m_records.end(), [&](const EditRecord& r) { return r.id == id; });
    return it == m_records.end() ? nullptr : &*it;
}

EditRecord& Transaction::add_record(EditRecord record) {
    record.id = ++m_last_record_id;
    return m_records.emplace_back(std::move(record));
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
    if (exists && *current == content && (staged(node) || !on_disk || new_mode == st->mode)) return false;

    if (m_dry_run) return plan_write(node, content, new_mode, exists);
    if (auto staged_write = stage_write(node, content, new_mode, *st); !staged_write) return staged_write.error();
    return true;
}

bool Transaction::plan_write(const std::string& node, const std::string& content, std::uint32_t mode, bool exists) {
    if (auto it = find_write(m_overlay, node); it != m_overlay.end()) {
        it->content = content;
        it->mode = mode;
    } else {
        m_overlay.push_back({node, content, mode});
    }
    EditRecord* record = find_edit(m_records, node);
    if (!record) record = &add_record(EditRecord{node, "", !exists, false, false, "", false, ""});
    describe_edit(*record, content);
    return true;
}

void Transaction::describe_edit(EditRecord& record, const std::string& content) const {
    if (record.created) {
        record.diff = describe_change(record.node_path, std::nullopt, content);
        return;
    }
    // Under dry-run the disk is untouched; otherwise the original is the backup copy.
    auto original = m_dry_run ? m_fs.read_file(record.node_path)
                              : m_backup->read_file(record.backup_path.substr(m_backup_dir.size()));
    record.diff = describe_change(record.node_path, original ? *original : std::string(), content);
}

util::Result<EditRecord*> Transaction::edit_record_for(const std::string& node, bool on_disk) {
    if (EditRecord* record = find_edit(m_records, node)) return record;
    EditRecord fresh{node, "", !on_disk, false, false, "", false, ""};
    if (on_disk) {
        const std::string backup_node = unique_backup_path("/files" + node);
        auto copied = copy_to_backup(node, backup_node);
        if (!copied) return copied.error();
        fresh.backup_path = m_backup_dir + backup_node;
    }
    // The MANIFEST, written before the temporary file, names the original: a crash leaves it restorable.
    return &add_record(std::move(fresh));
}

Status Transaction::stage_write(const std::string& node, const std::string& content, std::uint32_t mode,
                                const FileStat& st) {
    const bool on_disk = st.type == FileStat::Type::regular;
    if (auto opened = open_backup(); !opened) return opened.error();
    auto record = edit_record_for(node, on_disk);
    if (!record) return record.error();
    // Folders made for a new file are remembered, so that a rollback leaves no trace.
    auto entry =
        open_entry(m_fs, node, on_disk ? RootFs::CreateMissing::no : RootFs::CreateMissing::yes, 0755, &m_created_dirs);
    if (!entry) return entry.error();
    std::optional<Owner> owner;
    if (on_disk) owner = Owner{st.uid, st.gid};
    drop_staged(node); // a second write of one file in a batch replaces the first
    // The journal names the temporary file before it exists: it will hold a new key that recovery must remove.
    const std::string temp_name = temp_name_for(*entry);
    m_renames.emplace_back(entry->folder_path() + (entry->folder_path() == "/" ? "" : "/") + temp_name, node);
    if (auto manifest = write_manifest(); !manifest) return manifest.error();
    auto temp = write_temp(*entry, content, mode, owner, true, temp_name);
    if (!temp) return temp.error();
    m_staged.push_back({node, *temp});
    m_overlay.push_back({node, content, mode});
    (*record)->applied = true;
    describe_edit(**record, content);
    return util::ok_status();
}

Status Transaction::commit() {
    if (m_dry_run || m_staged.empty()) return util::ok_status();
    // Every rename of the batch is in the journal (write_file put it there) and
    // the journal is fsynced, so a kill between two renames says what to undo.
    while (!m_staged.empty()) {
        const Staged s = m_staged.front();
        auto entry = open_entry(m_fs, s.node_path);
        if (!entry) return entry.error();
        auto renamed = rename_over(*entry, s.temp_name);
        m_staged.erase(m_staged.begin());
        if (auto o = find_write(m_overlay, s.node_path); o != m_overlay.end()) m_overlay.erase(o);
        if (!renamed) return renamed;
    }
    return util::ok_status();
}

Status Transaction::finish() {
    if (m_dry_run || m_records.empty()) return util::ok_status();
    if (auto committed = commit(); !committed) return committed;
    if (!m_rolled_back) m_complete = true;
    return write_manifest();
}

util::Status Transaction::backup_file(const std::string& node_path) {
    auto resolved = m_fs.resolve(node_path);
    if (!resolved) return resolved.error();
    const std::string& node = resolved->node_path;
    if (!manifest_safe(node))
        return util::make_error(ErrorCode::invalid, "path \"" + node + "\" refused: tab or newline in it");
    if (find_edit(m_records, node)) return util::ok_status();
    auto st = m_fs.stat(node);
    if (!st) return st.error();
    if (st->type != FileStat::Type::regular)
        return util::make_error(st->type == FileStat::Type::missing ? ErrorCode::not_found : ErrorCode::invalid,
                                node + ": not a regular file, cannot back it up");
    if (m_dry_run) return util::ok_status();
    if (auto opened = open_backup(); !opened) return opened;
    const std::string backup_node = unique_backup_path("/files" + node);
    auto copied = copy_to_backup(node, backup_node);
    if (!copied) return copied;
    add_record(EditRecord{node, m_backup_dir + backup_node, false, false, false, "", false, ""});
    return write_manifest();
}

util::Status Transaction::park_file(const std::string& node_path) {
    // Parking restarts a component: what was written before must be in place.
    if (auto committed = commit(); !committed) return committed;
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
        auto it = find_write(m_overlay, node);
        if (it != m_overlay.end()) {
            m_overlay.erase(it);
            exists = true;
        }
    }
    if (!exists)
        return util::make_error(ErrorCode::not_found, node + ": " + std::strerror(ENOENT) + ", nothing to park");
    if (m_dry_run) {
        add_record(EditRecord{node, m_backup_dir + "/parked" + node, false, false, false, "", false, ""}).parked = true;
        m_parked.emplace_back(node, "");
        return util::ok_status();
    }
    if (auto opened = open_backup(); !opened) return opened;
    const std::string dest = "/parked" + node;
    add_record(EditRecord{node, m_backup_dir + dest, false, false, false, "", false, ""}).parked = true;
    auto manifest = write_manifest();
    if (!manifest) return manifest;
    auto from = open_entry(m_fs, node);
    if (!from) return from.error();
    auto to = open_entry(*m_backup, dest, RootFs::CreateMissing::yes, 0700);
    if (!to) return to.error();
    auto moved = move_entry(*from, *to);
    if (!moved) return with_context(node, moved.error());
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
        if (auto committed = commit(); !committed) return committed;
        auto from = open_entry(*m_backup, it->second);
        if (!from) return from.error();
        auto to = open_entry(m_fs, resolved->node_path, RootFs::CreateMissing::yes, 0755);
        if (!to) return to.error();
        auto moved = move_entry(*from, *to);
        if (!moved) return with_context(resolved->node_path, moved.error());
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
        for (auto& r : m_records) r.rolled_back = true;
        return util::ok_status();
    }
    // Writes never renamed into place changed nothing on the node: only their temporary files go.
    while (!m_staged.empty()) drop_staged(m_staged.back().node_path);
    std::string errors;
    auto note = [&](const util::Error& e) { errors += (errors.empty() ? "" : "; ") + e.message; };
    // Newest first: a file parked and then replaced by a new one gets the new one removed, then comes back.
    for (auto it = m_records.rbegin(); it != m_records.rend(); ++it) {
        if (it->rolled_back) continue;
        if (auto undone = undo_record(*it); !undone) note(undone.error());
    }
    if (auto unparked = unpark_all(); !unparked) note(unparked.error());
    // Folders made for new files go too, newest first; one that is not empty stays.
    for (auto it = m_created_dirs.rbegin(); it != m_created_dirs.rend(); ++it)
        if (auto dir = open_entry(m_fs, *it)) ::unlinkat(dir->folder.get(), dir->name.c_str(), AT_REMOVEDIR);
    m_created_dirs.clear();
    if (!errors.empty()) return util::make_error(ErrorCode::io, "rollback incomplete: " + errors);
    m_rolled_back = true;
    // Rolled back as a whole: no later run has anything to recover.
    return write_manifest();
}

util::Status Transaction::undo_record(EditRecord& r) {
    if (r.symlink) {
        if (auto back = undo_symlink(r); !back) return back;
        r.rolled_back = true;
        return util::ok_status();
    }
    if (r.parked) {
        if (find_key(m_parked, r.node_path) != m_parked.end()) {
            if (auto back = unpark_file(r.node_path); !back) return back;
        }
        r.rolled_back = r.applied;
        return util::ok_status();
    }
    auto entry = open_entry(m_fs, r.node_path);
    if (!entry) {
        const bool gone = r.created && entry.error().code == ErrorCode::not_found;
        if (gone) r.rolled_back = true;
        return gone ? util::ok_status() : Status(entry.error());
    }
    if (r.created) {
        if (auto removed = remove_entry(*entry); !removed)
            return with_context(r.node_path + ": remove created file", removed.error());
    } else if (!r.backup_path.empty()) {
        auto from = open_entry(*m_backup, r.backup_path.substr(m_backup_dir.size()));
        auto data = from ? read_entry(*from) : util::Result<FileData>(from.error());
        if (!data) return with_context(r.node_path, data.error());
        if (auto restored = write_atomic(*entry, data->content, data->mode, data->owner, true); !restored)
            return restored;
    }
    r.rolled_back = true;
    return util::ok_status();
}

util::Status Transaction::write_manifest() const {
    if (m_dry_run || !m_backup) return util::ok_status();
    Journal journal;
    for (const auto& r : m_records) journal.entries.push_back({r.node_path, manifest_ref(r, m_backup_dir)});
    for (const auto& [temp, target] : m_renames) journal.renames.push_back({temp, target});
    journal.state = m_rolled_back ? Journal::State::rolled_back
                    : m_complete  ? Journal::State::complete
                                  : Journal::State::in_progress;
    auto entry = open_entry(*m_backup, "/MANIFEST");
    if (!entry) return entry.error();
    // write_atomic fsyncs the file and the folder: the journal is on disk before the renames it announces.
    return write_atomic(*entry, format_journal(journal), 0600, std::nullopt, false);
}

} // namespace kubecert::host
