#pragma once

#include <string_view>

// Reading `crictl ps` output.
namespace kubecert::kubeadm {

// True when the table printed by `crictl ps` lists a container named
// `name`: a row with a word equal to it (the NAME column; pod names carry a
// node suffix and image names a tag, so they do not match).
bool crictl_lists_container(std::string_view ps_output, std::string_view name);

} // namespace kubecert::kubeadm
