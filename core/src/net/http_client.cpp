#include "net/http_client.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <string_view>
#include <sys/socket.h>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "net/tcp_connection.hpp"
#include "net/tls_handshake.hpp"

namespace kubecert::net {
namespace {

using util::ErrorCode;
using util::make_error;

constexpr std::size_t k_max_body = 16u * 1024u * 1024u;
// Far above what an API server sends; bounds memory against a peer that
// streams one endless header or chunk-size line.
constexpr std::size_t k_max_line = 64u * 1024u;
constexpr std::size_t k_max_header_bytes = 256u * 1024u;

struct Url {
    bool tls = false;
    std::string host;        // without brackets
    std::string port;        // always set, the scheme's default when absent
    std::string host_header; // as sent in Host:
    std::string target;      // path and query, at least "/"
};

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

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
                if (err == SSL_ERROR_WANT_WRITE) want = POLLOUT;
                else if (err != SSL_ERROR_WANT_READ) return tls_failure(err, "reading the response");
            } else {
                ssize_t got = recv(m_sock.fd(), out, size, 0);
                if (got >= 0) return static_cast<std::size_t>(got);
                if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return io_failure("reading the response");
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
                if (err == SSL_ERROR_WANT_READ) want = POLLIN;
                else if (err != SSL_ERROR_WANT_WRITE) return tls_failure(err, "sending the request");
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
        std::string why = take_openssl_error();
        if (why.empty())
            why = err == SSL_ERROR_SYSCALL && errno != 0 ? std::strerror(errno) : "connection closed by peer";
        return make_error(ErrorCode::failed, m_label + ": failed " + doing + ": " + why);
    }

    Socket m_sock;
    SslPtr m_ssl;
    std::string m_label;
    Clock::time_point m_deadline;
};

// Buffers the response so that the parser can ask for lines and byte counts.
class Reader {
public:
    Reader(Connection& conn, const std::string& label) : m_conn(conn), m_label(label) {}

    // One line without its line ending (CRLF or a lone LF); an error when the
    // peer closes first or the line is longer than k_max_line.
    util::Result<std::string> line() {
        for (;;) {
            std::size_t nl = m_buf.find('\n', m_pos);
            if (nl != std::string::npos) {
                std::string out = m_buf.substr(m_pos, nl - m_pos);
                m_pos = nl + 1;
                if (!out.empty() && out.back() == '\r') out.pop_back();
                return out;
            }
            if (m_buf.size() - m_pos > k_max_line) return malformed("a line longer than 64 KiB");
            auto n = fill();
            if (!n.ok()) return n.error();
            if (*n == 0) return malformed("the connection closed in the middle of the headers");
        }
    }

    // Appends exactly `count` bytes to `out`.
    util::Status take(std::size_t count, std::string& out) {
        while (m_buf.size() - m_pos < count) {
            auto n = fill();
            if (!n.ok()) return n.error();
            if (*n == 0) return malformed("the connection closed before the end of the body");
        }
        out.append(m_buf, m_pos, count);
        m_pos += count;
        return util::ok_status();
    }

    // Appends everything up to the peer's close, at most k_max_body in all.
    util::Status take_until_close(std::string& out) {
        for (;;) {
            out.append(m_buf, m_pos);
            m_buf.clear();
            m_pos = 0;
            if (out.size() > k_max_body) return too_large();
            auto n = fill();
            if (!n.ok()) return n.error();
            if (*n == 0) return util::ok_status();
        }
    }

    util::Error malformed(const std::string& why) const {
        // A peer that answered, badly: not "unreachable" (ErrorCode::parse reaches plugins as KUBECERT_ERR_PARSE).
        return make_error(ErrorCode::parse, m_label + ": malformed HTTP response: " + why);
    }

    util::Error too_large() const {
        return make_error(ErrorCode::parse, m_label + ": oversized HTTP response: body larger than 16 MiB");
    }

private:
    util::Result<std::size_t> fill() {
        if (m_pos > 0 && m_pos == m_buf.size()) {
            m_buf.clear();
            m_pos = 0;
        }
        char chunk[16384];
        auto n = m_conn.read_some(chunk, sizeof chunk);
        if (n.ok()) m_buf.append(chunk, *n);
        return n;
    }

    Connection& m_conn;
    const std::string& m_label;
    std::string m_buf;
    std::size_t m_pos = 0;
};

struct Head {
    int status = 0;
    std::optional<std::size_t> content_length;
    bool chunked = false;
    bool has_transfer_encoding = false;
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

// "HTTP/1.x NNN reason"; the reason phrase may be empty or absent.
std::optional<int> parse_status_line(std::string_view line) {
    if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || line[7] < '0' || line[7] > '9' || line[8] != ' ')
        return std::nullopt;
    std::string_view code = line.substr(9, 3);
    if (!std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }) || code[0] == '0')
        return std::nullopt;
    if (line.size() > 12 && line[12] != ' ') return std::nullopt;
    return (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
}

