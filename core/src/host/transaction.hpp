#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "host/journal.hpp"
#include "host/root_fs.hpp"
#include "util/result.hpp"

namespace kubecert::host {

// One file edit or parked file, as the report lists it.
struct EditRecord {
    std::string node_path;
    std::string backup_path; // host path of the copy of the original ("" for a new file)
    bool created = false;    // the file did not exist before
    bool applied = false;    // written to the node (false under dry-run)
    bool rolled_back = false;
    std::string diff; // unified diff of the change
    // A symlink swapped by replace_symlink(): backup_path holds a copy of the old link.
    bool symlink = false;
    std::string old_target; // the old link's target ("" when the fix created the link)
    // Stable identity within its transaction (records are reordered, so an index is not one).
    std::uint64_t id = 0;
    bool parked = false; // a park_file(): the file moved into BACKUP/parked until put back
};

// Content a transaction wrote that the node's files do not show yet: a staged
// write, or under dry-run every write.
struct PendingWrite {
    std::string node_path;
    std::string content;
    std::uint32_t mode = 0;
};

// Where a transaction's backup folder is: a host path (--backup-dir), or a
// node path resolved and created inside the root (the default,
// ROOT/var/backups/kubecert/<time>, which a link on the node must not lead out of).
enum class BackupPlace { host, in_root };

// All edits of one `fix` as one journaled transaction (DESIGN.md "Fixes must
// be safe", journal.hpp): originals are copied into the backup folder with a
// MANIFEST before the first change; each write goes to a temporary file in
// the same folder, fsynced, with owner and mode, and is staged: reads see it,
// the node does not yet. The MANIFEST names each temporary file and its
// target before the file is made; commit() then renames the whole batch, so
// the renames of a key and its certificate follow each other closely; parking, link swaps, commands and
// the end of the fix commit first. finish() marks the MANIFEST complete; a
// MANIFEST without that mark is an interrupted fix that the next run rolls
// back (recovery.hpp). rollback() restores every changed file. Every path is
// opened through the root (folder_entry.hpp). Under dry-run nothing is written
// anywhere: writes are kept in an overlay that later reads see, and each
// change is a diff.
class Transaction {
public:
    // `backup_dir` (see BackupPlace) is created on the first change (not under dry-run).
    Transaction(const RootFs& fs, std::string backup_dir, bool dry_run, BackupPlace place = BackupPlace::host);
    ~Transaction();

    bool dry_run() const { return m_dry_run; }
    // The backup folder as a host path (where it really is, once created).
    const std::string& backup_dir() const { return m_backup_dir; }
    // Whether a write is staged and not yet renamed into place.
    bool staged(const std::string& node_path) const;

    // Content as this transaction sees it (the overlay under dry-run); the
    // same answer as NodeView::read_file (node_view.hpp) over this transaction.
    util::Result<std::string> read_file(const std::string& node_path) const;

    // The changes the disk does not show yet, for NodeView (every path a resolved node path):
    // content written and not yet in place, or nullptr.
    const PendingWrite* pending_write(const std::string& node_path) const;
    // Under dry-run: whether the file is parked (still on disk, gone for the fix).
    bool parked_in_plan(const std::string& node_path) const;
    // Under dry-run: the target a planned link swap gives the link `node_path`, as it would be written.
    std::optional<std::string> planned_link(const std::string& node_path) const;
    // Node paths that have pending content or a planned link.
    std::vector<std::string> pending_paths() const;
    // Names of staged temporary files in the folder `node_folder`: not part of what the node would be.
    std::vector<std::string> staged_temp_names(const std::string& node_folder) const;

    // Replaces/creates a file. Identical content is a no-op (returns false).
    // `mode` is for a new file, or forced when `force_mode`.
    util::Result<bool> write_file(const std::string& node_path, const std::string& content, std::uint32_t mode,
                                  bool force_mode);
    // Copies a file into the backup (no change to the node).
    util::Status backup_file(const std::string& node_path);
    // Moves a file into BACKUP/parked/<node path> and back.
    util::Status park_file(const std::string& node_path);
    util::Status unpark_file(const std::string& node_path);
    // Points the symlink `node_path` (a symlink or absent) at `target`, the
    // old link copied into BACKUP/links first (transaction_symlink.cpp).
    // Pointing it where it points is a no-op (returns false).
    util::Result<bool> replace_symlink(const std::string& node_path, const std::string& target);
    // Puts back every file still parked (called at the end of every fix).
    util::Status unpark_all();
    // Restores every changed file from its backup, removes created ones,
    // unparks parked ones. Records stay, marked rolled_back.
    util::Status rollback();

