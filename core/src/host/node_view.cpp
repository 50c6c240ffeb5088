// NodeView: one answer, for every kind of read, to "what is at this path
// after the changes so far"; the transaction says what it changed, the root
// file system says the rest.
#include "host/node_view.hpp"

#include <cerrno>
#include <cstring>
#include <set>

#include "host/transaction.hpp"

namespace kubecert::host {

namespace {

// As many links as the kernel follows for one path.
constexpr int k_max_links = 40;

std::string folder_of(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

// Where a link's target lies as a node path (a relative target is relative to the link's folder).
std::string target_node_path(const std::string& link_node_path, const std::string& target) {
    return target[0] == '/' ? target : folder_of(link_node_path) + "/" + target;
}

std::string child_prefix(const std::string& folder) {
    return folder == "/" ? "/" : folder + "/";
}

util::Error absent(const std::string& node_path, const char* why) {
    return util::make_error(util::ErrorCode::not_found, node_path + ": " + std::strerror(ENOENT) + why);
}

} // namespace

util::Result<ResolvedPath> NodeView::resolve(const std::string& path, bool follow_last) const {
    if (!m_transaction) return m_fs.resolve(path, follow_last);
    auto r = m_fs.resolve(path, false);
    for (int hops = 0; r && hops < k_max_links; ++hops) {
        const std::string node = r->node_path;
        // A file the fix wrote is what the path is now; a parked one is absent, nothing to follow.
        if (m_transaction->pending_write(node) || m_transaction->parked_in_plan(node) || !follow_last) return r;
        if (auto target = m_transaction->planned_link(node)) {
            r = m_fs.resolve(target_node_path(node, *target), false);
            continue;
        }
        auto full = m_fs.resolve(node, true);
        if (!full || full->node_path == node) return full;
        r = std::move(full); // the link's target may be a file the fix changed
    }
    if (!r) return r;
    return util::make_error(util::ErrorCode::denied, path + ": " + std::strerror(ELOOP));
}

util::Result<std::string> NodeView::read_file(const std::string& path) const {
    if (!m_transaction) return m_fs.read_file(path);
    auto resolved = resolve(path);
    if (!resolved) return resolved.error();
    const std::string& node = resolved->node_path;
    if (const auto* written = m_transaction->pending_write(node)) return written->content;
    if (m_transaction->parked_in_plan(node)) return absent(node, " (parked)");
    return m_fs.read_file(node);
}

util::Result<FileStat> NodeView::stat(const std::string& path, bool follow_last) const {
    if (!m_transaction) return m_fs.stat(path, follow_last);
    auto resolved = resolve(path, follow_last);
    if (!resolved) return resolved.error();
    const std::string& node = resolved->node_path;
    auto disk = m_fs.stat(node, follow_last);
    if (!disk) return disk.error();
    if (auto target = m_transaction->planned_link(node); target && !follow_last) {
        FileStat link = disk->type == FileStat::Type::symlink ? *disk : FileStat{};
        link.type = FileStat::Type::symlink;
        link.mode = 0777;
        link.size = target->size();
        return link;
    }
    if (const auto* written = m_transaction->pending_write(node)) {
        FileStat file = disk->type == FileStat::Type::regular ? *disk : FileStat{};
        file.type = FileStat::Type::regular;
        file.mode = written->mode;
        file.size = written->content.size();
        return file;
    }
    if (m_transaction->parked_in_plan(node)) return FileStat{};
    // A folder that a planned write creates.
    if (disk->type == FileStat::Type::missing && pending_below(node)) {
        FileStat folder;
        folder.type = FileStat::Type::directory;
        folder.mode = 0755;
        return folder;
    }
    return disk;
}

util::Result<std::vector<std::string>> NodeView::list_dir(const std::string& path) const {
    if (!m_transaction) return m_fs.list_dir(path);
    auto resolved = resolve(path);
    if (!resolved) return resolved.error();
    const std::string& folder = resolved->node_path;
    const std::string prefix = child_prefix(folder);
    std::set<std::string> names;
    bool exists = false;
    if (!m_transaction->parked_in_plan(folder)) {
        auto disk = m_fs.list_dir(folder);
        if (disk) {
            exists = true;
            names.insert(disk->begin(), disk->end());
        } else if (disk.error().code != util::ErrorCode::not_found) {
            return disk.error();
        }
    }
    for (const auto& temp : m_transaction->staged_temp_names(folder)) names.erase(temp);
    for (auto it = names.begin(); it != names.end();) {
        const std::string child = prefix + *it;
        const bool parked = m_transaction->parked_in_plan(child) && !m_transaction->pending_write(child) &&
                            !m_transaction->planned_link(child);
        it = parked ? names.erase(it) : std::next(it);
    }
    for (const auto& pending : m_transaction->pending_paths()) {
        if (pending.size() <= prefix.size() || pending.compare(0, prefix.size(), prefix) != 0) continue;
        const std::string rest = pending.substr(prefix.size());
        names.insert(rest.substr(0, rest.find('/')));
        exists = true;
    }
    if (!exists) return absent(folder, "");
    return std::vector<std::string>(names.begin(), names.end());
}

bool NodeView::pending_below(const std::string& node_folder) const {
    const std::string prefix = child_prefix(node_folder);
    for (const auto& pending : m_transaction->pending_paths())
        if (pending.size() > prefix.size() && pending.compare(0, prefix.size(), prefix) == 0) return true;
    return false;
}

} // namespace kubecert::host
