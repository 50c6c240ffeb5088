#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "app/run_context.hpp"
#include "loader/plugin_loader.hpp"
#include "util/result.hpp"

namespace kubecert::app {

using PluginList = std::vector<const loader::LoadedPlugin*>;

// The plugins a run uses: `flavor` "auto" keeps those whose detect() matches
// the node; a name keeps that plugin only. Errors: no such plugin, none
// matching (the message lists what was tried).
util::Result<PluginList> select_plugins(RunContext& ctx, const std::vector<std::unique_ptr<loader::LoadedPlugin>>& all,
                                        const std::string& flavor);

// Audits each plugin; findings and certificates go to ctx.report; a plugin
// whose audit fails adds a line to ctx.report.errors.
void run_audit(RunContext& ctx, const PluginList& plugins);

struct FixSettings {
    std::string backup_dir; // host path; empty: ROOT/var/backups/kubecert/<UTC timestamp>
    // Asked once with the findings about to be fixed; false cancels the fix.
    std::function<bool(const std::vector<report::Finding>&)> confirm;
};

// audit, fix the fixable FAIL/WARN findings of each plugin in one transaction
// (rolled back as a whole when any plugin's fix fails), put back parked
// files, then audit again into ctx.report.after.
util::Status run_fix(RunContext& ctx, const PluginList& plugins, const FixSettings& settings);

// The exit status of DESIGN.md for a finished report: 3 for run errors or an
// ERROR finding, 1 for a FAIL (after a fix: in the after-audit), else 0.
int exit_status(const report::Report& report);

} // namespace kubecert::app
