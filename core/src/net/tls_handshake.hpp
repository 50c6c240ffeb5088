#pragma once

#include <memory>
#include <string>

#include <openssl/ssl.h>

#include "net/tcp_connection.hpp"
#include "util/result.hpp"

// The OpenSSL steps shared by the TLS probe and the HTTPS client, which
// differ only in how their SSL_CTX verifies the peer.
namespace kubecert::net {

struct SslFree {
    void operator()(SSL* p) const { SSL_free(p); }
};
using SslPtr = std::unique_ptr<SSL, SslFree>;

// Runs the client handshake of `ssl` (already bound to the non-blocking
// socket `fd`) until `deadline`. Errors: timeout, failed (the message says
// why, including a certificate verification result). The caller holds a
// SigpipeGuard for the whole TLS conversation.
util::Status tls_handshake(SSL* ssl, int fd, Clock::time_point deadline, const std::string& label);

} // namespace kubecert::net
