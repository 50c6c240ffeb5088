// HttpsServer (servers.hpp): a small HTTPS/1.1 server over OpenSSL that
// requires or asks for client certificates, for the Kubernetes API clients.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "servers.hpp"

namespace kubecert::test {

namespace {

std::string openssl_reason() {
    const unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (e == 0) return "unknown";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
}

// Every certificate of a PEM text.
std::vector<X509*> read_certs(const std::string& pem) {
    std::vector<X509*> out;
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    while (X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) out.push_back(x);
    ERR_clear_error();
    BIO_free(bio);
    return out;
}

SSL_CTX* make_context(const KeyPair& server, const std::string& client_ca_pem, ClientCertificates mode) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    auto certs = read_certs(server.cert_pem);
    BIO* key_bio = BIO_new_mem_buf(server.key_pem.data(), static_cast<int>(server.key_pem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
    BIO_free(key_bio);
    if (!ctx || certs.empty() || !key || SSL_CTX_use_certificate(ctx, certs[0]) != 1 ||
        SSL_CTX_use_PrivateKey(ctx, key) != 1)
        throw std::runtime_error("HttpsServer: cannot use the server certificate: " + openssl_reason());
    for (X509* x : certs) X509_free(x);
    EVP_PKEY_free(key);
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    STACK_OF(X509_NAME)* names = sk_X509_NAME_new_null();
    for (X509* ca : read_certs(client_ca_pem)) {
        X509_STORE_add_cert(store, ca);
        sk_X509_NAME_push(names, X509_NAME_dup(X509_get_subject_name(ca)));
        X509_free(ca);
    }
    SSL_CTX_set_client_CA_list(ctx, names);
    const int verify =
        mode == ClientCertificates::required ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT : SSL_VERIFY_PEER;
    SSL_CTX_set_verify(ctx, verify, nullptr);
    return ctx;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    const auto e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// Parses the request head into `x`; the body length it announces.
size_t parse_head(const std::string& head, HttpsExchange& x) {
    size_t at = head.find("\r\n");
    const std::string request_line = head.substr(0, at);
    const auto sp1 = request_line.find(' ');
    const auto sp2 = request_line.find(' ', sp1 + 1);
    x.method = request_line.substr(0, sp1);
    x.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    while (at != std::string::npos && at + 2 < head.size()) {
        const size_t next = head.find("\r\n", at + 2);
        const std::string line = head.substr(at + 2, next == std::string::npos ? std::string::npos : next - at - 2);
        const auto colon = line.find(':');
        if (colon != std::string::npos) x.headers[lower(line.substr(0, colon))] = trim(line.substr(colon + 1));
        at = next;
    }
    const auto length = x.headers.find("content-length");
    return length == x.headers.end() ? 0 : std::stoul(length->second);
}

std::string peer_cn(SSL* ssl) {
    X509* peer = SSL_get1_peer_certificate(ssl);
    if (!peer) return {};
    char cn[256] = {0};
    X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, sizeof cn);
    X509_free(peer);
    return cn;
}

const char* reason_phrase(int status) {
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 409: return "Conflict";
    default: return "Status";
    }
}

} // namespace

struct HttpsServer::Impl {
    SSL_CTX* ctx = nullptr;
    Handler handler;
    int listen_fd = -1;
    int port = 0;
    int wake[2] = {-1, -1};
    std::thread thread;
    mutable std::mutex mutex;
    std::vector<HttpsExchange> exchanges;
    std::vector<std::string> failures;

    void loop() {
        for (;;) {
            pollfd fds[2] = {{listen_fd, POLLIN, 0}, {wake[0], POLLIN, 0}};
            if (poll(fds, 2, 1000) < 0) return;
            if (fds[1].revents) return;
            if (!(fds[0].revents & POLLIN)) continue;
            const int fd = accept(listen_fd, nullptr, nullptr);
            if (fd < 0) continue;
            timeval limit{5, 0};
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
            serve(fd);
            close(fd);
        }
    }

    void serve(int fd) {
        SSL* ssl = SSL_new(ctx);
        SSL_set_fd(ssl, fd);
        if (SSL_accept(ssl) != 1) {
            std::lock_guard lock(mutex);
            failures.push_back(openssl_reason());
            SSL_free(ssl);
            return;
        }
        HttpsExchange x;
        x.client_cn = peer_cn(ssl);
        std::string data;
        char buf[16384];
        size_t head_end = std::string::npos;
        size_t body_length = 0;
        while (head_end == std::string::npos || data.size() < head_end + 4 + body_length) {
            const int n = SSL_read(ssl, buf, sizeof buf);
            if (n <= 0) break;
            data.append(buf, static_cast<size_t>(n));
            if (head_end == std::string::npos && (head_end = data.find("\r\n\r\n")) != std::string::npos)
                body_length = parse_head(data.substr(0, head_end + 2), x);
        }
        if (head_end != std::string::npos) {
            x.body = data.substr(head_end + 4, body_length);
            const HttpsReply reply = handler(x);
            const std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " " + reason_phrase(reply.status) +
                                    "\r\nContent-Type: " + reply.content_type +
                                    "\r\nContent-Length: " + std::to_string(reply.body.size()) +
                                    "\r\nConnection: close\r\n\r\n" + reply.body;
            SSL_write(ssl, out.data(), static_cast<int>(out.size()));
            std::lock_guard lock(mutex);
            exchanges.push_back(std::move(x));
        }
        SSL_shutdown(ssl);
        SSL_free(ssl);
    }
};

HttpsServer::HttpsServer(const KeyPair& server, const std::string& client_ca_pem, ClientCertificates mode,
                         Handler handler)
    : m_impl(std::make_unique<Impl>()) {
    // A client that gives up mid-handshake (an unverified server) must not kill the test with SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);
    m_impl->ctx = make_context(server, client_ca_pem, mode);
    m_impl->handler = std::move(handler);
    if (pipe(m_impl->wake) != 0) throw std::runtime_error("HttpsServer: pipe failed");
    m_impl->listen_fd = listen_on_loopback(16, &m_impl->port);
    m_impl->thread = std::thread([impl = m_impl.get()] { impl->loop(); });
}

HttpsServer::~HttpsServer() {
    char byte = 1;
    [[maybe_unused]] ssize_t n = write(m_impl->wake[1], &byte, 1);
    if (m_impl->thread.joinable()) m_impl->thread.join();
    close(m_impl->listen_fd);
    close(m_impl->wake[0]);
    close(m_impl->wake[1]);
    SSL_CTX_free(m_impl->ctx);
}

int HttpsServer::port() const {
    return m_impl->port;
}

std::string HttpsServer::url() const {
    return "https://127.0.0.1:" + std::to_string(m_impl->port);
}

std::vector<HttpsExchange> HttpsServer::exchanges() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->exchanges;
}

std::vector<std::string> HttpsServer::handshake_failures() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->failures;
}

} // namespace kubecert::test
