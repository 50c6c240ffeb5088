// Transaction::replace_symlink: the kubelet's "current" certificate link
// swapped inside a fix, with the old link kept for rollback and restore.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "host/folder_entry.hpp"
#include "host/symlink_swap.hpp"
#include "host/transaction.hpp"

namespace kubecert::host {

namespace {

std::string folder_of(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

std::string link_text(const std::string& target) {
    return "symlink to " + target + "\n";
}

} // namespace

util::Result<bool> Transaction::replace_symlink(const std::string& node_path, const std::string& target) {
    if (target.empty() || target.find_first_of(std::string("\t\n\0", 3)) != std::string::npos)
        return util::make_error(util::ErrorCode::invalid, node_path + ": refused link target \"" + target + "\"");
    auto resolved = m_fs.resolve(node_path, false);
    if (!resolved) return resolved.error();
    const std::string& node = resolved->node_path;
    if (node.find_first_of("\t\n") != std::string::npos)
        return util::make_error(util::ErrorCode::invalid, "path \"" + node + "\" refused: tab or newline in it");
    auto st = m_fs.stat(node, false);
    if (!st) return st.error();
    if (st->type != FileStat::Type::symlink && st->type != FileStat::Type::missing)
        return util::make_error(util::ErrorCode::invalid, node + ": not a symlink, refusing to replace it with one");
    // Under dry-run the folder may be one a planned write would create.
    auto folder = m_fs.stat(folder_of(node));
    if (!folder) return folder.error();
    if (folder->type != FileStat::Type::directory && !m_dry_run)
        return util::make_error(util::ErrorCode::not_found, node + ": its folder does not exist");

    std::string on_disk;
    if (st->type == FileStat::Type::symlink) {
        auto entry = open_entry(m_fs, node);
        if (!entry) return entry.error();
        auto t = read_link(*entry);
        if (!t) return t.error();
        on_disk = *t;
    }
    auto planned = std::find_if(m_links.begin(), m_links.end(), [&](const auto& l) { return l.first == node; });
    const std::string current = planned != m_links.end() ? planned->second : on_disk;
    if (st->type == FileStat::Type::symlink || planned != m_links.end())
        if (current == target) return false;

    auto made = link_record_for(node, st->type == FileStat::Type::missing, on_disk);
    if (!made) return made.error();
    EditRecord* record = *made;
    record->diff = record->created ? unified_diff_new_file(node, link_text(target))
                                   : unified_diff(node, link_text(record->old_target), link_text(target));
    if (m_dry_run) {
        if (planned != m_links.end())
            planned->second = target;
        else
            m_links.emplace_back(node, target);
        return true;
    }
    // The kubelet reads what the link points at: the files written before must be in place.
    if (auto committed = commit(); !committed) return committed.error();
    auto entry = open_entry(m_fs, node);
    if (!entry) return entry.error();
    const std::string temp = link_temp_name(*entry);
    m_renames.emplace_back(entry->folder_path() + (entry->folder_path() == "/" ? "" : "/") + temp, node);
    if (auto manifest = write_manifest(); !manifest) return manifest.error();
    if (auto swapped = swap_symlink(*entry, target, temp); !swapped) return swapped.error();
    record->applied = true;
    return true;
}

util::Result<EditRecord*> Transaction::link_record_for(const std::string& node, bool created,
                                                       const std::string& on_disk) {
    auto record = std::find_if(m_records.begin(), m_records.end(),
                               [&](const EditRecord& r) { return r.symlink && r.node_path == node && !r.rolled_back; });
    if (record != m_records.end()) {
        // The latest change goes last: the host reports records().back().
        std::rotate(record, record + 1, m_records.end());
        return &m_records.back();
    }
    EditRecord fresh{node, "", created, false, false, "", false, ""};
    fresh.symlink = true;
    fresh.old_target = on_disk;
    if (!m_dry_run) {
        if (auto opened = open_backup(); !opened) return opened.error();
    }
    if (!m_dry_run && !created) {
        // A copy of the old link itself, so `kubecert restore` needs nothing but the backup.
        const std::string backup = unique_backup_path("/links" + node);
        auto copy = open_entry(*m_backup, backup, RootFs::CreateMissing::yes, 0700);
        if (!copy) return copy.error();
        if (::symlinkat(on_disk.c_str(), copy->folder.get(), copy->name.c_str()) != 0)
            return util::make_error(util::ErrorCode::io, node + " (backup): " + std::strerror(errno));
        if (auto synced = sync_folder(*copy); !synced) return synced.error();
        fresh.backup_path = m_backup_dir + backup;
    }
    EditRecord& added = add_record(std::move(fresh));
    // The MANIFEST names the old link before the node changes, so a crash leaves it restorable.
    if (auto manifest = write_manifest(); !manifest) return manifest.error();
    return &added;
}

util::Status Transaction::undo_symlink(const EditRecord& record) {
    if (m_dry_run) {
        m_links.clear();
        return util::ok_status();
    }
    auto entry = open_entry(m_fs, record.node_path);
    if (!entry) return entry.error();
    if (record.created) return remove_entry(*entry);
    return swap_symlink(*entry, record.old_target, link_temp_name(*entry));
}

} // namespace kubecert::host
