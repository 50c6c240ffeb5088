// kubecert-https.so: the HTTPS transport over libcurl, loaded by the host on
// its first HTTPS request (net/https_client.cpp). It exports one symbol, the
// table of net/https_transport.h. Everything here enforces the host's rules
// for cluster credentials: the server is always verified against the given
// CA only, keys stay in memory, no proxy from the environment, no redirects.
#include <curl/curl.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>

#include "net/https_transport.h"

namespace {

struct CurlHandle {
    CURL* curl = curl_easy_init();
    curl_slist* headers = nullptr;
    curl_slist* connect_to = nullptr;
    ~CurlHandle() {
        curl_slist_free_all(headers);
        curl_slist_free_all(connect_to);
        if (curl) curl_easy_cleanup(curl);
    }
};

// What the write callback needs: where the body goes and how much is allowed.
struct BodyState {
    const kubecert_https_transport_sink_t* sink;
    std::uint64_t limit;
    std::uint64_t received = 0;
    bool too_large = false;
    bool refused = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
    auto* state = static_cast<BodyState*>(user);
    const size_t n = size * count;
    if (state->received + n > state->limit) {
        state->too_large = true;
        return 0; // makes curl stop with CURLE_WRITE_ERROR
    }
    state->received += n;
    if (state->sink->body(state->sink->context, data, n) != 0) {
        state->refused = true;
        return 0;
    }
    return n;
}

void set_error(char* error, size_t error_size, const std::string& text) {
    if (error_size == 0) return;
    std::snprintf(error, error_size, "%s", text.c_str());
}

// The outcome class of a curl error.
int32_t classify(CURLcode code) {
    switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT: return KUBECERT_HTTPS_UNREACHABLE;
    case CURLE_OPERATION_TIMEDOUT: return KUBECERT_HTTPS_TIMEOUT;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL: return KUBECERT_HTTPS_INVALID;
    default: return KUBECERT_HTTPS_FAILED;
    }
}

// A short lead for the reasons a user most needs to tell apart.
const char* lead(CURLcode code) {
    switch (code) {
    case CURLE_PEER_FAILED_VERIFICATION: return "the server's certificate did not verify against the given CA";
    case CURLE_SSL_CONNECT_ERROR: return "TLS handshake failed";
    case CURLE_SSL_CERTPROBLEM: return "the client certificate could not be used";
    case CURLE_SSL_CACERT_BADFILE: return "the CA certificate could not be read";
    case CURLE_COULDNT_CONNECT: return "connection failed";
    case CURLE_COULDNT_RESOLVE_HOST: return "the host name does not resolve";
    case CURLE_OPERATION_TIMEDOUT: return "timed out";
    default: return nullptr;
    }
}

// Points the URL's host at `tls_server_name` and connects to the original
// address instead (kubeconfig tls-server-name): curl then sends it as SNI
// and verifies the certificate against it.
CURLcode use_server_name(CurlHandle& h, const char* url, const char* server_name) {
    CURLU* u = curl_url();
    if (!u) return CURLE_OUT_OF_MEMORY;
    char* host = nullptr;
    char* port = nullptr;
    char* rewritten = nullptr;
    CURLcode result = CURLE_URL_MALFORMAT;
    if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK && curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_HOST, server_name, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_URL, &rewritten, 0) == CURLUE_OK) {
        const std::string rule = std::string(server_name) + ":" + port + ":" + host + ":" + port;
        h.connect_to = curl_slist_append(nullptr, rule.c_str());
        result = curl_easy_setopt(h.curl, CURLOPT_URL, rewritten);
        if (result == CURLE_OK) result = curl_easy_setopt(h.curl, CURLOPT_CONNECT_TO, h.connect_to);
    }
    curl_free(host);
    curl_free(port);
    curl_free(rewritten);
    curl_url_cleanup(u);
    return result;
}

// Trust and credentials: the given CA only, client certificate and key from memory.
CURLcode set_tls(CurlHandle& h, const kubecert_https_transport_request_t& r) {
    CURL* c = h.curl;
    curl_blob ca{const_cast<char*>(r.ca_pem), r.ca_pem_size, CURL_BLOB_NOCOPY};
    CURLcode rc = CURLE_OK;
    const auto set = [&rc](CURLcode next) {
        if (rc == CURLE_OK) rc = next;
    };
    set(curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L));
    set(curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L));
    // Rationale: the built-in bundle and folder would trust every public CA for the cluster's API.
    set(curl_easy_setopt(c, CURLOPT_CAINFO, nullptr));
    set(curl_easy_setopt(c, CURLOPT_CAPATH, nullptr));
    set(curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &ca));
    set(curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2)));
    if (r.client_cert_pem && r.client_key_pem) {
        curl_blob cert{const_cast<char*>(r.client_cert_pem), r.client_cert_pem_size, CURL_BLOB_NOCOPY};
        curl_blob key{const_cast<char*>(r.client_key_pem), r.client_key_pem_size, CURL_BLOB_NOCOPY};
        set(curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM"));
        set(curl_easy_setopt(c, CURLOPT_SSLCERT_BLOB, &cert));
        set(curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM"));
        set(curl_easy_setopt(c, CURLOPT_SSLKEY_BLOB, &key));
    }
    if (r.bearer_token) {
        set(curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BEARER));
        set(curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, r.bearer_token));
    }
    return rc;
}

