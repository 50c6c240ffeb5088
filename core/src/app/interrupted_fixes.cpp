#include "app/interrupted_fixes.hpp"

#include <cstdio>

#include "host/recovery.hpp"
#include "report/printable.hpp"

namespace kubecert::app {

namespace {

report::Finding interrupted_finding(const host::InterruptedFix& fix, report::FindingStatus status,
                                    const std::string& title, const std::string& remediation) {
    report::Finding f;
    f.id = k_interrupted_fix_check;
    f.plugin = "core";
    f.title = title;
    f.status = status;
    f.evidence.push_back({fix.backup_dir + "/MANIFEST", "journal", "no completion mark", "state complete"});
    f.remediation = remediation;
    return f;
}

void log_line(const std::string& text) {
    std::fprintf(stderr, "kubecert: %s\n", report::printable(text, true).c_str());
}

} // namespace

util::Status recover_interrupted_fixes(RunContext& ctx, const std::string& extra_backup_dir,
                                       const std::function<bool()>& lock) {
    auto found = host::find_interrupted_fixes(*ctx.fs, extra_backup_dir);
    if (!found) return found.error();
    if (found->empty()) return util::ok_status();
    if (ctx.dry_run) {
        for (const auto& fix : *found)
            ctx.report.findings.push_back(interrupted_finding(
                fix, report::FindingStatus::error, "An earlier fix was interrupted and is not rolled back yet",
                "Run `kubecert audit` (or fix without --dry-run): it rolls the interrupted fix back first."));
        return util::make_error(util::ErrorCode::failed, "an interrupted fix is still on the node (see " +
                                                             found->front().backup_dir +
                                                             "); --dry-run changes nothing");
    }
    if (!lock())
        return util::make_error(util::ErrorCode::timeout, "a fix is running on this root: not recovering its journal");
    // Under the lock again: the fix that held it may have completed meanwhile.
    found = host::find_interrupted_fixes(*ctx.fs, extra_backup_dir);
    if (!found) return found.error();
    util::Status result = util::ok_status();
    for (const auto& fix : *found) {
        auto restored = host::roll_back_interrupted_fix(*ctx.fs, fix);
        if (!restored) {
            ctx.report.findings.push_back(interrupted_finding(
                fix, report::FindingStatus::error, "An earlier fix was interrupted and could not be rolled back",
                restored.error().message + ". Restore it with `kubecert restore " + fix.backup_dir + "`."));
            result = restored.error();
            continue;
        }
        auto f = interrupted_finding(fix, report::FindingStatus::warn,
                                     "An earlier fix was interrupted; kubecert rolled it back",
                                     "The node is as it was before that fix. Run `kubecert fix` again to apply it.");
        std::string files;
        for (const auto& p : *restored) files += (files.empty() ? "" : ", ") + p;
        f.evidence.push_back({fix.backup_dir, "restored", files.empty() ? "nothing" : files, ""});
        ctx.report.findings.push_back(std::move(f));
        log_line("rolled back an interrupted fix from " + fix.backup_dir + " (" + std::to_string(restored->size()) +
                 " files restored, temporary files removed)");
    }
    return result;
}

} // namespace kubecert::app
