#include "x509/openssl_error.hpp"

#include <openssl/err.h>

namespace kubecert::x509 {

std::string take_openssl_error(const char* when_none) {
    unsigned long last = 0;
    while (unsigned long e = ERR_get_error()) last = e;
    if (last == 0) return when_none;
    char buf[256];
    ERR_error_string_n(last, buf, sizeof buf);
    return buf;
}

} // namespace kubecert::x509
