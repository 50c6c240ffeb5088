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

// Where a link's target lies as a node path (a relative target is relative to the link's folder).
std::string target_node_path(const std::string& link_node_path, const std::string& target) {
    return target[0] == '/' ? target : folder_of(link_node_path) + "/" + target;
}

std::string link_text(const std::string& target) { return "symlink to " + target + "\n"; }

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

    auto record = std::find_if(m_records.begin(), m_records.end(),
                               [&](const EditRecord& r) { return r.symlink && r.node_path == node; });
    if (record == m_records.end()) {
        EditRecord fresh{node, "", st->type == FileStat::Type::missing, false, false, "", false, ""};
        fresh.symlink = true;
        fresh.old_target = on_disk;
        if (!m_dry_run) {
            if (auto opened = open_backup(); !opened) return opened.error();
        }
        if (!m_dry_run && !fresh.created) {
            // A copy of the old link itself, so `kubecert restore` needs nothing but the backup.
            const std::string backup = unique_backup_path("/links" + node);
            auto copy = open_entry(*m_backup, backup, RootFs::CreateMissing::yes, 0700);
            if (!copy) return copy.error();
            if (::symlinkat(on_disk.c_str(), copy->folder.get(), copy->name.c_str()) != 0)
                return util::make_error(util::ErrorCode::io, node + " (backup): " + std::strerror(errno));
            if (auto synced = sync_folder(*copy); !synced) return synced.error();
            fresh.backup_path = m_backup_dir + backup;
        }
        m_records.push_back(std::move(fresh));
        record = m_records.end() - 1;
        // The MANIFEST names the old link before the node changes, so a crash leaves it restorable.
        if (auto manifest = write_manifest(); !manifest) return manifest.error();
    } else {
        // The latest change goes last: the host glue reports records().back().
        std::rotate(record, record + 1, m_records.end());
        record = m_records.end() - 1;
    }
    record->diff = record->created ? unified_diff_new_file(node, link_text(target))
                                   : unified_diff(node, link_text(record->old_target), link_text(target));
    if (m_dry_run) {
        if (planned != m_links.end()) planned->second = target;
        else m_links.emplace_back(node, target);
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

std::optional<std::string> Transaction::planned_link_target(const std::string& node_path) const {
    if (m_links.empty()) return std::nullopt;
    auto resolved = m_fs.resolve(node_path, false);
    if (!resolved) return std::nullopt;
    for (const auto& [link, target] : m_links)
        if (link == resolved->node_path) return target_node_path(link, target);
    return std::nullopt;
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
