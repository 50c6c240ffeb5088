// The home folder of the user who invoked kubecert: SUDO_USER's entry in the
// node's /etc/passwd when run through sudo, else $HOME. The passwd parser
// takes bytes, so it is tested without files.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "host/node_view.hpp"

namespace kubecert::app {

// The home field (6th) of `user`'s line in passwd-format `text`, if any.
std::optional<std::string> passwd_home(std::string_view text, std::string_view user);

// SUDO_USER's home from the node's /etc/passwd (SUDO_USER other than root),
// else $HOME when it is an absolute path, else nothing.
std::optional<std::string> invoking_user_home(const host::NodeView& node);

} // namespace kubecert::app
