#pragma once

#include <string>

#include "util/result.hpp"

// Symbolic links changed the way the kubelet's certificate store changes
// kubelet-client-current.pem: never removed, only replaced.
namespace kubecert::host {

// The target stored in the link at `host_path` (readlink).
util::Result<std::string> read_symlink(const std::string& host_path);

// Points `host_path` at `target`: a new link beside it, renamed over it, the
// folder fsynced. A reader finds the old link or the new one, never none.
util::Status swap_symlink(const std::string& host_path, const std::string& target);

} // namespace kubecert::host
