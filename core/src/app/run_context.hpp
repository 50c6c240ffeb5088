#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/action_log.hpp"
#include "host/live_system.hpp"
#include "host/root_fs.hpp"
#include "report/model.hpp"

namespace kubecert::app {

// Everything a run knows that host services hand to plugins: the settings of
// the command line, the node's file system and the report being built. What
// differs between the phases of a run (the instant, the view of the node's
// files, the transaction) is in PhaseContext (phase_context.hpp).
struct RunContext {
    std::unique_ptr<host::RootFs> fs;
    // Whether the node under --root is the running system (decided once per run).
    host::LiveSystem live{true, "--root is /"};
    std::int64_t now = 0; // --now or the clock at the start (the first phases' instant)
    std::int64_t warn_within = 30 * 86400;
    std::string benchmark;
    bool dry_run = false;
    bool no_restart = false;
    bool verbose = false;
    bool stderr_is_terminal = false;
    bool progress_shown = false;     // a progress line is on the terminal, to clear before the next line
    std::vector<std::string> checks; // --check values
    // Plugin options as given on the command line (plugin -> option -> value).
    std::map<std::string, std::map<std::string, std::string>> plugin_options;
    report::Report report;
    // The actions of a fix in order; the report's are derived from it (action_log.hpp).
    ActionLog actions;
    // Services/containers a dry-run fix planned to restart (planned_restarts.hpp).
    std::vector<std::string> planned_restarts;
    std::atomic<bool>* cancelled = nullptr; // set by SIGINT/SIGTERM

    // Whether a finding id passes --check (equal, or a prefix ending in '/' or '.').
    bool check_selected(const std::string& id) const;
};

} // namespace kubecert::app
