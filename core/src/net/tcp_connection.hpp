#pragma once

#include <chrono>
#include <csignal>
#include <memory>
#include <string>

#include <netdb.h>

#include "util/result.hpp"

// The TCP plumbing shared by the TLS probe and the HTTP client: both must
// bound every blocking step by a deadline, which the BSD socket calls do not
// do on their own. `label` arguments name the endpoint in error messages.
namespace kubecert::net {

using Clock = std::chrono::steady_clock;

struct Endpoint {
    std::string host; // without brackets for IPv6
    std::string port; // decimal digits
};

// Splits "host:port" and "[v6]:port"; anything else is invalid.
util::Result<Endpoint> split_address(const std::string& address);

// True when `host` is an IPv4 or IPv6 address literal rather than a name
// (SNI and certificate name checks treat the two differently).
bool is_ip_literal(const std::string& host);

struct AddrInfoFree {
    void operator()(addrinfo* p) const { freeaddrinfo(p); }
};
using AddrInfoPtr = std::unique_ptr<addrinfo, AddrInfoFree>;

// Resolves `ep` for a stream socket before `deadline`. getaddrinfo cannot be
// cancelled, so a name lookup runs on a detached thread that is abandoned
// (not waited for) when it outlives the deadline. Errors: timeout,
// unreachable (the name does not resolve).
util::Result<AddrInfoPtr> resolve(const Endpoint& ep, const std::string& label, Clock::time_point deadline);

// Owns a file descriptor and closes it once.
class Socket {
public:
    explicit Socket(int fd = -1) : m_fd(fd) {}
    ~Socket();
    Socket(Socket&& other) noexcept;
    Socket& operator=(Socket&& other) noexcept;
    int fd() const { return m_fd; }

private:
    int m_fd;
};

// Milliseconds left until `deadline` for poll(), never negative.
int remaining_ms(Clock::time_point deadline);

// Waits for `events` on `fd` until `deadline`; false on timeout. An error
// condition counts as ready so that the next call reports the real error.
bool wait_for(int fd, short events, Clock::time_point deadline);

// Connects (non-blocking, the socket stays non-blocking) to the first
// address of `list` that accepts before `deadline`. Errors: timeout,
// unreachable (refused, no route), failed (any other socket error).
util::Result<Socket> connect_any(const addrinfo* list, const std::string& label, Clock::time_point deadline);

// Resolves then connects, both before `deadline`.
util::Result<Socket> connect_endpoint(const Endpoint& ep, const std::string& label, Clock::time_point deadline);

// While alive, SIGPIPE is held for this thread and a pending one consumed
// on exit: a peer that hangs up makes OpenSSL write to a closed socket, and
// that must neither kill the process nor change other threads' disposition.
class SigpipeGuard {
public:
    SigpipeGuard();
    ~SigpipeGuard();
    SigpipeGuard(const SigpipeGuard&) = delete;
    SigpipeGuard& operator=(const SigpipeGuard&) = delete;

private:
    sigset_t m_old;
    bool m_was_pending = false;
};

} // namespace kubecert::net
