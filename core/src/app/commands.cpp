#include "app/commands.hpp"

#include <ctime>

#include "app/plugin_instance.hpp"
#include "host/recovery.hpp"

namespace kubecert::app {

util::Result<PluginList> select_plugins(RunContext& ctx, const std::vector<std::unique_ptr<loader::LoadedPlugin>>& all,
                                        const std::string& flavor) {
    PluginList out;
    std::string names;
    for (const auto& p : all) names += (names.empty() ? "" : ", ") + p->name();
    if (flavor != "auto") {
        for (const auto& p : all)
            if (p->name() == flavor) return PluginList{p.get()};
        return util::make_error(util::ErrorCode::not_found, "no plugin named '" + flavor + "' (loaded: " +
                                                                (names.empty() ? "none" : names) + ")");
    }
    for (const auto& p : all) {
        PluginInstance inst(ctx, *p, Phase::before);
        auto matches = inst.detect();
        if (!matches) {
            ctx.report.errors.push_back(matches.error().message);
            continue;
        }
        if (*matches) out.push_back(p.get());
    }
    if (out.empty())
        return util::make_error(util::ErrorCode::not_found,
                                "no plugin recognises the node under " + ctx.report.root +
                                    " (tried: " + (names.empty() ? "no plugins loaded" : names) +
                                    "); use --flavor NAME to choose one");
    return out;
}

namespace {

void record_plugins(RunContext& ctx, const PluginList& plugins) {
    ctx.report.plugins.clear();
    for (const auto* p : plugins) ctx.report.plugins.push_back({p->name(), p->version()});
}

// A node path: the folder is made and opened inside the root (BackupPlace::in_root).
std::string default_backup_dir(const RunContext& ctx) {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    std::string base = std::string(host::k_default_backup_root) + "/" + stamp;
    std::string dir = base;
    for (int i = 1;; ++i) {
        auto st = ctx.fs->stat(dir);
        if (!st || st->type == host::FileStat::Type::missing) return dir;
        dir = base + "-" + std::to_string(i);
    }
}

} // namespace

void run_audit(RunContext& ctx, const PluginList& plugins) {
    record_plugins(ctx, plugins);
    for (const auto* p : plugins) {
        PluginInstance inst(ctx, *p, Phase::before);
        if (auto st = inst.audit(); !st) ctx.report.errors.push_back(st.error().message);
    }
}

util::Status run_fix(RunContext& ctx, const PluginList& plugins, const FixSettings& settings) {
    record_plugins(ctx, plugins);
    ctx.report.has_after = true;
    // The same instance audits and fixes, so a plugin may keep what it found.
    std::vector<std::unique_ptr<PluginInstance>> instances;
    std::vector<std::vector<std::string>> to_fix;
    std::vector<report::Finding> selected;
    for (const auto* p : plugins) {
        auto& inst = instances.emplace_back(std::make_unique<PluginInstance>(ctx, *p, Phase::before));
        auto& ids = to_fix.emplace_back();
        size_t first = ctx.report.findings.size();
        if (auto st = inst->audit(); !st) {
            ctx.report.errors.push_back(st.error().message);
            continue;
        }
        for (size_t i = first; i < ctx.report.findings.size(); ++i) {
            const auto& f = ctx.report.findings[i];
            bool due = f.status == report::FindingStatus::fail || f.status == report::FindingStatus::warn;
            if (due && f.fixable && ctx.check_selected(f.id)) {
                ids.push_back(f.id);
                selected.push_back(f);
            }
        }
    }

    if (!selected.empty() && settings.confirm && !settings.confirm(selected))
        return util::make_error(util::ErrorCode::failed, "fix cancelled: nothing was changed");

    if (!selected.empty()) {
        host::Transaction txn(*ctx.fs, settings.backup_dir.empty() ? default_backup_dir(ctx) : settings.backup_dir,
                              ctx.dry_run,
                              settings.backup_dir.empty() ? host::BackupPlace::in_root : host::BackupPlace::host);
        ctx.transaction = &txn;
        bool failed = false;
        for (size_t i = 0; i < instances.size() && !failed; ++i) {
            if (to_fix[i].empty()) continue;
            auto st = instances[i]->fix(to_fix[i]);
            if (ctx.cancelled && ctx.cancelled->load()) {
                st = util::make_error(util::ErrorCode::failed, "fix interrupted by a signal");
            }
            if (!st) {
                ctx.report.errors.push_back(st.error().message + " (every change of this fix was rolled back)");
                failed = true;
            }
        }
        // The last writes go into place (unless the fix failed: rollback drops them).
        if (!failed) {
            if (auto st = txn.commit(); !st) {
                ctx.report.errors.push_back(st.error().message + " (every change of this fix was rolled back)");
                failed = true;
            }
        }
        // Parked files always go back, whatever happened.
        if (auto st = txn.unpark_all(); !st) ctx.report.errors.push_back(st.error().message);
        if (failed) {
            if (auto st = txn.rollback(); !st) ctx.report.errors.push_back("rollback: " + st.error().message);
            for (auto& a : ctx.report.actions)
                if (a.kind == report::ActionKind::edit && a.status == report::ActionStatus::applied)
                    a.status = report::ActionStatus::rolled_back;
        }
        // The journal's completion mark, after the last rename: from now on no run rolls this fix back.
        if (!failed) {
            if (auto st = txn.finish(); !st) ctx.report.errors.push_back(st.error().message);
        }
        // The after-audit sees the dry-run overlay, so it previews the result.
        // A real fix (never under --now) audits at the clock again: a restart may take minutes,
        // and a certificate a daemon made during the fix is valid from that moment, not before.
        if (!ctx.dry_run) ctx.now = static_cast<std::int64_t>(std::time(nullptr));
        instances.clear();
        for (const auto* p : plugins) {
            PluginInstance inst(ctx, *p, Phase::after);
            if (auto st = inst.audit(); !st) ctx.report.errors.push_back(st.error().message);
        }
        ctx.transaction = nullptr;
    } else {
        ctx.report.after = ctx.report.findings; // nothing to do: the node is as audited
    }
    return util::ok_status();
}

int exit_status(const report::Report& report) {
    const auto& findings = report.has_after ? report.after : report.findings;
    bool fail = false;
    if (!report.errors.empty()) return 3;
    for (const auto& f : findings) {
        if (f.status == report::FindingStatus::error) return 3;
        if (f.status == report::FindingStatus::fail) fail = true;
    }
    return fail ? 1 : 0;
}

} // namespace kubecert::app
