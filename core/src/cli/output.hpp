#pragma once

#include <string>

#include "util/result.hpp"

namespace kubecert::cli {

// Writes the report to standard output, or to `file` atomically (a temporary
// file beside it, renamed over) so a node_exporter textfile collector or a
// CI job never reads half a report.
util::Status write_output(const std::string& file, const std::string& content);

} // namespace kubecert::cli
