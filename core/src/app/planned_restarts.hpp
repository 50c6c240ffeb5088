#pragma once

#include <string>
#include <vector>

// Under fix --dry-run a restart is only planned, yet the after-audit previews
// the node as the fix would leave it: a value that only the running process
// still holds is replaced by the restart, so that process no longer counts.
namespace kubecert::app {

// The services or containers a command restarts (`systemctl restart kubelet`
// -> "kubelet", `docker restart kubelet` -> "kubelet"); empty for any other command.
std::vector<std::string> restarted_by(const std::vector<std::string>& argv);

} // namespace kubecert::app
