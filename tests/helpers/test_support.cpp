#include "test_support.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace kubecert::test {

TempDir::TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "kubecert-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    m_path = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    // Make everything removable even when a test took permissions away.
    for (auto it = fs::recursive_directory_iterator(m_path, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_directory(ec) && !it->is_symlink(ec)) ::chmod(it->path().c_str(), 0700);
    }
    fs::remove_all(m_path, ec);
}

std::string TempDir::operator/(const std::string& node_path) const {
    if (node_path.empty() || node_path[0] != '/') return m_path + "/" + node_path;
    return m_path + node_path;
}

void write_file(const std::string& path, const std::string& content, unsigned mode) {
    fs::create_directories(fs::path(path).parent_path());
    {
        std::ofstream f(path, std::ios::binary | std::ios::trunc);
        if (!f) throw std::runtime_error("cannot write " + path);
        f << content;
    }
    ::chmod(path.c_str(), mode);
}

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot read " + path);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

bool file_exists(const std::string& path) {
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0;
}

void copy_file(const std::string& from, const std::string& to, unsigned mode) {
    write_file(to, read_file(from), mode);
}

std::map<std::string, std::string> snapshot_tree(const std::string& dir) {
    std::map<std::string, std::string> out;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        if (it->is_symlink()) {
            out[it->path().string()] = "-> " + fs::read_symlink(it->path()).string();
        } else if (it->is_regular_file()) {
            struct stat st;
            ::stat(it->path().c_str(), &st);
            out[it->path().string()] =
                read_file(it->path().string()) + "\n[mode " + std::to_string(st.st_mode & 07777) + "]";
        }
    }
    return out;
}

namespace {
void drain(int fd, std::string& into) {
    char buf[65536];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) into.append(buf, static_cast<size_t>(n));
}
} // namespace

ProcResult run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
               const std::string& input, int timeout_seconds, const std::string& cwd) {
    int out_pipe[2], err_pipe[2], in_pipe[2];
    if (pipe(out_pipe) || pipe(err_pipe) || pipe(in_pipe)) throw std::runtime_error("pipe failed");
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        setpgid(0, 0);
        dup2(in_pipe[0], 0);
        dup2(out_pipe[1], 1);
        dup2(err_pipe[1], 2);
        for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1], in_pipe[0], in_pipe[1]}) close(fd);
        if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
        for (const auto& [k, v] : env) {
            if (v == "\x01unset")
                unsetenv(k.c_str());
            else
                setenv(k.c_str(), v.c_str(), 1);
        }
        std::vector<char*> a;
        for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
        a.push_back(nullptr);
        execvp(a[0], a.data());
        _exit(127);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);
    close(in_pipe[0]);
    if (!input.empty()) {
        ssize_t w = ::write(in_pipe[1], input.data(), input.size());
        (void)w;
    }
    close(in_pipe[1]);
    ProcResult r;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
    bool out_open = true, err_open = true, killed = false;
    while (out_open || err_open) {
        pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
        int left = static_cast<int>(
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
        if (left <= 0) {
            kill(-pid, SIGKILL);
            killed = true;
            break;
        }
        if (poll(fds, 2, left) < 0) continue;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
                std::string& into = i == 0 ? r.out : r.err;
                size_t before = into.size();
                drain(fds[i].fd, into);
                if (into.size() == before) (i == 0 ? out_open : err_open) = false;
            }
        }
        if (!out_open) fds[0].fd = -1;
        if (!err_open) fds[1].fd = -1;
    }
    close(out_pipe[0]);
    close(err_pipe[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    r.exit_code = (!killed && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
    return r;
}

namespace {

// The node trees of the tests stand for running nodes (their ROOT/proc is a
// copy, not a procfs): kubecert is told so unless a test sets
// KUBECERT_LIVE_SYSTEM itself (to "auto", or "\x01unset", for a mounted image).
std::map<std::string, std::string> with_live_default(std::map<std::string, std::string> env) {
    env.emplace("KUBECERT_LIVE_SYSTEM", "yes");
    return env;
}

} // namespace

ProcResult run_kubecert(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                        int timeout_seconds) {
    std::vector<std::string> argv{kubecert_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, with_live_default(env), "", timeout_seconds);
}

ProcResult run_kubecert_in(const std::string& cwd, const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env) {
    std::vector<std::string> argv{kubecert_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, with_live_default(env), "", 120, cwd);
}

std::string kubecert_binary() {
    return KUBECERT_BINARY;
}
std::string source_dir() {
    return KUBECERT_SOURCE_DIR;
}
std::string build_dir() {
    return KUBECERT_BUILD_DIR;
}
std::string upstream_fixtures() {
    if (const char* e = std::getenv("KUBECERT_UPSTREAM_FIXTURES")) return e;
    return KUBECERT_SHARED_FIXTURES;
}
std::string test_plugin_dir() {
    return KUBECERT_TEST_PLUGIN_DIR;
}

void write_script(const std::string& dir, const std::string& name, const std::string& body) {
    write_file(dir + "/" + name, body, 0755);
}

std::string path_with(const std::string& dir) {
    const char* p = std::getenv("PATH");
    return dir + ":" + (p ? p : "/usr/bin:/bin");
}

} // namespace kubecert::test
