#pragma once

#include <memory>
#include <string>
#include <vector>

#include "host/journal.hpp"
#include "host/root_fs.hpp"
#include "util/result.hpp"

// Finding and rolling back a fix that was killed (power loss, SIGKILL)
// before its journal was marked complete (journal.hpp).
//
// Rationale for rolling back rather than forward: the old files are all in
// the backup, complete and fsynced before the first rename, so going back
// needs nothing that may be missing; going forward would need every new file
// written and the restarts that belong to them, which a killed run may not
// have reached. The next fix renews again.
namespace kubecert::host {

// Where fixes keep their backups by default, inside the root.
inline constexpr const char* k_default_backup_root = "/var/backups/kubecert";

struct InterruptedFix {
    std::string backup_dir;         // host path, for messages
    std::unique_ptr<RootFs> backup; // the backup folder, opened inside the root
    Journal journal;
};

// The fixes under ROOT/var/backups/kubecert, and in `extra_backup_dir` (a
// host path given with --backup-dir, "" for none), whose MANIFEST is a
// journal without a final state. A MANIFEST that cannot be read or parsed is
// an error naming it.
util::Result<std::vector<InterruptedFix>> find_interrupted_fixes(const RootFs& fs, const std::string& extra_backup_dir);

// Puts back every file of `fix` from its backup, removes its temporary
// files, and marks its journal rolled back. Returns the node paths restored.
util::Result<std::vector<std::string>> roll_back_interrupted_fix(const RootFs& fs, const InterruptedFix& fix);

} // namespace kubecert::host
