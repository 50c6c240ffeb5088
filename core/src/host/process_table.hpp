#pragma once

#include <string>
#include <vector>

#include "host/root_fs.hpp"
#include "util/result.hpp"

namespace kubecert::host {

struct ProcessInfo {
    int pid = 0;
    std::vector<std::string> argv;
};

// Processes under ROOT/proc whose argv[0] basename or comm equals `name`,
// by ascending pid. Reads ROOT/proc/<pid>/cmdline (NUL separated) and comm.
util::Result<std::vector<ProcessInfo>> find_processes(const RootFs& fs, const std::string& name);

} // namespace kubecert::host
