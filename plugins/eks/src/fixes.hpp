#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <kubecert/sdk.hpp>

#include "facts.hpp"

namespace kubecert::eks {

// One change to one file: `apply` maps the file's current text to the new text.
struct Edit {
    std::string path;
    int line = 0; // the unit/env entry it edits (0 for config documents); edits of a file apply bottom-up
    std::string what;
    std::function<std::string(const std::string&)> apply;
};

// How to fix one finding: the edits, or why it cannot be fixed automatically.
struct Plan {
    std::vector<Edit> edits;
    bool restart_only = false; // nothing to edit, but the running kubelet lags behind its files
    std::string blocker;       // non-empty: no automatic fix, and why
    bool possible() const { return blocker.empty() && (!edits.empty() || restart_only); }
};

// The plans of the file-based findings, computed from what the audit read.
Plan plan_rotate_server_cert(const KubeletSources& s);
Plan plan_server_tls_bootstrap(const KubeletSources& s);
Plan plan_rotate_client_cert(const KubeletSources& s);

// The fix plans of every failing (FAIL or WARN) finding that has one, by finding id: the three
// file-based settings, and a restart when the live configz lags behind the files.
std::map<std::string, Plan> plan_fixes(const Facts& facts, const std::vector<sdk::Finding>& findings);

// Marks each finding with a plan fixable when the plan can be carried out, and says in its
// remediation why not, or (on AL2023) that nodeadm rewrites the files at the next boot. The audit
// offers exactly what fix() then does.
void offer_fixes(std::vector<sdk::Finding>& findings, const std::map<std::string, Plan>& plans, const Facts& facts);

// Applies the plans of `ids` (in that order) through the host, then, unless
// --no-restart, reloads systemd, restarts the kubelet and waits for it to be
// active; a kubelet that does not come back is rolled back and throws.
void apply_fix(const sdk::Host& host, const std::vector<std::string>& ids, const std::map<std::string, Plan>& plans);

} // namespace kubecert::eks
