#include "servers.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <mutex>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace kubecert::test {
namespace {

using Clock = std::chrono::steady_clock;

sockaddr_in loopback(int port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
}

// Whether something accepts TCP connections on 127.0.0.1:`port` right now.
bool accepts(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in addr = loopback(port);
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    return ok;
}

const char* reason_phrase(int status) {
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}

} // namespace

int listen_on_loopback(int backlog, int* port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr = loopback(0);
    socklen_t len = sizeof addr;
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, backlog) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        std::string why = std::strerror(errno);
        if (fd >= 0) close(fd);
        throw std::runtime_error("cannot listen on 127.0.0.1: " + why);
    }
    *port = ntohs(addr.sin_port);
    return fd;
}

int free_port() {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(std::string("free_port: socket: ") + std::strerror(errno));
    sockaddr_in addr = loopback(0);
    socklen_t len = sizeof addr;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        int err = errno;
        close(fd);
        throw std::runtime_error(std::string("free_port: ") + std::strerror(err));
    }
    close(fd);
    return ntohs(addr.sin_port);
}

// ---- TlsServer ---------------------------------------------------------

TlsServer::TlsServer(const std::string& cert_file, const std::string& key_file) {
    start(cert_file, key_file);
}

TlsServer::TlsServer(const std::string& cert_file, const std::string& key_file, std::vector<std::string> extra_args)
    : m_extra(std::move(extra_args)) {
    start(cert_file, key_file);
}

TlsServer::~TlsServer() {
    stop();
}

std::string TlsServer::address() const {
    return "127.0.0.1:" + std::to_string(m_port);
}

void TlsServer::restart(const std::string& cert_file, const std::string& key_file) {
    stop();
    start(cert_file, key_file);
}

namespace {

// Runs forks on one thread that lives as long as the process. Why:
// PR_SET_PDEATHSIG fires when the forking *thread* ends, so a server
// (re)started from a short-lived test thread would die with that thread.
class Spawner {
public:
    static Spawner& instance() {
        static Spawner* spawner = new Spawner(); // never destroyed: its thread outlives main
        return *spawner;
    }
    // Runs `fork_child` on the spawner thread; its result (a pid, or -errno).
    int run(const std::function<int()>& fork_child) {
        std::unique_lock lock(m_mutex);
        m_cv.wait(lock, [&] { return m_job == nullptr; });
        m_job = &fork_child;
        m_done = false;
        m_cv.notify_all();
        m_cv.wait(lock, [&] { return m_done; });
        m_job = nullptr;
        m_cv.notify_all();
        return m_result;
    }

private:
    Spawner() {
        std::thread([this] { loop(); }).detach();
    }
    void loop() {
        std::unique_lock lock(m_mutex);
        for (;;) {
            m_cv.wait(lock, [&] { return m_job != nullptr && !m_done; });
            m_result = (*m_job)();
            m_done = true;
            m_cv.notify_all();
        }
    }
    std::mutex m_mutex;
    std::condition_variable m_cv;
    const std::function<int()>* m_job = nullptr;
    bool m_done = false;
    int m_result = -1;
};

} // namespace