util::Result<Head> read_head(Reader& in) {
    Head head;
    // Interim 1xx answers (103 Early Hints) precede the real one.
    for (;;) {
        auto status_line = in.line();
        if (!status_line.ok()) return status_line.error();
        auto status = parse_status_line(*status_line);
        if (!status)
            return in.malformed("bad status line \"" + status_line->substr(0, 80) + "\"");
        head = Head{};
        head.status = *status;
        std::size_t header_bytes = 0;
        for (;;) {
            auto line = in.line();
            if (!line.ok()) return line.error();
            if (line->empty()) break;
            header_bytes += line->size();
            if (header_bytes > k_max_header_bytes) return in.malformed("headers larger than 256 KiB");
            std::size_t colon = line->find(':');
            if (colon == 0 || colon == std::string::npos || line->find_first_of(" \t") < colon)
                return in.malformed("bad header line \"" + line->substr(0, 80) + "\"");
            std::string name = to_lower(std::string_view(*line).substr(0, colon));
            std::string_view value = trim(std::string_view(*line).substr(colon + 1));
            if (name == "content-length") {
                if (value.empty() || value.size() > 12 || value.find_first_not_of("0123456789") != std::string_view::npos)
                    return in.malformed("bad Content-Length \"" + std::string(value) + "\"");
                std::size_t n = std::stoull(std::string(value));
                if (head.content_length && *head.content_length != n)
                    return in.malformed("conflicting Content-Length headers");
                head.content_length = n;
            } else if (name == "transfer-encoding") {
                // Only the last coding says how the message ends (RFC 9112 6.1).
                std::string codings = to_lower(value);
                std::size_t comma = codings.rfind(',');
                head.has_transfer_encoding = true;
                head.chunked = trim(comma == std::string::npos ? codings : std::string_view(codings).substr(comma + 1)) ==
                               "chunked";
            }
        }
        if (head.status >= 200 || head.status == 101) return head;
    }
}

util::Status read_chunked(Reader& in, std::string& body) {
    for (;;) {
        auto size_line = in.line();
        if (!size_line.ok()) return size_line.error();
        std::string_view hex = trim(std::string_view(*size_line).substr(0, size_line->find(';')));
        if (hex.empty() || hex.size() > 8 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos)
            return in.malformed("bad chunk size \"" + size_line->substr(0, 80) + "\"");
        std::size_t size = std::stoul(std::string(hex), nullptr, 16);
        if (size == 0) break;
        if (body.size() + size > k_max_body) return in.too_large();
        auto data = in.take(size, body);
        if (!data.ok()) return data;
        auto end = in.line();
        if (!end.ok()) return end.error();
        if (!end->empty()) return in.malformed("chunk longer than its size");
    }
    // Trailer fields are read and ignored, up to the empty line.
    for (;;) {
        auto trailer = in.line();
        if (!trailer.ok()) return trailer.error();
        if (trailer->empty()) return util::ok_status();
    }
}

util::Result<HttpResponse> read_response(Reader& in) {
    auto head = read_head(in);
    if (!head.ok()) return head.error();
    HttpResponse response{head->status, {}};
    if (head->status == 204 || head->status == 304 || head->status == 101) return response;
    if (head->has_transfer_encoding) {
        util::Status done = head->chunked ? read_chunked(in, response.body) : in.take_until_close(response.body);
        if (!done.ok()) return done.error();
    } else if (head->content_length) {
        if (*head->content_length > k_max_body) return in.too_large();
        auto done = in.take(*head->content_length, response.body);
        if (!done.ok()) return done.error();
    } else {
        auto done = in.take_until_close(response.body);
        if (!done.ok()) return done.error();
    }
    return response;
}

// Connects and, for https, completes a verified TLS handshake.
util::Result<Connection> open_connection(const Url& u, const std::string& label, Clock::time_point deadline) {
    auto sock = connect_endpoint(Endpoint{u.host, u.port}, label, deadline);
    if (!sock.ok()) return sock.error();
    if (!u.tls) return Connection(std::move(*sock), nullptr, label, deadline);

    SSL_CTX* ctx = https_context();
    if (!ctx) return make_error(ErrorCode::failed, label + ": cannot create TLS context: " + take_openssl_error());
    SslPtr ssl(SSL_new(ctx));
    if (!ssl || SSL_set_fd(ssl.get(), sock->fd()) != 1)
        return make_error(ErrorCode::failed, label + ": cannot set up TLS: " + take_openssl_error());
    // SNI carries host names only (RFC 6066); an IP literal is checked
    // against the certificate's IP addresses instead of its DNS names.
    bool checked = is_ip_literal(u.host)
                       ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), u.host.c_str()) == 1
                       : SSL_set_tlsext_host_name(ssl.get(), u.host.c_str()) == 1 &&
                             SSL_set1_host(ssl.get(), u.host.c_str()) == 1;
    if (!checked) return make_error(ErrorCode::failed, label + ": cannot set up TLS: " + take_openssl_error());
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
    Reader in(*conn, url);
    auto response = read_response(in);
    take_openssl_error(); // nothing of this request stays on the thread's queue
    return response;
}

} // namespace kubecert::net
