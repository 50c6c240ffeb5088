// The host side of HTTPS: checks a request, loads the transport module once,
// on first use, and hands the request over through its C table.
#include "net/https_client.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "net/https_transport.h"

namespace kubecert::net {

namespace {

using util::ErrorCode;
using util::make_error;

std::atomic<bool> g_loaded{false};

// Bounds a plugin cannot raise: every request ends, and no answer fills the memory.
constexpr std::chrono::minutes k_max_timeout{10};
constexpr std::uint64_t k_max_response_bytes = std::uint64_t{1} << 30;

std::string executable_dir() {
    char buf[PATH_MAX];
    const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return ".";
    buf[n] = 0;
    std::string path = buf;
    return path.substr(0, path.find_last_of('/'));
}

// Rationale: the module runs as the invoking user (root on a node), so the
// plugin loader's rule holds for it too: owned by root or the invoking user,
// writable by nobody else.
util::Status check_module_file(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return make_error(ErrorCode::failed, "the HTTPS transport " + path + " is missing (" + std::strerror(errno) +
                                                 "): reinstall kubecert");
    if (st.st_uid != 0 && st.st_uid != ::getuid())
        return make_error(ErrorCode::denied, path + ": refused: the HTTPS transport is owned by uid " +
                                                 std::to_string(st.st_uid) + ", neither root nor the invoking user");
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        return make_error(ErrorCode::denied, path + ": refused: the HTTPS transport is writable by group or others");
    return util::ok_status();
}

// The module's table, loaded once per process; the library stays loaded until exit.
util::Result<const kubecert_https_transport_t*> transport() {
    static std::mutex mutex;
    static const kubecert_https_transport_t* table = nullptr;
    std::lock_guard lock(mutex);
    if (table) return table;
    const std::string path = https_module_path();
    if (auto ok = check_module_file(path); !ok) return ok.error();
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char* why = ::dlerror();
        return make_error(ErrorCode::failed,
                          "cannot load the HTTPS transport " + path + ": " + (why ? why : "unknown error"));
    }
    const auto* t = static_cast<const kubecert_https_transport_t*>(::dlsym(handle, KUBECERT_HTTPS_TRANSPORT_SYMBOL));
    if (!t || t->version != KUBECERT_HTTPS_TRANSPORT_VERSION || !t->perform)
        return make_error(ErrorCode::failed, path + ": not this kubecert's HTTPS transport (another build?)");
    table = t;
    g_loaded = true;
    return table;
}

} // namespace

util::Status check_https_request(const HttpsRequest& r) {
    const auto bad = [&r](const std::string& why) { return make_error(ErrorCode::invalid, r.url + ": " + why); };
    if (!is_known_method(r.method)) return bad("unsupported HTTP method \"" + r.method + "\"");
    if (r.url.rfind("https://", 0) != 0 || r.url.size() <= 8) return bad("only https:// URLs are allowed");
    for (char c : r.url)
        if (static_cast<unsigned char>(c) <= ' ') return bad("the URL holds a space or control character");
    if (r.ca_pem.empty()) return bad("no CA certificate to verify the server with (kubecert always verifies)");
    if (r.client_cert_pem.empty() != r.client_key_pem.empty())
        return bad("a client certificate needs its key, and a key its certificate");
    for (const auto& h : r.headers)
        if (h.find_first_of("\r\n") != std::string::npos || h.find(':') == std::string::npos)
            return bad("a header must be one \"Name: value\" line");
    if (r.bearer_token.find_first_of("\r\n") != std::string::npos) return bad("the bearer token holds a line break");
    if (r.timeout.count() <= 0 || r.timeout > k_max_timeout) return bad("the timeout must be between 1 ms and 10 min");
    if (r.max_response_bytes > k_max_response_bytes) return bad("max_response_bytes is over 1 GiB");
    return util::ok_status();
}

namespace {

struct Collected {
    HttpsResponse response;
};

int append_body(void* context, const char* data, size_t size) {
    static_cast<Collected*>(context)->response.body.append(data, size);
    return 0;
}

int take_content_type(void* context, const char* value) {
    static_cast<Collected*>(context)->response.content_type = value ? value : "";
    return 0;
}

ErrorCode to_code(int32_t outcome) {
    switch (outcome) {
    case KUBECERT_HTTPS_TIMEOUT: return ErrorCode::timeout;
    case KUBECERT_HTTPS_UNREACHABLE: return ErrorCode::unreachable;
    case KUBECERT_HTTPS_INVALID: return ErrorCode::invalid;
    default: return ErrorCode::failed;
    }
}

} // namespace

bool is_known_method(const std::string& method) {
    return method == "GET" || method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

std::string https_module_path() {
    return executable_dir() + "/" KUBECERT_BIN_TO_HTTPS_MODULE;
}

bool https_transport_loaded() {
    return g_loaded;
}

util::Result<HttpsResponse> https_request(const HttpsRequest& r) {
    if (auto ok = check_https_request(r); !ok) return ok.error();
    auto t = transport();
    if (!t) return t.error();
    std::vector<const char*> headers;
    for (const auto& h : r.headers) headers.push_back(h.c_str());
    const auto or_null = [](const std::string& s) { return s.empty() ? nullptr : s.c_str(); };
    kubecert_https_transport_request_t c{};
    c.method = r.method.c_str();
    c.url = r.url.c_str();
    c.headers = headers.data();
    c.header_count = headers.size();
    c.body = r.body.data();
    c.body_size = r.body.size();
    c.ca_pem = r.ca_pem.data();
    c.ca_pem_size = r.ca_pem.size();
    c.client_cert_pem = or_null(r.client_cert_pem);
    c.client_cert_pem_size = r.client_cert_pem.size();
    c.client_key_pem = or_null(r.client_key_pem);
    c.client_key_pem_size = r.client_key_pem.size();
    c.bearer_token = or_null(r.bearer_token);
    c.tls_server_name = or_null(r.tls_server_name);
    c.proxy_url = or_null(r.proxy_url);
    c.timeout_ms = static_cast<uint32_t>(r.timeout.count());
    c.max_response_bytes = r.max_response_bytes ? r.max_response_bytes : (8u << 20);
    Collected collected;
    const kubecert_https_transport_sink_t sink{&collected, append_body, take_content_type};
    int32_t status = 0;
    char error[512] = {0};
    const int32_t outcome = (*t)->perform(&c, &sink, &status, error, sizeof error);
    if (outcome != KUBECERT_HTTPS_OK) return make_error(to_code(outcome), r.method + " " + r.url + ": " + error);
    collected.response.status = status;
    return std::move(collected.response);
}

} // namespace kubecert::net
