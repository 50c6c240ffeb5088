#include "net/http_client.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <string_view>
#include <sys/socket.h>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "net/tcp_connection.hpp"
#include "net/tls_handshake.hpp"
#include "x509/openssl_error.hpp"

namespace kubecert::net {
namespace {

using util::ErrorCode;
using util::make_error;

struct Url {
    bool tls = false;
    std::string host;        // without brackets
    std::string port;        // always set, the scheme's default when absent
    std::string host_header; // as sent in Host:
    std::string target;      // path and query, at least "/"
};

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), lower);
    return out;
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && to_lower(s.substr(0, prefix.size())) == prefix;
}

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_';
}

util::Error bad_url(const std::string& url, const std::string& why) {
    return make_error(ErrorCode::invalid, url + ": invalid URL: " + why);
}

// Accepts exactly what the request line and Host header can carry safely;
// everything else is refused before any network activity.
util::Result<Url> parse_url(const std::string& url) {
    for (unsigned char c : url)
        if (c <= 0x20 || c >= 0x7f) return bad_url(url, "spaces, control and non-ASCII characters are not allowed");
    Url u;
    std::string_view rest(url);
    if (starts_with_nocase(rest, "https://")) {
        u.tls = true;
        rest.remove_prefix(8);
    } else if (starts_with_nocase(rest, "http://")) {
        rest.remove_prefix(7);
    } else {
        return bad_url(url, "only http:// and https:// are supported");
    }
    std::size_t end = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, end);
    std::string_view target = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    // A fragment is never sent to the server.
    target = target.substr(0, target.find('#'));
    if (authority.find('@') != std::string_view::npos) return bad_url(url, "user information is not supported");

    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return bad_url(url, "unterminated [IPv6] address");
        u.host = std::string(authority.substr(1, close - 1));
        in6_addr unused;
        if (inet_pton(AF_INET6, u.host.c_str(), &unused) != 1) return bad_url(url, "not an IPv6 address: " + u.host);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty() && after.front() != ':') return bad_url(url, "unexpected text after the IPv6 address");
        if (!after.empty()) port = after.substr(1);
        if (after == ":") return bad_url(url, "empty port");
    } else {
        std::size_t colon = authority.find(':');
        u.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            port = authority.substr(colon + 1);
            if (port.empty()) return bad_url(url, "empty port");
        }
        if (!std::all_of(u.host.begin(), u.host.end(), is_name_char))
            return bad_url(url, "not a host name or IPv4 address: " + u.host);
    }
    if (u.host.empty()) return bad_url(url, "no host");
    const char* default_port = u.tls ? "443" : "80";
    if (port.empty()) {
        u.port = default_port;
    } else {
        if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos)
            return bad_url(url, "not a port number: " + std::string(port));
        int n = std::stoi(std::string(port));
        if (n < 1 || n > 65535) return bad_url(url, "port out of range: " + std::string(port));
        u.port = std::to_string(n);
    }
    u.host_header = u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host;
    if (u.port != default_port) u.host_header += ":" + u.port;
    u.target = target.empty() ? "/" : target.front() == '?' ? "/" + std::string(target) : std::string(target);
    return u;
}

// Verifies like a browser: the system trust store, then the name in the URL
// (or the IP address) against the certificate. Shared and read-only.
SSL_CTX* https_context() {
    static SSL_CTX* ctx = [] {
        SSL_CTX* c = SSL_CTX_new(TLS_client_method());
        if (!c) return c;
        SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
        SSL_CTX_set_verify(c, SSL_VERIFY_PEER, nullptr);
        if (SSL_CTX_set_default_verify_paths(c) != 1) {
            SSL_CTX_free(c);
            return static_cast<SSL_CTX*>(nullptr);
        }
        // A body read until close would otherwise always end in an error; the
        // framed bodies (length, chunked) still detect truncation themselves.
        SSL_CTX_set_options(c, SSL_OP_IGNORE_UNEXPECTED_EOF);
        return c;
    }();
    return ctx;
}

// One request's connection, plain or TLS, every read and write bounded by
// the request's deadline.
class Connection {
public:
    Connection(Socket sock, SslPtr ssl, std::string label, Clock::time_point deadline)
        : m_sock(std::move(sock)), m_ssl(std::move(ssl)), m_label(std::move(label)), m_deadline(deadline) {}

    util::Status write_all(std::string_view data) {
        while (!data.empty()) {
            auto n = write_some(data);
            if (!n.ok()) return n.error();
            data.remove_prefix(*n);
        }
        return util::ok_status();
    }

