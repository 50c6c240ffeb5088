#pragma once

#include <string>

#include "host/root_fs.hpp"

namespace kubecert::host {

// Whether the node under --root is the running system, the one rule every
// plugin follows before it runs a command or probes a port (DESIGN.md:
// commands and probes run only on the live node).
struct LiveSystem {
    bool live = false;
    // One sentence for people and for evidence, e.g. "--root is /" or
    // "ROOT/proc is not a procfs: a mounted image or a copy of a node".
    std::string reason;
};

// How --live-system was given.
enum class LiveSystemMode { automatic, yes, no };

// Parses "auto", "yes", "no"; nullopt-like failure is reported by returning false.
bool parse_live_system_mode(const std::string& text, LiveSystemMode& out);

// The rule, decided once per run: the root is "/", or ROOT/proc is a procfs
// (opened inside the root, so a symlink in an image cannot point it at this
// machine's /proc) showing this process's own PID namespace, as in a pod with
// hostPID and the host's file system mounted at /host. `mode` yes/no
// overrides the detection (the reason says so).
LiveSystem decide_live_system(const RootFs& fs, LiveSystemMode mode);

} // namespace kubecert::host
