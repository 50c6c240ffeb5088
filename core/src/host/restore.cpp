// Putting back what a fix changed, from its backup folder: `kubecert restore`
// and the recovery of an interrupted fix (recovery.hpp).
#include <algorithm>
#include <stdexcept>

#include "host/folder_entry.hpp"
#include "host/symlink_swap.hpp"
#include "host/transaction.hpp"

namespace kubecert::host {

namespace {

// Only names kubecert gives its temporary files: a hostile MANIFEST cannot make recovery delete others.
bool is_temp_name(const std::string& name) {
    return name.size() > 1 && name[0] == '.' && name.find(".kubecert-") != std::string::npos;
}

util::Status restore_entry(const RootFs& fs, const RootFs& backup, const Journal::Entry& e) {
    const bool parked = e.ref.rfind("parked/", 0) == 0;
    const bool link = e.ref.rfind("links/", 0) == 0;
    // The MANIFEST holds resolved node paths: the entry itself is restored, never what a link points at.
    auto target = open_entry(fs, e.node_path, e.ref == "-" ? RootFs::CreateMissing::no : RootFs::CreateMissing::yes);
    if (!target) {
        if (e.ref == "-" && target.error().code == util::ErrorCode::not_found) return util::ok_status();
        return target.error();
    }
    if (e.ref == "-") return remove_entry(*target);
    auto source = open_entry(backup, "/" + e.ref);
    if (!source) return source.error();
    if (link) {
        auto old_target = read_link(*source);
        if (!old_target) return old_target.error();
        return swap_symlink(*target, *old_target, link_temp_name(*target));
    }
    if (parked) {
        if (!entry_exists(*source)) return util::ok_status(); // put back at the end of that fix already
        return move_entry(*source, *target);
    }
    auto data = read_entry(*source);
    if (!data) return data.error();
    return write_atomic(*target, data->content, data->mode, data->owner, true);
}

} // namespace

util::Result<std::vector<std::string>> restore_journal(const RootFs& fs, const RootFs& backup, const Journal& journal,
                                                       const std::string& label) {
    std::string errors;
    auto note = [&](const std::string& m) { errors += (errors.empty() ? "" : "; ") + m; };
    // Temporary files of renames that never happened hold new private keys: they go first.
    for (const auto& r : journal.renames) {
        auto temp = open_entry(fs, r.temp_path);
        if (!temp || !is_temp_name(temp->name) || !entry_exists(*temp)) continue;
        if (auto removed = remove_entry(*temp); !removed) note(removed.error().message);
    }
    std::vector<std::string> restored;
    // Newest first, so a file parked and then replaced ends as it was before the fix.
    for (auto it = journal.entries.rbegin(); it != journal.entries.rend(); ++it) {
        if (auto done = restore_entry(fs, backup, *it); !done) {
            note(it->node_path + ": " + done.error().message);
            continue;
        }
        if (std::find(restored.begin(), restored.end(), it->node_path) == restored.end())
            restored.push_back(it->node_path);
    }
    if (!errors.empty())
        return util::make_error(util::ErrorCode::io, "restore from " + label + " incomplete: " + errors);
    if (journal.state == Journal::State::in_progress) {
        // Said once it is true, so that the next run does not roll it back again.
        Journal done = journal;
        done.state = Journal::State::rolled_back;
        auto manifest = open_entry(backup, "/MANIFEST");
        if (!manifest) return manifest.error();
        if (auto written = write_atomic(*manifest, format_journal(done), 0600, std::nullopt, false); !written)
            return written.error();
    }
    return restored;
}

util::Result<std::vector<std::string>> restore_backup(const RootFs& fs, const std::string& backup_dir) {
    std::unique_ptr<RootFs> backup;
    try {
        backup = std::make_unique<RootFs>(backup_dir);
    } catch (const std::exception& e) {
        return util::make_error(util::ErrorCode::not_found, std::string("backup ") + e.what());
    }
    const std::string manifest_path = backup_dir + "/MANIFEST";
    auto text = backup->read_file("/MANIFEST");
    if (!text) return util::make_error(text.error().code, manifest_path + ": " + text.error().message);
    auto journal = parse_journal(*text, manifest_path);
    if (!journal) return journal.error();
    return restore_journal(fs, *backup, *journal, backup_dir);
}

} // namespace kubecert::host
