#pragma once

#include <chrono>
#include <string>

#include "util/result.hpp"

namespace kubecert::net {

struct HttpResponse {
    int status = 0;
    std::string body;
};

// GET `url` (http or https, libcurl), bounded by `timeout`, no redirects
// followed, body capped at 16 MiB. Any HTTP answer is a success; errors:
// unreachable, timeout, invalid (bad URL).
util::Result<HttpResponse> http_get(const std::string& url, std::chrono::milliseconds timeout);

} // namespace kubecert::net
