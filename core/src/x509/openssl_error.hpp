#pragma once

#include <string>

namespace kubecert::x509 {

// The most specific OpenSSL error of this thread, and an empty queue after,
// so one failure never leaks into the message of the next call.
std::string take_openssl_error();

} // namespace kubecert::x509
