#pragma once

#include <string>

#include "host/folder_entry.hpp"
#include "util/result.hpp"

// Symbolic links changed the way the kubelet's certificate store changes
// kubelet-client-current.pem: never removed, only replaced.
namespace kubecert::host {

// A fresh name for the new link made beside the link `entry` (".NAME.kubecert-link-PID-N"),
// known before the link is made so that the journal can name it first.
std::string link_temp_name(const FolderEntry& entry);

// Points the link `entry` at `target`: a new link `temp_name` beside it,
// renamed over it, the folder fsynced. A reader finds the old link or the
// new one, never none.
util::Status swap_symlink(const FolderEntry& entry, const std::string& target, const std::string& temp_name);

} // namespace kubecert::host
