#include "net/tls_probe.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "net/tcp_connection.hpp"
#include "net/tls_handshake.hpp"
#include "x509/openssl_error.hpp"

namespace kubecert::net {
namespace {

using util::ErrorCode;
using util::make_error;

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

} // namespace

util::Result<x509::CertDetails> fetch_served_certificate(const std::string& address,
                                                         std::chrono::milliseconds timeout) {
    auto ep = split_address(address);
    if (!ep.ok()) return ep.error();
    // Each step has the whole timeout, as the contract says.
    auto addrs = resolve(*ep, address, Clock::now() + timeout);
    if (!addrs.ok()) return addrs.error();
    auto sock = connect_any(addrs->get(), address, Clock::now() + timeout);
    if (!sock.ok()) return sock.error();

    SSL_CTX* ctx = probe_context();
    if (!ctx)
        return make_error(ErrorCode::failed, address + ": cannot create TLS context: " + x509::take_openssl_error());
    SslPtr ssl(SSL_new(ctx));
    if (!ssl || SSL_set_fd(ssl.get(), sock->fd()) != 1)
        return make_error(ErrorCode::failed, address + ": cannot set up TLS: " + x509::take_openssl_error());
    // SNI carries host names only (RFC 6066); servers reject an IP there.
    if (!is_ip_literal(ep->host)) SSL_set_tlsext_host_name(ssl.get(), ep->host.c_str());
    SSL_set_connect_state(ssl.get());

    SigpipeGuard no_sigpipe;
    auto shaken = tls_handshake(ssl.get(), sock->fd(), Clock::now() + timeout, address);
    if (!shaken.ok()) return shaken.error();

    X509* peer = SSL_get0_peer_certificate(ssl.get());
    if (!peer) return make_error(ErrorCode::failed, address + ": the server sent no certificate");
    unsigned char* der = nullptr;
    int len = i2d_X509(peer, &der);
    if (len <= 0) return make_error(ErrorCode::failed, address + ": cannot encode the served certificate");
    auto details =
        x509::parse_certificate(std::string_view(reinterpret_cast<char*>(der), static_cast<std::size_t>(len)), address);
    OPENSSL_free(der);
    SSL_shutdown(ssl.get()); // best effort close_notify; the socket is closed either way
    x509::take_openssl_error();
    return details;
}

} // namespace kubecert::net
