#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kubecert::report {

enum class FindingStatus { pass, fail, warn, info, error };

// "PASS", "FAIL", "WARN", "INFO", "ERROR".
const char* to_string(FindingStatus s);

struct Evidence {
    std::string source;
    std::string key;
    std::string actual;
    std::string expected;
};

struct Finding {
    std::string id;
    std::string plugin;
    std::string title;
    FindingStatus status = FindingStatus::pass;
    std::string benchmark;
    std::vector<Evidence> evidence;
    std::string remediation;
    bool fixable = false;
    std::string result; // what is the case, one line ("" when the plugin gave none; see result_line())
};

struct Certificate {
    std::string plugin;
    std::string name;
    std::string path;
    std::string subject;
    std::string issuer;
    std::int64_t not_before = 0;
    std::int64_t not_after = 0;
    std::int64_t residual_seconds = 0; // not_after - now
    std::string authority;
    bool externally_managed = false;
    bool is_authority = false;
};

enum class ActionKind { edit, command, request };
enum class ActionStatus { planned, applied, failed, rolled_back };
const char* to_string(ActionKind k);
const char* to_string(ActionStatus s);

struct Action {
    std::string finding; // id of the finding it fixes ("" when none)
    std::string plugin;
    ActionKind kind = ActionKind::edit;
    std::string target; // node path of the file, the command line, or "METHOD URL" of a request
    ActionStatus status = ActionStatus::planned;
    std::string backup; // host path of the backup copy ("" when none)
    std::string detail; // diff (dry run) or command output on failure
};

struct PluginRef {
    std::string name;
    std::string version;
};

// Everything one run produced; rendered by the report writers.
struct Report {
    std::string tool_version;
    std::int64_t generated_at = 0; // the evaluation instant (--now or the clock)
    std::string root;
    // The node the report is about, for fleet views (`kubecert report merge`):
    // its name (--node-name, else /etc/hostname under the root) and flavor
    // (the plugins that ran, joined with "+").
    std::string node_name;
    std::string flavor;
    // How paths are kept inside --root: "openat2" (the kernel resolves every
    // path) or "user-space" (the kernel refused openat2; a small race remains).
    std::string confinement = "openat2";
    std::string command; // "audit", "fix", "certs"
    bool dry_run = false;
    std::vector<PluginRef> plugins;
    std::vector<Finding> findings; // the audit (before the fix, for `fix`)
    std::vector<Certificate> certificates;
    std::vector<Action> actions; // `fix` only
    std::vector<Finding> after;  // `fix` only: the audit after the fix
    bool has_after = false;
    std::vector<std::string> errors; // run-level errors (plugin failures), each one line
};

struct Summary {
    int pass = 0, fail = 0, warn = 0, info = 0, error = 0;
};
Summary summarize(const std::vector<Finding>& findings);

// Plugin names in the order of report.plugins, then any other plugin that
// produced one of `findings`, so every finding is rendered exactly once.
std::vector<std::string> plugin_order(const Report& report, const std::vector<Finding>& findings);

// "source: key = actual (expected: expected)" on one line, leaving out the
// parts a plugin did not fill; line breaks inside values are shown as "\n".
std::string evidence_line(const Evidence& e);

// The one line that says what is the case for `f`: the plugin's result, else
// the first evidence that differs from what was expected, else the title.
std::string result_line(const Finding& f);

} // namespace kubecert::report
