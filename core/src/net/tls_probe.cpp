#include "net/tls_probe.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <mutex>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <thread>
#include <time.h>
#include <unistd.h>
#include <utility>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace kubecert::net {
namespace {

using util::ErrorCode;
using util::make_error;
using Clock = std::chrono::steady_clock;

struct Endpoint {
    std::string host;
    std::string port;
};

// Splits "host:port" and "[v6]:port".
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

struct AddrInfoFree {
    void operator()(addrinfo* p) const { freeaddrinfo(p); }
};
using AddrInfoPtr = std::unique_ptr<addrinfo, AddrInfoFree>;

// getaddrinfo cannot be cancelled, so a slow name lookup runs on a detached
// thread and is abandoned (not waited for) when it outlives `timeout`.
util::Result<AddrInfoPtr> resolve(const Endpoint& ep, const std::string& address, std::chrono::milliseconds timeout) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
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
    if (!lookup->done_cv.wait_for(lock, timeout, [&] { return lookup->done; }))
        return make_error(ErrorCode::timeout, address + ": timed out resolving " + ep.host);
    if (lookup->rc != 0)
        return make_error(ErrorCode::unreachable,
                          address + ": cannot resolve " + ep.host + ": " + gai_strerror(lookup->rc));
    return AddrInfoPtr(std::exchange(lookup->result, nullptr));
}

class Socket {
public:
    explicit Socket(int fd = -1) : m_fd(fd) {}
    ~Socket() {
        if (m_fd >= 0) close(m_fd);
    }
    Socket(Socket&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
    Socket& operator=(Socket&& other) noexcept {
        std::swap(m_fd, other.m_fd);
        return *this;
    }
    int fd() const { return m_fd; }

private:
    int m_fd;
};

int remaining_ms(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
}

// Waits for `events` on `fd` until `deadline`; false on timeout.
bool wait_for(int fd, short events, Clock::time_point deadline) {
    for (;;) {
        pollfd p{fd, events, 0};
        int rc = poll(&p, 1, remaining_ms(deadline));
        if (rc > 0) return true;
        if (rc == 0) return false;
        if (errno != EINTR) return true; // let the next call report the real error
    }
}

bool is_unreachable_errno(int err) {
    return err == ECONNREFUSED || err == EHOSTUNREACH || err == ENETUNREACH || err == ECONNRESET ||
           err == EADDRNOTAVAIL || err == ENETDOWN || err == EHOSTDOWN;
}

// Non-blocking connect to the first address that answers before `timeout`.
util::Result<Socket> connect_any(const addrinfo* list, const std::string& address, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    util::Error last = make_error(ErrorCode::unreachable, address + ": unreachable: no address");
    for (const addrinfo* ai = list; ai; ai = ai->ai_next) {
        Socket sock(socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol));
        if (sock.fd() < 0) {
            last = make_error(ErrorCode::unreachable, address + ": unreachable: " + std::strerror(errno));
            continue;
        }
        int err = 0;
        if (connect(sock.fd(), ai->ai_addr, ai->ai_addrlen) != 0) {
            if (errno != EINPROGRESS) {
                err = errno;
            } else if (!wait_for(sock.fd(), POLLOUT, deadline)) {
                return make_error(ErrorCode::timeout,
                                  address + ": timed out connecting after " + std::to_string(timeout.count()) + " ms");
            } else {
                socklen_t len = sizeof err;
                getsockopt(sock.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
            }
        }
        if (err == 0) return sock;
        ErrorCode code = is_unreachable_errno(err) ? ErrorCode::unreachable : ErrorCode::failed;
        last = make_error(code, address + ": unreachable: " + std::strerror(err));
        if (code == ErrorCode::failed) last.message = address + ": connect failed: " + std::strerror(err);
    }
    return last;
}

// The TLS context is shared and read-only after creation: no verification,
// because the probe reports what is served, whoever signed it.
SSL_CTX* probe_context() {
    static SSL_CTX* ctx = [] {
        SSL_CTX* c = SSL_CTX_new(TLS_client_method());
        if (c) SSL_CTX_set_verify(c, SSL_VERIFY_NONE, nullptr);
        return c;
    }();
    return ctx;
}

std::string take_openssl_error() {
    unsigned long last = 0;
    while (unsigned long e = ERR_get_error())
        last = e;
    if (last == 0) return {};
    char buf[256];
    ERR_error_string_n(last, buf, sizeof buf);
    return buf;
}

// A peer that hangs up mid-handshake makes OpenSSL write to a closed socket;
// SIGPIPE is held for this thread and a pending one consumed, so the
// process is never killed and other threads keep their disposition.
class SigpipeGuard {
public:
    SigpipeGuard() {
        sigset_t pipe_set;
        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        sigset_t pending;
        sigpending(&pending);
        m_was_pending = sigismember(&pending, SIGPIPE) == 1;
        pthread_sigmask(SIG_BLOCK, &pipe_set, &m_old);
    }
    ~SigpipeGuard() {
        sigset_t pipe_set;
        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        if (!m_was_pending) {
            timespec zero{0, 0};
            while (sigtimedwait(&pipe_set, nullptr, &zero) > 0) {
            }
        }
        pthread_sigmask(SIG_SETMASK, &m_old, nullptr);
    }

private:
    sigset_t m_old;
    bool m_was_pending = false;
};

struct SslFree {
    void operator()(SSL* p) const { SSL_free(p); }
};

bool is_ip_literal(const std::string& host) {
    in6_addr buf;
    return inet_pton(AF_INET, host.c_str(), &buf) == 1 || inet_pton(AF_INET6, host.c_str(), &buf) == 1;
}

} // namespace

