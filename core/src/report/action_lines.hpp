#pragma once

#include <string>

#include "report/model.hpp"

namespace kubecert::report {

// One line per action of `plugin` ("planned command: systemctl restart kubelet
// (for FINDING)"), headed by whether it was a dry run; "" when it has none.
// Targets and statuses only, never details: a diff may hold key material.
std::string action_lines(const Report& report, const std::string& plugin);

} // namespace kubecert::report