// The method, its body and the headers.
CURLcode set_request(CurlHandle& h, const kubecert_https_transport_request_t& r) {
    CURL* c = h.curl;
    CURLcode rc = CURLE_OK;
    const auto set = [&rc](CURLcode next) {
        if (rc == CURLE_OK) rc = next;
    };
    if (std::strcmp(r.method, "GET") == 0) {
        set(curl_easy_setopt(c, CURLOPT_HTTPGET, 1L));
    } else {
        set(curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r.method));
        if (r.body_size > 0 || std::strcmp(r.method, "DELETE") != 0) {
            set(curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body_size)));
            set(curl_easy_setopt(c, CURLOPT_POSTFIELDS, r.body ? r.body : ""));
        }
    }
    for (size_t i = 0; i < r.header_count; ++i) h.headers = curl_slist_append(h.headers, r.headers[i]);
    // No "Expect: 100-continue" round trip before a body.
    h.headers = curl_slist_append(h.headers, "Expect:");
    set(curl_easy_setopt(c, CURLOPT_HTTPHEADER, h.headers));
    return rc;
}

// Where and how: https only, no redirects, no proxy unless named, bounded in time.
CURLcode set_transport(CurlHandle& h, const kubecert_https_transport_request_t& r) {
    CURL* c = h.curl;
    CURLcode rc = CURLE_OK;
    const auto set = [&rc](CURLcode next) {
        if (rc == CURLE_OK) rc = next;
    };
    set(curl_easy_setopt(c, CURLOPT_URL, r.url));
    if (r.tls_server_name && *r.tls_server_name) set(use_server_name(h, r.url, r.tls_server_name));
    set(curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https"));
    set(curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L));
    // "" turns off the proxy variables of the environment too.
    set(curl_easy_setopt(c, CURLOPT_PROXY, r.proxy_url ? r.proxy_url : ""));
    set(curl_easy_setopt(c, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS)));
    set(curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L));
    set(curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(r.timeout_ms)));
    set(curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(r.timeout_ms)));
    set(curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(r.max_response_bytes)));
    set(curl_easy_setopt(c, CURLOPT_USERAGENT, "kubecert/" KUBECERT_VERSION));
    return rc;
}

std::string reason(CURLcode code, const char* detail) {
    std::string out;
    if (const char* l = lead(code)) out = l;
    const std::string d = detail && *detail ? detail : curl_easy_strerror(code);
    if (!out.empty()) out += ": ";
    out += d;
    return out;
}

int32_t perform(const kubecert_https_transport_request_t* r, const kubecert_https_transport_sink_t* sink,
                int32_t* http_status, char* error, size_t error_size) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    CurlHandle h;
    if (!h.curl) {
        set_error(error, error_size, "cannot start libcurl");
        return KUBECERT_HTTPS_FAILED;
    }
    char detail[CURL_ERROR_SIZE] = {0};
    BodyState body{sink, r->max_response_bytes};
    CURLcode rc = curl_easy_setopt(h.curl, CURLOPT_ERRORBUFFER, detail);
    if (rc == CURLE_OK) rc = set_transport(h, *r);
    if (rc == CURLE_OK) rc = set_tls(h, *r);
    if (rc == CURLE_OK) rc = set_request(h, *r);
    if (rc == CURLE_OK) rc = curl_easy_setopt(h.curl, CURLOPT_WRITEFUNCTION, on_body);
    if (rc == CURLE_OK) rc = curl_easy_setopt(h.curl, CURLOPT_WRITEDATA, &body);
    if (rc != CURLE_OK) {
        set_error(error, error_size, "cannot set up the request: " + reason(rc, detail));
        return classify(rc) == KUBECERT_HTTPS_OK ? KUBECERT_HTTPS_FAILED : classify(rc);
    }
    rc = curl_easy_perform(h.curl);
    if (body.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
        set_error(error, error_size,
                  "the answer is larger than " + std::to_string(r->max_response_bytes) + " bytes (the limit)");
        return KUBECERT_HTTPS_FAILED;
    }
    if (rc != CURLE_OK) {
        set_error(error, error_size, reason(rc, detail));
        return classify(rc);
    }
    long status = 0;
    char* content_type = nullptr;
    curl_easy_getinfo(h.curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(h.curl, CURLINFO_CONTENT_TYPE, &content_type);
    if (content_type) sink->content_type(sink->context, content_type);
    *http_status = static_cast<int32_t>(status);
    return KUBECERT_HTTPS_OK;
}

const char* library_version() {
    return curl_version();
}

} // namespace

extern "C" __attribute__((visibility("default"))) const kubecert_https_transport_t kubecert_https_transport = {
    KUBECERT_HTTPS_TRANSPORT_VERSION, perform, library_version};