util::Result<x509::CertDetails> fetch_served_certificate(const std::string& address,
                                                         std::chrono::milliseconds timeout) {
    auto ep = split_address(address);
    if (!ep.ok()) return ep.error();
    auto addrs = resolve(*ep, address, timeout);
    if (!addrs.ok()) return addrs.error();
    auto sock = connect_any(addrs->get(), address, timeout);
    if (!sock.ok()) return sock.error();

    SSL_CTX* ctx = probe_context();
    if (!ctx) return make_error(ErrorCode::failed, address + ": cannot create TLS context: " + take_openssl_error());
    std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx));
    if (!ssl || SSL_set_fd(ssl.get(), sock->fd()) != 1)
        return make_error(ErrorCode::failed, address + ": cannot set up TLS: " + take_openssl_error());
    // SNI carries host names only (RFC 6066); servers reject an IP there.
    if (!is_ip_literal(ep->host)) SSL_set_tlsext_host_name(ssl.get(), ep->host.c_str());
    SSL_set_connect_state(ssl.get());

    SigpipeGuard no_sigpipe;
    ERR_clear_error();
    auto deadline = Clock::now() + timeout;
    for (;;) {
        errno = 0;
        int rc = SSL_do_handshake(ssl.get());
        if (rc == 1) break;
        int err = SSL_get_error(ssl.get(), rc);
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
            if (!wait_for(sock->fd(), err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) {
                ERR_clear_error();
                return make_error(ErrorCode::timeout, address + ": timed out in the TLS handshake after " +
                                                          std::to_string(timeout.count()) + " ms");
            }
            continue;
        }
        std::string why = take_openssl_error();
        if (why.empty())
            why = errno != 0 && err == SSL_ERROR_SYSCALL ? std::strerror(errno) : "connection closed by peer";
        return make_error(ErrorCode::failed, address + ": TLS handshake failed: " + why);
    }

    X509* peer = SSL_get0_peer_certificate(ssl.get());
    if (!peer) return make_error(ErrorCode::failed, address + ": the server sent no certificate");
    unsigned char* der = nullptr;
    int len = i2d_X509(peer, &der);
    if (len <= 0) return make_error(ErrorCode::failed, address + ": cannot encode the served certificate");
    auto details =
        x509::parse_certificate(std::string_view(reinterpret_cast<char*>(der), static_cast<std::size_t>(len)), address);
    OPENSSL_free(der);
    SSL_shutdown(ssl.get()); // best effort close_notify; the socket is closed either way
    ERR_clear_error();
    return details;
}

} // namespace kubecert::net
