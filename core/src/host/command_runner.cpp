#include "host/command_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace kubecert::host {

namespace {

using Clock = std::chrono::steady_clock;

// Grace period between SIGTERM and SIGKILL at the timeout.
constexpr auto k_kill_grace = std::chrono::seconds(2);
// After SIGKILL, how long we still read from pipes a runaway grandchild may hold.
constexpr auto k_drain_after_kill = std::chrono::seconds(1);

bool is_executable_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// execvp's lookup, done before fork so "not found" is an error the caller can tell apart.
std::string find_program(const std::string& name) {
    if (name.find('/') != std::string::npos) return is_executable_file(name) ? name : "";
    const char* env = std::getenv("PATH");
    std::string path = env ? env : "/usr/local/bin:/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= path.size()) {
        auto end = path.find(':', start);
        if (end == std::string::npos) end = path.size();
        std::string dir = end > start ? path.substr(start, end - start) : ".";
        std::string candidate = dir + "/" + name;
        if (is_executable_file(candidate)) return candidate;
        start = end + 1;
    }
    return "";
}

int remaining_ms(Clock::time_point until) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 60'000));
}

void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

} // namespace

namespace {

// The three pipes of one child: its stdout, its stderr, and the one that reports a failed exec.
struct ChildPipes {
    int out[2] = {-1, -1};
    int err[2] = {-1, -1};
    int exec[2] = {-1, -1};
    ~ChildPipes() {
        for (int* p : {out, err, exec}) {
            close_fd(p[0]);
            close_fd(p[1]);
        }
    }
};

util::Status open_pipes(ChildPipes& pipes) {
    for (int* p : {pipes.out, pipes.err, pipes.exec})
        if (::pipe2(p, O_CLOEXEC) != 0)
            return util::make_error(util::ErrorCode::io, std::string("pipe: ") + std::strerror(errno));
    return util::ok_status();
}

// In the child: only async-signal-safe calls until exec.
[[noreturn]] void exec_child(const std::string& program, const std::vector<char*>& args, const ChildPipes& pipes) {
    ::setpgid(0, 0); // its own group, so the timeout kills its children too
    int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, 0);
    ::dup2(pipes.out[1], 1);
    ::dup2(pipes.err[1], 2);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::execv(program.c_str(), args.data());
    int err = errno;
    if (::write(pipes.exec[1], &err, sizeof err) < 0) {
    }
    ::_exit(127);
}

void reap(pid_t pid, int& status) {
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
}

// The errno of a failed exec, reported by the child through the exec pipe; 0 when exec succeeded.
int exec_error(ChildPipes& pipes) {
    int exec_errno = 0;
    ssize_t got;
    do {
        got = ::read(pipes.exec[0], &exec_errno, sizeof exec_errno);
    } while (got < 0 && errno == EINTR);
    close_fd(pipes.exec[0]);
    return got == static_cast<ssize_t>(sizeof exec_errno) ? exec_errno : 0;
}

// Reads a running child's output until it ends, enforcing the timeout
// (SIGTERM, then SIGKILL after a grace period, then a last drain).
class OutputPump {
public:
    OutputPump(pid_t pid, int out_fd, int err_fd, std::chrono::milliseconds timeout,
               const std::function<void(const std::string&)>& on_output)
        : m_pid(pid), m_fds{out_fd, err_fd}, m_deadline(Clock::now() + timeout), m_on_output(on_output) {}
    ~OutputPump() {
        close_fd(m_fds[0]);
        close_fd(m_fds[1]);
    }

    // Runs to the end; the outcome has the output, timed_out and the exit code.
    CommandOutcome run() {
        while (!finished()) {
            enforce_deadline();
            if (!m_exited && ::waitpid(m_pid, &m_status, WNOHANG) == m_pid) m_exited = true;
            if (finished()) break;
            if (!read_ready()) break;
        }
        close_fd(m_fds[0]);
        close_fd(m_fds[1]);
        if (!m_exited) reap(m_pid, m_status);
        if (m_outcome.timed_out) {
            // Whatever the leader did, its group may still hold children: make sure they are gone.
            ::killpg(m_pid, SIGKILL);
            m_outcome.exit_code = -1;
        } else {
            m_outcome.exit_code = WIFEXITED(m_status) ? WEXITSTATUS(m_status) : -1;
        }
        return std::move(m_outcome);
    }

private:
    bool finished() const { return m_fds[0] < 0 && m_fds[1] < 0 && m_exited; }

