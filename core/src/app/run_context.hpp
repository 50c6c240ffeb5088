#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "host/live_system.hpp"
#include "host/root_fs.hpp"
#include "host/transaction.hpp"
#include "report/model.hpp"

namespace kubecert::app {

// Everything a run knows that host services hand to plugins: the settings of
// the command line, the node's file system, the report being built and,
// during a fix, the transaction.
struct RunContext {
    std::unique_ptr<host::RootFs> fs;
    // Whether the node under --root is the running system (decided once per run).
    host::LiveSystem live{true, "--root is /"};
    std::int64_t now = 0;                 // --now or the clock
    std::int64_t warn_within = 30 * 86400;
    std::string benchmark;
    bool dry_run = false;
    bool no_restart = false;
    bool verbose = false;
    bool stderr_is_terminal = false;
    bool progress_shown = false;          // a progress line is on the terminal, to clear before the next line
    std::vector<std::string> checks;      // --check values
    // Plugin options as given on the command line (plugin -> option -> value).
    std::map<std::string, std::map<std::string, std::string>> plugin_options;
    report::Report report;
    host::Transaction* transaction = nullptr; // set during fix
    // Services/containers a dry-run fix planned to restart (planned_restarts.hpp).
    std::vector<std::string> planned_restarts;
    std::atomic<bool>* cancelled = nullptr;   // set by SIGINT/SIGTERM
    // The last action is a fix's wait that further polls of the same command add to (a file put
    // back in between starts another wait).
    bool poll_open = false;

    // Whether a finding id passes --check (equal, or a prefix ending in '/' or '.').
    bool check_selected(const std::string& id) const;
};

} // namespace kubecert::app
