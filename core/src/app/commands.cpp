#include "app/commands.hpp"

#include <algorithm>
#include <ctime>
#include <optional>

#include "app/phase_context.hpp"
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
        return util::make_error(util::ErrorCode::not_found,
                                "no plugin named '" + flavor + "' (loaded: " + (names.empty() ? "none" : names) + ")");
    }
    const auto detecting = PhaseContext::reading(PhaseKind::detect, *ctx.fs, ctx.now);
    for (const auto& p : all) {
        PluginInstance inst(ctx, *p, detecting);
        auto matches = inst.detect(detecting);
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

// The newest audit wins: after a fix, a renewed certificate replaces the old entry.
void merge_certificates(std::vector<report::Certificate>& into, std::vector<report::Certificate> newest) {
    for (auto& c : newest) {
        auto same = std::find_if(into.begin(), into.end(), [&](const report::Certificate& e) {
            return e.plugin == c.plugin && e.name == c.name;
        });
        if (same != into.end())
            *same = std::move(c);
        else
            into.push_back(std::move(c));
    }
}

// Adds one audit's outcome to the report: findings to `findings`, certificates merged, a broken audit as an error.
void record_audit(RunContext& ctx, AuditOutcome outcome, std::vector<report::Finding>& findings) {
    for (auto& f : outcome.results.findings) findings.push_back(std::move(f));
    merge_certificates(ctx.report.certificates, std::move(outcome.results.certificates));
    if (outcome.error) ctx.report.errors.push_back(outcome.error->message);
}

void audit_each(RunContext& ctx, const PluginList& plugins, const PhaseContext& phase,
                std::vector<report::Finding>& findings) {
    for (const auto* p : plugins) {
        PluginInstance inst(ctx, *p, phase);
        record_audit(ctx, inst.audit(phase), findings);
    }
}

// The plugins of a fix, each audited by the instance that then fixes (a plugin may keep what it found).
struct FixPlan {
    std::vector<std::unique_ptr<PluginInstance>> instances;
    std::vector<std::vector<std::string>> to_fix; // per instance: the finding ids it fixes
    std::vector<report::Finding> selected;        // what the user confirms
};

FixPlan audit_for_fix(RunContext& ctx, const PluginList& plugins, const PhaseContext& auditing) {
    FixPlan plan;
    for (const auto* p : plugins) {
        auto& inst = plan.instances.emplace_back(std::make_unique<PluginInstance>(ctx, *p, auditing));
        auto& ids = plan.to_fix.emplace_back();
        AuditOutcome outcome = inst->audit(auditing);
        if (!outcome.error) {
            for (const auto& f : outcome.results.findings) {
                const bool due = f.status == report::FindingStatus::fail || f.status == report::FindingStatus::warn;
                if (due && f.fixable && ctx.check_selected(f.id)) {
                    ids.push_back(f.id);
                    plan.selected.push_back(f);
                }
            }
        }
        record_audit(ctx, std::move(outcome), ctx.report.findings);
    }
    return plan;
}

// Each plugin's fix inside `txn`: the ids each one fixed, or nullopt when one failed (or a signal came).
std::optional<FixedFindings> apply_fixes(RunContext& ctx, FixPlan& plan, const PhaseContext& fixing) {
    FixedFindings fixed;
    for (size_t i = 0; i < plan.instances.size(); ++i) {
        if (plan.to_fix[i].empty()) continue;
        AuditResults reported;
        auto st = plan.instances[i]->fix(fixing, plan.to_fix[i], reported);
        for (auto& f : reported.findings) ctx.report.findings.push_back(std::move(f));
        if (ctx.cancelled && ctx.cancelled->load())
            st = util::make_error(util::ErrorCode::failed, "fix interrupted by a signal");
        if (!st) {
            ctx.report.errors.push_back(st.error().message + " (every change of this fix was rolled back)");
            return std::nullopt;
        }
        fixed.add(plan.instances[i]->plugin().name(), plan.to_fix[i]);
    }
    return fixed;
}

// Ends the transaction: the last writes go into place, parked files always go back, a failed
// fix is rolled back, a good one gets the journal's completion mark. True when the changes stand.
bool close_transaction(RunContext& ctx, host::Transaction& txn, bool failed) {
    if (!failed) {
        if (auto st = txn.commit(); !st) {
            ctx.report.errors.push_back(st.error().message + " (every change of this fix was rolled back)");
            failed = true;
        }
    }
    if (auto st = txn.unpark_all(); !st) ctx.report.errors.push_back(st.error().message);
    if (failed) {
        if (auto st = txn.rollback(); !st) ctx.report.errors.push_back("rollback: " + st.error().message);
    } else if (auto st = txn.finish(); !st) {
        // After the last rename: from now on no run rolls this fix back.
        ctx.report.errors.push_back(st.error().message);
    }
    return !failed;
}

} // namespace

void run_audit(RunContext& ctx, const PluginList& plugins) {
    record_plugins(ctx, plugins);
    audit_each(ctx, plugins, PhaseContext::reading(PhaseKind::audit, *ctx.fs, ctx.now), ctx.report.findings);
    ctx.report.actions = ctx.actions.derive(nullptr);
}

util::Status run_fix(RunContext& ctx, const PluginList& plugins, const FixSettings& settings) {
    record_plugins(ctx, plugins);
    ctx.report.has_after = true;
    FixPlan plan = audit_for_fix(ctx, plugins, PhaseContext::reading(PhaseKind::audit, *ctx.fs, ctx.now));
    if (!plan.selected.empty() && settings.confirm && !settings.confirm(plan.selected))
        return util::make_error(util::ErrorCode::failed, "fix cancelled: nothing was changed");
    if (plan.selected.empty()) {
        ctx.report.after = ctx.report.findings; // nothing to do: the node is as audited
        ctx.report.actions = ctx.actions.derive(nullptr);
        return util::ok_status();
    }
    host::Transaction txn(*ctx.fs, settings.backup_dir.empty() ? default_backup_dir(ctx) : settings.backup_dir,
                          ctx.dry_run,
                          settings.backup_dir.empty() ? host::BackupPlace::in_root : host::BackupPlace::host);
    std::optional<FixedFindings> fixed = apply_fixes(ctx, plan, PhaseContext::fixing(txn, *ctx.fs, ctx.now));
    // Rolled back: the node is as before, so nothing of this fix counts as done (kubecert.run.v1).
    if (!close_transaction(ctx, txn, !fixed.has_value())) fixed.reset();
    plan.instances.clear();
    // The after-audit sees the dry-run overlay, so it previews the result.
    // A real fix (never under --now) audits at the clock again: a restart may take minutes,
    // and a certificate a daemon made during the fix is valid from that moment, not before.
    const std::int64_t after_now = ctx.dry_run ? ctx.now : static_cast<std::int64_t>(std::time(nullptr));
    audit_each(ctx, plugins,
               PhaseContext::after_fix(txn, *ctx.fs, after_now, std::move(fixed).value_or(FixedFindings{})),
               ctx.report.after);
    ctx.report.actions = ctx.actions.derive(&txn);
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