    const std::vector<EditRecord>& records() const { return m_records; }
    // The record with this id, or nullptr.
    const EditRecord* record(std::uint64_t id) const;

    // Renames every staged write into place (each already recorded in the MANIFEST).
    util::Status commit();
    // Commits, then marks the MANIFEST complete (after the last rename of the fix).
    util::Status finish();

    // Writes the MANIFEST (journal.hpp) now, fsynced.
    util::Status write_manifest() const;

private:
    struct Staged {
        std::string node_path; // target
        std::string temp_name; // in the target's folder
    };
    // Creates (once) and opens the backup folder.
    util::Status open_backup();
    // A fresh node path in the backup tree: a second copy of one file never overwrites the first.
    std::string unique_backup_path(const std::string& base) const;
    // Copies the node file `node` into the backup at `backup_node` (node path in the backup tree).
    util::Status copy_to_backup(const std::string& node, const std::string& backup_node);
    // Removes the temporary file of a staged write (`node_path` by value: callers pass a staged entry's own name).
    void drop_staged(std::string node_path);
    // write_file() under dry-run: the overlay and the record, no file touched.
    bool plan_write(const std::string& node, const std::string& content, std::uint32_t mode, bool exists);
    // write_file() for real: the original backed up, the MANIFEST first, then a staged temporary file.
    util::Status stage_write(const std::string& node, const std::string& content, std::uint32_t mode,
                             const FileStat& st);
    // The record an edit of `node` adds to, made (with its backup copy) on the first edit.
    util::Result<EditRecord*> edit_record_for(const std::string& node, bool on_disk);
    // Sets the record's diff: original -> `content`.
    void describe_edit(EditRecord& record, const std::string& content) const;
    // Puts back what one record changed (rollback()).
    util::Status undo_record(EditRecord& record);
    // Appends a record with a fresh id.
    EditRecord& add_record(EditRecord record);
    // The record of a link swap of `node` (made, with the old link's backup copy, on the first swap).
    util::Result<EditRecord*> link_record_for(const std::string& node, bool created, const std::string& on_disk);
    // Puts back the link of one replace_symlink() record.
    util::Status undo_symlink(const EditRecord& record);

    const RootFs& m_fs;
    std::string m_backup_dir;     // host path (display, report, `kubecert restore`)
    std::string m_backup_request; // as given: host path or node path (BackupPlace)
    BackupPlace m_backup_place;
    std::unique_ptr<RootFs> m_backup; // the backup folder, opened on the first change
    bool m_dry_run;
    std::vector<Staged> m_staged;
    std::vector<std::pair<std::string, std::string>> m_renames; // journal: temp node path -> target
    bool m_complete = false;
    bool m_rolled_back = false;
    std::vector<EditRecord> m_records;
    std::uint64_t m_last_record_id = 0;
    std::vector<PendingWrite> m_overlay;                       // staged, and under dry-run every write
    std::vector<std::pair<std::string, std::string>> m_parked; // node path -> host path in backup
    std::vector<std::pair<std::string, std::string>> m_links;  // dry-run symlink swaps: link -> target
    std::vector<std::string> m_created_dirs; // node paths of folders made for new files, in creation order
};

// Puts back every file listed in BACKUP/MANIFEST under the root (`kubecert
// restore BACKUP`): atomic writes, owner and mode of the copy; created files
// are removed. Returns the node paths restored.
util::Result<std::vector<std::string>> restore_backup(const RootFs& fs, const std::string& backup_dir);
// The same with the backup folder already opened (`backup`, its MANIFEST
// parsed into `journal`); also removes temporary files the journal names
// (they may hold new private keys). `label` names the backup in messages.
util::Result<std::vector<std::string>> restore_journal(const RootFs& fs, const RootFs& backup, const Journal& journal,
                                                       const std::string& label);

// A unified diff (3 lines of context) of `before` -> `after`, labelled a/PATH b/PATH.
std::string unified_diff(const std::string& path, const std::string& before, const std::string& after);
// The same for a file the change creates: labelled "--- /dev/null", every line added.
std::string unified_diff_new_file(const std::string& path, const std::string& after);

} // namespace kubecert::host
