#pragma once

#include <chrono>
#include <string>

#include "net/http_response.hpp"
#include "util/result.hpp"

namespace kubecert::net {

// GET `url` over HTTP/1.1 with our own small client (sockets, OpenSSL for
// https; no libcurl, whose dependencies cost every kubecert start ~5 ms).
// Only http:// and https:// URLs with a host, optional port and path/query;
// https verifies the peer against the system trust store and the URL's host
// name or IP. One deadline, `timeout`, bounds resolve, connect, TLS and the
// whole response; no redirects followed (a 3xx is an answer); body framed by
// Content-Length, chunked or the server's close, capped at 16 MiB. Any HTTP
// answer is a success; errors: unreachable (refused, no route, name does not
// resolve), timeout, invalid (bad URL), failed (TLS, malformed HTTP, body too
// large).
util::Result<HttpResponse> http_get(const std::string& url, std::chrono::milliseconds timeout);

} // namespace kubecert::net
