// HTTPS requests with verified trust and client credentials (the host's
// kubecert.https.v1 service), sent by the transport module kubecert-https.so
// over libcurl. The module is loaded on the first request, so a run that
// makes none never maps libcurl.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace kubecert::net {

struct HttpsRequest {
    std::string method = "GET";
    std::string url;                  // https:// only
    std::vector<std::string> headers; // "Name: value"
    std::string body;
    std::string ca_pem; // required: the only trust
    std::string client_cert_pem;
    std::string client_key_pem;
    std::string bearer_token;
    std::string tls_server_name;
    std::string proxy_url;
    std::chrono::milliseconds timeout{10000};
    std::uint64_t max_response_bytes = 8u << 20;
};

struct HttpsResponse {
    int status = 0;
    std::string content_type;
    std::string body;
};

// The HTTP methods a request may use.
bool is_known_method(const std::string& method);

// Why `request` cannot be sent (invalid: method, URL not https://, no CA, a
// header with CR/LF, a certificate without its key), or ok.
util::Status check_https_request(const HttpsRequest& request);

// Sends `request`. Any HTTP answer is a success, whatever its status. Errors
// name the URL and the reason: invalid (method, URL not https://, no CA,
// a header with CR/LF, a certificate without its key), unreachable, timeout,
// failed (TLS verification or handshake, answer too large, the transport
// module missing or unloadable).
util::Result<HttpsResponse> https_request(const HttpsRequest& request);

// Whether this process has loaded the transport module (and so libcurl).
bool https_transport_loaded();

// Where the host looks for the module: beside the executable, as installed.
std::string https_module_path();

} // namespace kubecert::net