    void enforce_deadline() {
        const auto now = Clock::now();
        if (!m_outcome.timed_out && now >= m_deadline) {
            m_outcome.timed_out = true;
            ::killpg(m_pid, SIGTERM);
            m_kill_at = now + k_kill_grace;
        }
        if (m_outcome.timed_out && !m_killed && now >= m_kill_at) {
            ::killpg(m_pid, SIGKILL);
            m_killed = true;
            m_give_up_at = now + k_drain_after_kill;
        }
        if (m_killed && now >= m_give_up_at) {
            close_fd(m_fds[0]);
            close_fd(m_fds[1]);
        }
    }

    // Waits for output up to the next deadline and takes what came; false on a poll error.
    bool read_ready() {
        const auto next = m_killed ? m_give_up_at : m_outcome.timed_out ? m_kill_at : m_deadline;
        // With both pipes closed only waitpid tells us it ended, so look again soon.
        const int wait_ms = std::min(remaining_ms(next), m_fds[0] < 0 && m_fds[1] < 0 ? 20 : 60'000);
        pollfd polls[2];
        int which[2];
        int count = 0;
        for (int i = 0; i < 2; ++i) {
            if (m_fds[i] < 0) continue;
            polls[count] = {m_fds[i], POLLIN, 0};
            which[count++] = i;
        }
        const int ready = ::poll(polls, static_cast<nfds_t>(count), wait_ms);
        if (ready < 0 && errno != EINTR) return false;
        for (int k = 0; ready > 0 && k < count; ++k)
            if (polls[k].revents & (POLLIN | POLLHUP | POLLERR)) take(which[k]);
        return true;
    }

    void take(int which) {
        char buf[65536];
        const ssize_t n = ::read(m_fds[which], buf, sizeof buf);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
        if (n <= 0) {
            close_fd(m_fds[which]);
            return;
        }
        std::string chunk(buf, static_cast<std::size_t>(n));
        (which == 0 ? m_outcome.out : m_outcome.err).append(chunk);
        if (m_on_output) m_on_output(chunk);
    }

    pid_t m_pid;
    int m_fds[2];
    const Clock::time_point m_deadline;
    const std::function<void(const std::string&)>& m_on_output;
    Clock::time_point m_kill_at{}, m_give_up_at{};
    bool m_killed = false;
    bool m_exited = false;
    int m_status = 0;
    CommandOutcome m_outcome;
};

} // namespace

util::Result<CommandOutcome> run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                                         const std::function<void(const std::string&)>& on_output) {
    if (argv.empty() || argv[0].empty()) return util::make_error(util::ErrorCode::invalid, "empty command");
    const std::string program = find_program(argv[0]);
    if (program.empty()) {
        return util::make_error(util::ErrorCode::not_found, argv[0].find('/') != std::string::npos
                                                                ? "command " + argv[0] + ": no such executable file"
                                                                : "command " + argv[0] + ": not found on PATH");
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);

    ChildPipes pipes;
    if (auto opened = open_pipes(pipes); !opened) return opened.error();
    const pid_t pid = ::fork();
    if (pid < 0) return util::make_error(util::ErrorCode::io, "fork for " + argv[0] + ": " + std::strerror(errno));
    if (pid == 0) exec_child(program, args, pipes);
    ::setpgid(pid, pid); // also here: whichever runs first, the group exists before any kill
    close_fd(pipes.out[1]);
    close_fd(pipes.err[1]);
    close_fd(pipes.exec[1]);

    if (const int exec_errno = exec_error(pipes)) {
        int status = 0;
        reap(pid, status);
        return util::make_error(exec_errno == EACCES ? util::ErrorCode::denied : util::ErrorCode::failed,
                                "cannot run " + program + ": " + std::strerror(exec_errno));
    }
    // The pump owns the read ends from here on.
    OutputPump pump(pid, std::exchange(pipes.out[0], -1), std::exchange(pipes.err[0], -1), timeout, on_output);
    return pump.run();
}

std::string quote_command(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& word : argv) {
        if (!out.empty()) out += ' ';
        bool plain = !word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                             "0123456789_@%+=:,./-") == std::string::npos;
        if (plain) {
            out += word;
            continue;
        }
        out += '\'';
        for (char c : word) {
            if (c == '\'')
                out += "'\\''";
            else
                out += c;
        }
        out += '\'';
    }
    return out;
}

} // namespace kubecert::host
