#pragma once

#include "facts.hpp"
#include "findings.hpp"

#include <kubecert/sdk.hpp>

#include <string>
#include <vector>

namespace kubecert::rke {

// Applies the fixes of the findings `ids` that `plan` allows, each change through the host;
// throws sdk::Error when a step fails, so that the host rolls the fix back.
void apply_fixes(const sdk::Host& host, const Facts& facts, const FixPlan& plan, const std::vector<std::string>& ids);

} // namespace kubecert::rke
