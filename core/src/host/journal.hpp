#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

// The backup folder's MANIFEST, which is also the fix's journal:
//
//   kubecert-journal 1
//   /etc/kubernetes/pki/apiserver.crt<TAB>files/etc/kubernetes/pki/apiserver.crt
//   /etc/kubernetes/new.conf<TAB>-
//   rename<TAB>/etc/kubernetes/pki/.apiserver.crt.kubecert-Ab12Cd<TAB>/etc/kubernetes/pki/apiserver.crt
//   state<TAB>complete
//
// One line per changed file (its backup copy, "-" for a file the fix
// created), one per rename (temporary file -> target), written and fsynced
// before the rename, and the state written after the last rename. A run that
// finds a MANIFEST without a final state rolls the fix back (recovery.hpp).
// MANIFESTs of older versions have no header: they are only ever restored.
namespace kubecert::host {

struct Journal {
    struct Entry {
        std::string node_path; // absolute, inside the root
        std::string ref; // relative to the backup folder ("files/...", "parked/...", "links/..."), "-" for created
    };
    struct Rename {
        std::string temp_path;   // node path of the temporary file or link
        std::string target_path; // node path it is renamed over
    };
    enum class State { legacy, in_progress, complete, rolled_back };

    std::vector<Entry> entries;
    std::vector<Rename> renames;
    State state = State::in_progress;
};

std::string format_journal(const Journal& journal);
// Parse errors name `label` (the MANIFEST's path) and the line. References
// must stay inside the backup folder (no "..", not absolute).
util::Result<Journal> parse_journal(std::string_view text, const std::string& label);

} // namespace kubecert::host
