#pragma once

#include <string>

namespace kubecert::x509 {

// The most specific OpenSSL error of this thread, and an empty queue after,
// so one failure never leaks into the message of the next call. `when_none`
// is returned when the queue holds nothing ("" lets a caller test for that).
std::string take_openssl_error(const char* when_none = "unknown OpenSSL error");

} // namespace kubecert::x509
