#include "net/tcp_connection.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <thread>
#include <time.h>
#include <unistd.h>
#include <utility>

namespace kubecert::net {

using util::ErrorCode;
using util::make_error;

util::Result<Endpoint> split_address(const std::string& address) {
    Endpoint ep;
    std::size_t colon = std::string::npos;
    if (!address.empty() && address.front() == '[') {
        std::size_t close = address.find(']');
        if (close == std::string::npos || close + 1 >= address.size() || address[close + 1] != ':')
            return make_error(ErrorCode::invalid, address + ": not a host:port address");
        ep.host = address.substr(1, close - 1);
        colon = close + 1;
    } else {
        colon = address.rfind(':');
        if (colon == std::string::npos || address.find(':') != colon)
            return make_error(ErrorCode::invalid, address + ": not a host:port address");
        ep.host = address.substr(0, colon);
    }
    ep.port = address.substr(colon + 1);
    if (ep.host.empty() || ep.port.empty() || ep.port.find_first_not_of("0123456789") != std::string::npos)
        return make_error(ErrorCode::invalid, address + ": not a host:port address");
    return ep;
}

bool is_ip_literal(const std::string& host) {
    in6_addr buf;
    return inet_pton(AF_INET, host.c_str(), &buf) == 1 || inet_pton(AF_INET6, host.c_str(), &buf) == 1;
}

util::Result<AddrInfoPtr> resolve(const Endpoint& ep, const std::string& label, Clock::time_point deadline) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    // Literals need no lookup, hence no thread.
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    if (getaddrinfo(ep.host.c_str(), ep.port.c_str(), &hints, &found) == 0) return AddrInfoPtr(found);

    struct Lookup {
        std::mutex mutex;
        std::condition_variable done_cv;
        bool done = false;
        int rc = 0;
        addrinfo* result = nullptr;
        ~Lookup() {
            if (result) freeaddrinfo(result);
        }
    };
    auto lookup = std::make_shared<Lookup>();
    hints.ai_flags = AI_NUMERICSERV;
    std::thread([lookup, host = ep.host, port = ep.port, hints] {
        addrinfo* res = nullptr;
        int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
        std::lock_guard lock(lookup->mutex);
        lookup->rc = rc;
        lookup->result = res;
        lookup->done = true;
        lookup->done_cv.notify_all();
    }).detach();
    std::unique_lock lock(lookup->mutex);
    if (!lookup->done_cv.wait_until(lock, deadline, [&] { return lookup->done; }))
        return make_error(ErrorCode::timeout, label + ": timed out resolving " + ep.host);
    if (lookup->rc != 0)
        return make_error(ErrorCode::unreachable,
                          label + ": cannot resolve " + ep.host + ": " + gai_strerror(lookup->rc));
    return AddrInfoPtr(std::exchange(lookup->result, nullptr));
}

Socket::~Socket() {
    if (m_fd >= 0) close(m_fd);
}

Socket::Socket(Socket&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}

Socket& Socket::operator=(Socket&& other) noexcept {
    std::swap(m_fd, other.m_fd);
    return *this;
}

int remaining_ms(Clock::time_point deadline) {
    // Rounded up: poll(0) would spin through the last fraction of a millisecond.
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
}

bool wait_for(int fd, short events, Clock::time_point deadline) {
    for (;;) {
        pollfd p{fd, events, 0};
        int rc = poll(&p, 1, remaining_ms(deadline));
        if (rc > 0) return true;
        if (rc == 0) return false;
        if (errno != EINTR) return true;
    }
}

namespace {

bool is_unreachable_errno(int err) {
    return err == ECONNREFUSED || err == EHOSTUNREACH || err == ENETUNREACH || err == ECONNRESET ||
           err == EADDRNOTAVAIL || err == ENETDOWN || err == EHOSTDOWN;
}

} // namespace

util::Result<Socket> connect_any(const addrinfo* list, const std::string& label, Clock::time_point deadline) {
    util::Error last = make_error(ErrorCode::unreachable, label + ": unreachable: no address");
    for (const addrinfo* ai = list; ai; ai = ai->ai_next) {
        Socket sock(socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol));
        if (sock.fd() < 0) {
            last = make_error(ErrorCode::unreachable, label + ": unreachable: " + std::strerror(errno));
            continue;
        }
        int err = 0;
        if (connect(sock.fd(), ai->ai_addr, ai->ai_addrlen) != 0) {
            if (errno != EINPROGRESS) {
                err = errno;
            } else if (!wait_for(sock.fd(), POLLOUT, deadline)) {
                return make_error(ErrorCode::timeout, label + ": timed out connecting");
            } else {
                socklen_t len = sizeof err;
                getsockopt(sock.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
            }
        }
        if (err == 0) return sock;
        if (is_unreachable_errno(err))
            last = make_error(ErrorCode::unreachable, label + ": unreachable: " + std::strerror(err));
        else
            last = make_error(ErrorCode::failed, label + ": connect failed: " + std::strerror(err));
    }
    return last;
}

util::Result<Socket> connect_endpoint(const Endpoint& ep, const std::string& label, Clock::time_point deadline) {
    auto addrs = resolve(ep, label, deadline);
    if (!addrs.ok()) return addrs.error();
    return connect_any(addrs->get(), label, deadline);
}

SigpipeGuard::SigpipeGuard() {
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    m_was_pending = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_set, &m_old);
}

SigpipeGuard::~SigpipeGuard() {
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    // Only a SIGPIPE raised while guarded is consumed; one pending before stays.
    if (!m_was_pending) {
        timespec zero{0, 0};
        while (sigtimedwait(&pipe_set, nullptr, &zero) > 0) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &m_old, nullptr);
}

} // namespace kubecert::net
