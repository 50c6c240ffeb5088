#include "net/http_client.hpp"

#include <memory>
#include <mutex>

#include <curl/curl.h>

namespace kubecert::net {
namespace {

using util::ErrorCode;
using util::make_error;

constexpr std::size_t k_max_body = 16u * 1024u * 1024u;

struct CurlFree {
    void operator()(CURL* p) const { curl_easy_cleanup(p); }
};

// curl_global_init is not thread-safe itself, so it runs exactly once.
void init_curl_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Sink {
    std::string body;
    bool too_large = false;
};

// Returning less than given makes libcurl stop with CURLE_WRITE_ERROR: how
// the body cap aborts the transfer instead of buffering without bound.
std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto* sink = static_cast<Sink*>(user);
    std::size_t n = size * count;
    if (sink->body.size() + n > k_max_body) {
        sink->too_large = true;
        return 0;
    }
    sink->body.append(data, n);
    return n;
}

ErrorCode code_of(CURLcode rc) {
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return ErrorCode::timeout;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return ErrorCode::unreachable;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return ErrorCode::invalid;
    default:
        return ErrorCode::failed;
    }
}

} // namespace

util::Result<HttpResponse> http_get(const std::string& url, std::chrono::milliseconds timeout) {
    init_curl_once();
    std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
    if (!curl) return make_error(ErrorCode::failed, url + ": cannot initialise libcurl");

    Sink sink;
    char error_text[CURL_ERROR_SIZE] = {};
    CURL* h = curl.get();
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    // Signals would be unsafe with threads; timeouts then rely on the threaded resolver.
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_text);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "kubecert");

    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
        if (sink.too_large) return make_error(ErrorCode::failed, url + ": response body larger than 16 MiB");
        std::string why = error_text[0] ? error_text : curl_easy_strerror(rc);
        ErrorCode code = code_of(rc);
        std::string prefix = code == ErrorCode::timeout       ? "timed out: "
                             : code == ErrorCode::unreachable ? "unreachable: "
                             : code == ErrorCode::invalid     ? "invalid URL: "
                                                              : "request failed: ";
        return make_error(code, url + ": " + prefix + why);
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    return HttpResponse{static_cast<int>(status), std::move(sink.body)};
}

} // namespace kubecert::net
