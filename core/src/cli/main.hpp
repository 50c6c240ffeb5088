#pragma once

namespace kubecert::cli {

// The whole program: parses the command line, runs the command, maps every
// outcome to the exit status of DESIGN.md (0 ok, 1 FAIL, 2 usage, 3 error).
int main(int argc, char** argv);

} // namespace kubecert::cli
