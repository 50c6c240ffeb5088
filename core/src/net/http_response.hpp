#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace kubecert::net {

struct HttpResponse {
    int status = 0;
    std::string body;
};

// Reads up to `size` bytes into `out`; 0 means the peer closed.
using ReadSome = std::function<util::Result<std::size_t>(char* out, std::size_t size)>;

// Reads one HTTP/1.1 response from `read_some`: status line (interim 1xx
// answers skipped), headers, and the body framed by Content-Length, chunked
// or the peer's close, capped at 16 MiB. A malformed or oversized answer is
// ErrorCode::parse naming `label`; errors of `read_some` are passed through.
util::Result<HttpResponse> read_http_response(const ReadSome& read_some, const std::string& label);

// The same on bytes already received, the peer having closed after them
// (what the fuzzer and the unit tests drive).
util::Result<HttpResponse> parse_http_response(std::string_view bytes, const std::string& label);

} // namespace kubecert::net