void TlsServer::start(const std::string& cert_file, const std::string& key_file) {
    if (m_port == 0) m_port = free_port();
    std::string accept = "127.0.0.1:" + std::to_string(m_port);
    std::vector<std::string> args = {"openssl", "s_server", "-accept", accept,  "-cert",
                                     cert_file, "-key",     key_file,  "-quiet"};
    args.insert(args.end(), m_extra.begin(), m_extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int pid = Spawner::instance().run([&]() -> int {
        pid_t child = fork();
        if (child < 0) return -errno;
        if (child > 0) return child;
        // Own process group so stop() kills exactly this server; dies with the test process.
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        // s_server reads commands from stdin and misbehaves at EOF: give it a
        // pipe whose write end it holds itself, so stdin never ends.
        int fds[2];
        if (pipe(fds) == 0) dup2(fds[0], STDIN_FILENO);
        int null_fd = open("/dev/null", O_WRONLY);
        if (null_fd >= 0) {
            dup2(null_fd, STDOUT_FILENO);
            dup2(null_fd, STDERR_FILENO);
        }
        execvp("openssl", argv.data());
        _exit(127);
    });
    if (pid < 0) throw std::runtime_error(std::string("TlsServer: fork: ") + std::strerror(-pid));
    m_pid = pid;
    auto deadline = Clock::now() + std::chrono::seconds(10);
    while (Clock::now() < deadline) {
        int status = 0;
        if (waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1;
            throw std::runtime_error("TlsServer: openssl s_server exited before listening on " + accept +
                                     " (bad cert/key files or port taken)");
        }
        if (accepts(m_port)) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    stop();
    throw std::runtime_error("TlsServer: openssl s_server did not listen on " + accept + " within 10 s");
}

void TlsServer::stop() {
    if (m_pid <= 0) return;
    kill(-m_pid, SIGTERM);
    auto deadline = Clock::now() + std::chrono::seconds(3);
    int status = 0;
    while (waitpid(m_pid, &status, WNOHANG) == 0) {
        if (Clock::now() >= deadline) {
            kill(-m_pid, SIGKILL);
            waitpid(m_pid, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    m_pid = -1;
}

// ---- HttpServer --------------------------------------------------------

struct HttpServer::Impl {
    int status = 200;
    std::string body;
    bool hang = false;
    int listen_fd = -1;
    int port = 0;
    int wake[2] = {-1, -1}; // written by the destructor so the loop stops at once
    std::thread thread;
    mutable std::mutex mutex;
    std::vector<std::string> paths;
    std::vector<int> held; // connections a hanging server keeps open

    bool stopping() const {
        pollfd p{wake[0], POLLIN, 0};
        return poll(&p, 1, 0) > 0;
    }

    // Reads the request head (bounded), returns its path ("" if none).
    std::string read_request_path(int fd) {
        std::string head;
        auto deadline = Clock::now() + std::chrono::seconds(5);
        char buf[4096];
        while (head.find("\r\n\r\n") == std::string::npos && head.size() < 65536) {
            int left = static_cast<int>(
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
            if (left <= 0) break;
            pollfd p[2] = {{fd, POLLIN, 0}, {wake[0], POLLIN, 0}};
            if (poll(p, 2, left) <= 0 || (p[1].revents & POLLIN)) break;
            ssize_t n = recv(fd, buf, sizeof buf, 0);
            if (n <= 0) break;
            head.append(buf, static_cast<std::size_t>(n));
        }
        std::size_t sp1 = head.find(' ');
        if (sp1 == std::string::npos) return {};
        std::size_t sp2 = head.find(' ', sp1 + 1);
        return head.substr(sp1 + 1, sp2 == std::string::npos ? std::string::npos : sp2 - sp1 - 1);
    }

    void serve(int fd) {
        std::string path = read_request_path(fd);
        {
            std::lock_guard lock(mutex);
            paths.push_back(path);
        }
        if (hang) {
            held.push_back(fd);
            return;
        }
        std::string response = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) +
                               "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                               "\r\nConnection: close\r\n\r\n" + body;
        std::size_t sent = 0;
        while (sent < response.size()) {
            ssize_t n = send(fd, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) break;
            sent += static_cast<std::size_t>(n);
        }
        shutdown(fd, SHUT_WR);
        close(fd);
    }

    void loop() {
        for (;;) {
            pollfd p[2] = {{listen_fd, POLLIN, 0}, {wake[0], POLLIN, 0}};
            if (poll(p, 2, -1) < 0) {
                if (errno == EINTR) continue;
                return;
            }
            if (p[1].revents & POLLIN) return;
            if (!(p[0].revents & POLLIN)) continue;
            int fd = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) continue;
            serve(fd);
            if (stopping()) return;
        }
    }
};

HttpServer::HttpServer(int status, std::string body, bool hang) : m_impl(std::make_unique<Impl>()) {
    m_impl->status = status;
    m_impl->body = std::move(body);
    m_impl->hang = hang;
    if (pipe2(m_impl->wake, O_CLOEXEC) != 0) throw std::runtime_error("HttpServer: pipe failed");
    try {
        m_impl->listen_fd = listen_on_loopback(16, &m_impl->port);
    } catch (const std::exception& e) {
        close(m_impl->wake[0]);
        close(m_impl->wake[1]);
        throw std::runtime_error(std::string("HttpServer: ") + e.what());
    }
    m_impl->thread = std::thread([impl = m_impl.get()] { impl->loop(); });
}

HttpServer::~HttpServer() {
    char byte = 1;
    [[maybe_unused]] ssize_t n = write(m_impl->wake[1], &byte, 1);
    if (m_impl->thread.joinable()) m_impl->thread.join();
    for (int fd : m_impl->held) close(fd);
    close(m_impl->listen_fd);
    close(m_impl->wake[0]);
    close(m_impl->wake[1]);
}

int HttpServer::port() const {
    return m_impl->port;
}

std::string HttpServer::url() const {
    return "http://127.0.0.1:" + std::to_string(m_impl->port);
}

std::vector<std::string> HttpServer::request_paths() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->paths;
}

} // namespace kubecert::test

namespace kubecert::test {

RawHttpServer::RawHttpServer(std::vector<std::string> parts) {
    m_fd = listen_on_loopback(1, &m_port);
    m_thread = std::thread([this, parts = std::move(parts)] { serve(parts); });
}

RawHttpServer::~RawHttpServer() {
    if (m_thread.joinable()) m_thread.join();
    close(m_fd);
}

std::string RawHttpServer::request() {
    if (m_thread.joinable()) m_thread.join();
    return m_request;
}

void RawHttpServer::serve(const std::vector<std::string>& parts) {
    pollfd p{m_fd, POLLIN, 0};
    if (poll(&p, 1, 5000) != 1) return;
    int client = accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) return;
    char buf[4096];
    while (m_request.find("\r\n\r\n") == std::string::npos) {
        pollfd c{client, POLLIN, 0};
        if (poll(&c, 1, 5000) != 1) break;
        ssize_t n = recv(client, buf, sizeof buf, 0);
        if (n <= 0) break;
        m_request.append(buf, static_cast<std::size_t>(n));
    }
    for (const std::string& part : parts) {
        [[maybe_unused]] ssize_t n = send(client, part.data(), part.size(), MSG_NOSIGNAL);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    close(client);
}

} // namespace kubecert::test
