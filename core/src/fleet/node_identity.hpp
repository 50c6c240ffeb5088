#pragma once

#include <string>
#include <vector>

#include "host/root_fs.hpp"
#include "report/model.hpp"

namespace kubecert::fleet {

// The node's name for its report: `given` (--node-name, e.g. the Kubernetes
// node name from the downward API) when not empty; else the first line of
// /etc/hostname under the root; else, for the running system (root "/"),
// the kernel's host name; else "" (the merge then names the node after its file).
std::string node_name(const host::RootFs& fs, const std::string& given);

// The node's flavor: the names of the plugins that ran, joined with "+"
// ("kubeadm", "eks+kubeadm"); "" when none ran.
std::string flavor_of(const std::vector<report::PluginRef>& plugins);

} // namespace kubecert::fleet