    // Reads what is available into `out`; 0 means the peer closed.
    util::Result<std::size_t> read_some(char* out, std::size_t size) {
        for (;;) {
            short want = POLLIN;
            if (m_ssl) {
                std::size_t got = 0;
                errno = 0;
                if (SSL_read_ex(m_ssl.get(), out, size, &got) == 1) return got;
                int err = SSL_get_error(m_ssl.get(), 0);
                if (err == SSL_ERROR_ZERO_RETURN) return std::size_t{0};
                if (err == SSL_ERROR_WANT_WRITE)
                    want = POLLOUT;
                else if (err != SSL_ERROR_WANT_READ)
                    return tls_failure(err, "reading the response");
            } else {
                ssize_t got = recv(m_sock.fd(), out, size, 0);
                if (got >= 0) return static_cast<std::size_t>(got);
                if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                    return io_failure("reading the response");
            }
            if (!wait_for(m_sock.fd(), want, m_deadline)) return timed_out("waiting for the response");
        }
    }

private:
    util::Result<std::size_t> write_some(std::string_view data) {
        for (;;) {
            short want = POLLOUT;
            if (m_ssl) {
                std::size_t put = 0;
                errno = 0;
                if (SSL_write_ex(m_ssl.get(), data.data(), data.size(), &put) == 1) return put;
                int err = SSL_get_error(m_ssl.get(), 0);
                if (err == SSL_ERROR_WANT_READ)
                    want = POLLIN;
                else if (err != SSL_ERROR_WANT_WRITE)
                    return tls_failure(err, "sending the request");
            } else {
                ssize_t put = send(m_sock.fd(), data.data(), data.size(), MSG_NOSIGNAL);
                if (put >= 0) return static_cast<std::size_t>(put);
                if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return io_failure("sending the request");
            }
            if (!wait_for(m_sock.fd(), want, m_deadline)) return timed_out("sending the request");
        }
    }

    util::Error timed_out(const char* doing) const {
        return make_error(ErrorCode::timeout, m_label + ": timed out " + doing);
    }

    util::Error io_failure(const char* doing) const {
        return make_error(ErrorCode::failed, m_label + ": failed " + doing + ": " + std::strerror(errno));
    }

    util::Error tls_failure(int err, const char* doing) const {
        std::string why = x509::take_openssl_error("");
        if (why.empty())
            why = err == SSL_ERROR_SYSCALL && errno != 0 ? std::strerror(errno) : "connection closed by peer";
        return make_error(ErrorCode::failed, m_label + ": failed " + doing + ": " + why);
    }

    Socket m_sock;
    SslPtr m_ssl;
    std::string m_label;
    Clock::time_point m_deadline;
};

// Connects and, for https, completes a verified TLS handshake.
util::Result<Connection> open_connection(const Url& u, const std::string& label, Clock::time_point deadline) {
    auto sock = connect_endpoint(Endpoint{u.host, u.port}, label, deadline);
    if (!sock.ok()) return sock.error();
    if (!u.tls) return Connection(std::move(*sock), nullptr, label, deadline);

    SSL_CTX* ctx = https_context();
    if (!ctx)
        return make_error(ErrorCode::failed, label + ": cannot create TLS context: " + x509::take_openssl_error());
    SslPtr ssl(SSL_new(ctx));
    if (!ssl || SSL_set_fd(ssl.get(), sock->fd()) != 1)
        return make_error(ErrorCode::failed, label + ": cannot set up TLS: " + x509::take_openssl_error());
    // SNI carries host names only (RFC 6066); an IP literal is checked
    // against the certificate's IP addresses instead of its DNS names.
    bool checked = is_ip_literal(u.host) ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), u.host.c_str()) == 1
                                         : SSL_set_tlsext_host_name(ssl.get(), u.host.c_str()) == 1 &&
                                               SSL_set1_host(ssl.get(), u.host.c_str()) == 1;
    if (!checked) return make_error(ErrorCode::failed, label + ": cannot set up TLS: " + x509::take_openssl_error());
    SSL_set_connect_state(ssl.get());
    auto shaken = tls_handshake(ssl.get(), sock->fd(), deadline, label);
    if (!shaken.ok()) return shaken.error();
    return Connection(std::move(*sock), std::move(ssl), label, deadline);
}

} // namespace

util::Result<HttpResponse> http_get(const std::string& url, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    auto u = parse_url(url);
    if (!u.ok()) return u.error();

    SigpipeGuard no_sigpipe; // a peer closing early must not kill us on write
    auto conn = open_connection(*u, url, deadline);
    if (!conn.ok()) return conn.error();
    std::string request = "GET " + u->target + " HTTP/1.1\r\nHost: " + u->host_header +
                          "\r\nUser-Agent: kubecert\r\nAccept: application/json\r\nConnection: close\r\n\r\n";
    auto sent = conn->write_all(request);
    if (!sent.ok()) return sent.error();
    auto response =
        read_http_response([&conn](char* out, std::size_t size) { return conn->read_some(out, size); }, url);
    x509::take_openssl_error(); // nothing of this request stays on the thread's queue
    return response;
}

} // namespace kubecert::net
