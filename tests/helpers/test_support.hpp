#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

// Shared helpers of the tests: temporary node roots, files, running programs.
namespace kubecert::test {

// A fresh temporary folder, removed with everything in it on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return m_path; }
    // Host path of `node_path` under this folder ("/etc/x" -> "<tmp>/etc/x").
    std::string operator/(const std::string& node_path) const;

private:
    std::string m_path;
};

// Writes `content` at `path` (host path), creating parent folders; sets `mode`.
void write_file(const std::string& path, const std::string& content, unsigned mode = 0644);
// Reads a whole file; throws when it cannot.
std::string read_file(const std::string& path);
bool file_exists(const std::string& path);
// Copies a file (e.g. a shared fixture into a node tree), creating parents.
void copy_file(const std::string& from, const std::string& to, unsigned mode = 0644);
// Every regular file below `dir` with its content, for "nothing changed" checks.
std::map<std::string, std::string> snapshot_tree(const std::string& dir);

struct ProcResult {
    int exit_code = -1; // -1 when killed
    std::string out;
    std::string err;
};

// Runs a program (argv[0] on PATH or a path) with extra environment
// variables (a value of "\x01unset" removes the variable), standard input
// from `input`, killed after `timeout_seconds`.
ProcResult run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
               const std::string& input = "", int timeout_seconds = 120, const std::string& cwd = "");

// Runs the built `kubecert` binary with `args`.
ProcResult run_kubecert(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
                        int timeout_seconds = 120);

// Runs the built `kubecert` with `args` in the folder `cwd`.
ProcResult run_kubecert_in(const std::string& cwd, const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env = {});

// Paths known at build time.
std::string kubecert_binary();   // build/bin/kubecert
std::string source_dir();        // the project checkout
std::string build_dir();         // the CMake build folder
std::string upstream_fixtures(); // ../shared/fixtures/upstream (or a copy under tests/fixtures)
std::string test_plugin_dir();   // where tests/plugins/*.c are built

// Writes an executable shell script (a recording stand-in for systemctl,
// crictl, docker...) at `dir`/`name`.
void write_script(const std::string& dir, const std::string& name, const std::string& body);

// PATH with `dir` first.
std::string path_with(const std::string& dir);

} // namespace kubecert::test
