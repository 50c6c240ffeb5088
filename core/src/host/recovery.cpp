#include "host/recovery.hpp"

#include <fcntl.h>

#include <algorithm>
#include <stdexcept>

#include "host/transaction.hpp"

namespace kubecert::host {

namespace {

// Adds `backup` to `out` when its MANIFEST is an unfinished journal.
util::Status consider(std::unique_ptr<RootFs> backup, std::vector<InterruptedFix>& out) {
    const std::string label = (backup->root().empty() ? "" : backup->root()) + "/MANIFEST";
    auto stat = backup->stat("/MANIFEST", false);
    if (!stat) return stat.error();
    if (stat->type == FileStat::Type::missing) return util::ok_status(); // a dry run's, or made before any change
    auto text = backup->read_file("/MANIFEST");
    if (!text) return util::make_error(text.error().code, label + ": " + text.error().message);
    auto journal = parse_journal(*text, label);
    if (!journal) return journal.error();
    if (journal->state != Journal::State::in_progress) return util::ok_status();
    InterruptedFix fix;
    fix.backup_dir = backup->root();
    fix.backup = std::move(backup);
    fix.journal = std::move(*journal);
    out.push_back(std::move(fix));
    return util::ok_status();
}

} // namespace

util::Result<std::vector<InterruptedFix>> find_interrupted_fixes(const RootFs& fs,
                                                                 const std::string& extra_backup_dir) {
    std::vector<InterruptedFix> out;
    auto names = fs.list_dir(k_default_backup_root);
    if (!names && names.error().code != util::ErrorCode::not_found) return names.error();
    if (names) {
        for (const auto& name : *names) {
            auto dir = fs.open_folder(std::string(k_default_backup_root) + "/" + name);
            if (!dir) continue; // a file or a dangling link beside the backups is none of ours
            if (auto st = consider(RootFs::adopt(*dir), out); !st) return st.error();
        }
    }
    if (!extra_backup_dir.empty()) {
        const int fd = ::open(extra_backup_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
            auto backup = RootFs::adopt(fd);
            const bool seen = std::any_of(out.begin(), out.end(),
                                          [&](const InterruptedFix& f) { return f.backup_dir == backup->root(); });
            if (!seen)
                if (auto st = consider(std::move(backup), out); !st) return st.error();
        }
    }
    return out;
}

util::Result<std::vector<std::string>> roll_back_interrupted_fix(const RootFs& fs, const InterruptedFix& fix) {
    return restore_journal(fs, *fix.backup, fix.journal, fix.backup_dir);
}

} // namespace kubecert::host
