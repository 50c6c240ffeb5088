#include "host/command_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

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
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);

    int out_pipe[2], err_pipe[2], exec_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0)
        return util::make_error(util::ErrorCode::io, std::string("pipe: ") + std::strerror(errno));
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
        int err = errno;
        ::close(out_pipe[0]), ::close(out_pipe[1]);
        return util::make_error(util::ErrorCode::io, std::string("pipe: ") + std::strerror(err));
    }
    if (::pipe2(exec_pipe, O_CLOEXEC) != 0) {
        int err = errno;
        ::close(out_pipe[0]), ::close(out_pipe[1]), ::close(err_pipe[0]), ::close(err_pipe[1]);
        return util::make_error(util::ErrorCode::io, std::string("pipe: ") + std::strerror(err));
    }

    pid_t pid = ::fork();
    if (pid < 0) {
        int err = errno;
        for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1], exec_pipe[0], exec_pipe[1]})
            ::close(fd);
        return util::make_error(util::ErrorCode::io, "fork for " + argv[0] + ": " + std::strerror(err));
    }
    if (pid == 0) {
        // Child: only async-signal-safe calls until exec.
        ::setpgid(0, 0); // its own group, so the timeout kills its children too
        int null_fd = ::open("/dev/null", O_RDONLY);
        if (null_fd >= 0) ::dup2(null_fd, 0);
        ::dup2(out_pipe[1], 1);
        ::dup2(err_pipe[1], 2);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::signal(SIGPIPE, SIG_DFL);
        ::execv(program.c_str(), args.data());
        int err = errno;
        if (::write(exec_pipe[1], &err, sizeof err) < 0) {
        }
        ::_exit(127);
    }
    ::setpgid(pid, pid); // also here: whichever runs first, the group exists before any kill
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    ::close(exec_pipe[1]);

    int exec_errno = 0;
    ssize_t got;
    do {
        got = ::read(exec_pipe[0], &exec_errno, sizeof exec_errno);
    } while (got < 0 && errno == EINTR);
    ::close(exec_pipe[0]);
    if (got == static_cast<ssize_t>(sizeof exec_errno)) {
        ::close(out_pipe[0]);
        ::close(err_pipe[0]);
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        return util::make_error(exec_errno == EACCES ? util::ErrorCode::denied : util::ErrorCode::failed,
                                "cannot run " + program + ": " + std::strerror(exec_errno));
    }

    CommandOutcome outcome;
    int fds[2] = {out_pipe[0], err_pipe[0]};
    std::string* sinks[2] = {&outcome.out, &outcome.err};
    const auto deadline = Clock::now() + timeout;
    Clock::time_point kill_at{}, give_up_at{};
    bool killed = false;
    bool exited = false;
    int status = 0;

    for (;;) {
        const auto now = Clock::now();
        if (!outcome.timed_out && now >= deadline) {
            outcome.timed_out = true;
            ::killpg(pid, SIGTERM);
            kill_at = now + k_kill_grace;
        }
        if (outcome.timed_out && !killed && now >= kill_at) {
            ::killpg(pid, SIGKILL);
            killed = true;
            give_up_at = now + k_drain_after_kill;
        }
        if (killed && now >= give_up_at) {
            close_fd(fds[0]);
            close_fd(fds[1]);
        }
        if (!exited) {
            pid_t r = ::waitpid(pid, &status, WNOHANG);
            if (r == pid) exited = true;
        }
        if (fds[0] < 0 && fds[1] < 0 && exited) break;
        const auto next = killed ? give_up_at : outcome.timed_out ? kill_at : deadline;
        // With both pipes closed only waitpid tells us it ended, so look again soon.
        int wait_ms = std::min(remaining_ms(next), fds[0] < 0 && fds[1] < 0 ? 20 : 60'000);
        pollfd polls[2];
        int count = 0;
        int which[2];
        for (int i = 0; i < 2; ++i) {
            if (fds[i] < 0) continue;
            polls[count] = {fds[i], POLLIN, 0};
            which[count++] = i;
        }
        int ready = ::poll(polls, static_cast<nfds_t>(count), wait_ms);
        if (ready < 0 && errno != EINTR) break;
        if (ready <= 0) continue;
        for (int k = 0; k < count; ++k) {
            if (!(polls[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char buf[65536];
            ssize_t n = ::read(fds[which[k]], buf, sizeof buf);
            if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            if (n <= 0) {
                close_fd(fds[which[k]]);
                continue;
            }
            std::string chunk(buf, static_cast<std::size_t>(n));
            sinks[which[k]]->append(chunk);
            if (on_output) on_output(chunk);
        }
    }
    close_fd(fds[0]);
    close_fd(fds[1]);
    if (!exited) {
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    if (outcome.timed_out) {
        // Whatever the leader did, its group may still hold children: make sure they are gone.
        ::killpg(pid, SIGKILL);
        outcome.exit_code = -1;
    } else {
        outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    return outcome;
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
