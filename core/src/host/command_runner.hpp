#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace kubecert::host {

struct CommandOutcome {
    int exit_code = -1; // -1 when killed by a signal or at the timeout
    bool timed_out = false;
    std::string out;
    std::string err;
};

// Runs argv[0] found on PATH (or a path containing '/'), with fork/execvp,
// never a shell; stdin is /dev/null; stdout/stderr captured (and passed to
// `on_output` as they come, when set); killed (SIGTERM, then SIGKILL after 2 s)
// at the timeout. Error not_found when the program is not on PATH; a non-zero
// exit is not an error.
util::Result<CommandOutcome> run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                                         const std::function<void(const std::string&)>& on_output = {});

// "a 'b c'": a command line for people, words quoted when needed.
std::string quote_command(const std::vector<std::string>& argv);

} // namespace kubecert::host
