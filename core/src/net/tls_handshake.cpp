#include "net/tls_handshake.hpp"

#include "x509/openssl_error.hpp"

#include <cerrno>
#include <cstring>
#include <poll.h>

#include <openssl/err.h>
#include <openssl/x509.h>

namespace kubecert::net {

using util::ErrorCode;
using util::make_error;

util::Status tls_handshake(SSL* ssl, int fd, Clock::time_point deadline, const std::string& label) {
    ERR_clear_error();
    for (;;) {
        errno = 0;
        int rc = SSL_do_handshake(ssl);
        if (rc == 1) return util::ok_status();
        int err = SSL_get_error(ssl, rc);
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
            if (!wait_for(fd, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) {
                ERR_clear_error();
                return make_error(ErrorCode::timeout, label + ": timed out in the TLS handshake");
            }
            continue;
        }
        std::string why = x509::take_openssl_error("");
        if (why.empty())
            why = errno != 0 && err == SSL_ERROR_SYSCALL ? std::strerror(errno) : "connection closed by peer";
        // "certificate verify failed" alone does not say which check failed.
        long verify = SSL_get_verify_result(ssl);
        if ((SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) != 0 && verify != X509_V_OK)
            why += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
        return make_error(ErrorCode::failed, label + ": TLS handshake failed: " + why);
    }
}

} // namespace kubecert::net
