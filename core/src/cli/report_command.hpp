#pragma once

#include "cli/options.hpp"

namespace kubecert::cli {

// `kubecert report merge REPORT...`: reads the reports into the fleet view,
// writes it in --format to --output, returns the fleet's exit status.
// Throws UsageError for a malformed --now or --max-age.
int run_report_command(const Options& o);

} // namespace kubecert::cli
