#pragma once

#include <functional>
#include <string>

#include "app/run_context.hpp"
#include "util/result.hpp"

namespace kubecert::app {

// The check id of the finding that reports a fix found interrupted.
inline constexpr const char* k_interrupted_fix_check = "core.interrupted-fix";

// Run by every command before any plugin: a fix on this root that was killed
// before its journal was complete (host/recovery.hpp) is rolled back, with
// `lock` held (it takes the root's fix lock; false: a fix is running right
// now, so its journal is not interrupted but in use). Each is reported as a
// core.interrupted-fix finding and a line on stderr. Under --dry-run nothing
// is changed: the finding is an ERROR asking for a run that may recover.
// `extra_backup_dir`: --backup-dir of this fix, "" for none. An error means an
// interrupted fix is still on the node: a fix must not start then.
util::Status recover_interrupted_fixes(RunContext& ctx, const std::string& extra_backup_dir,
                                       const std::function<bool()>& lock);

} // namespace kubecert::app
