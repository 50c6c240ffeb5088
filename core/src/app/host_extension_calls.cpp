// kubecert.https.v1 and kubecert.csr.v1 behind the C ABI: check the plugin's
// structs (struct_size, NULLs, sizes), convert, call HostServices, copy the
// answer out as far as the plugin's struct_size goes.
#include "app/host_extension_calls.hpp"

#include "app/abi_guard.hpp"

namespace kubecert::app {

namespace {

using namespace abi;

std::string bytes(const char* data, size_t size) {
    return data ? std::string(data, size) : std::string();
}

// The request as C++, or why it is refused.
util::Result<net::HttpsRequest> to_request(const kubecert_https_request_t& r) {
    using util::ErrorCode;
    if (!KUBECERT_HAS_FIELD(&r, kubecert_https_request_t, max_response_bytes))
        return util::make_error(ErrorCode::invalid, "struct_size too small");
    if (!r.method || !r.url || (!r.headers && r.header_count) || (!r.body && r.body_size) ||
        (!r.ca_pem && r.ca_pem_size) || (!r.client_cert_pem && r.client_cert_pem_size) ||
        (!r.client_key_pem && r.client_key_pem_size))
        return util::make_error(ErrorCode::invalid, "null argument");
    if (too_big(r.body_size) || too_big(r.ca_pem_size) || too_big(r.client_cert_pem_size) ||
        too_big(r.client_key_pem_size) || r.header_count > 256)
        return util::make_error(ErrorCode::invalid, "a buffer or the header list is too large");
    net::HttpsRequest out;
    out.method = r.method;
    out.url = r.url;
    for (size_t i = 0; i < r.header_count; ++i) {
        if (!r.headers[i]) return util::make_error(ErrorCode::invalid, "null header");
        out.headers.emplace_back(r.headers[i]);
    }
    out.body = bytes(r.body, r.body_size);
    out.ca_pem = bytes(r.ca_pem, r.ca_pem_size);
    out.client_cert_pem = bytes(r.client_cert_pem, r.client_cert_pem_size);
    out.client_key_pem = bytes(r.client_key_pem, r.client_key_pem_size);
    out.bearer_token = str(r.bearer_token);
    out.tls_server_name = str(r.tls_server_name);
    if (KUBECERT_HAS_FIELD(&r, kubecert_https_request_t, proxy_url)) out.proxy_url = str(r.proxy_url);
    out.timeout = std::chrono::milliseconds(r.timeout_ms ? r.timeout_ms : 10000);
    if (r.max_response_bytes) out.max_response_bytes = r.max_response_bytes;
    return out;
}

} // namespace

kubecert_status_t ext_https_request(const kubecert_host_t* h, const kubecert_https_request_t* request,
                                    kubecert_https_response_t* out) noexcept {
    return guarded(h, "https_request", [&](HostAbiAdapter& a) -> kubecert_status_t {
        if (!request || !out || out->struct_size < KUBECERT_SIZE_UNTIL(kubecert_https_response_t, body))
            return a.fail(KUBECERT_ERR_INVALID, "https_request: null argument or struct_size too small");
        auto converted = to_request(*request);
        if (!converted) return a.fail(KUBECERT_ERR_INVALID, "https_request: " + converted.error().message);
        auto r = a.services().https_request(*converted);
        if (!r) return answer(a, r);
        kubecert_https_response_t c{};
        c.status = r->response.status;
        c.content_type = a.keep(std::move(r->response.content_type));
        c.body = a.keep_buffer(std::move(r->response.body));
        c.dry_run = r->dry_run ? 1 : 0;
        copy_out(out, c);
        return KUBECERT_OK;
    });
}

kubecert_status_t ext_csr_parse(const kubecert_host_t* h, const char* pem, size_t size, const char* source,
                                kubecert_csr_info_t* out) noexcept {
    return guarded(h, "csr_parse", [&](HostAbiAdapter& a) -> kubecert_status_t {
        if (!pem || !out || out->struct_size < KUBECERT_SIZE_UNTIL(kubecert_csr_info_t, signature_valid))
            return a.fail(KUBECERT_ERR_INVALID, "csr_parse: null argument or struct_size too small");
        if (too_big(size)) return a.fail(KUBECERT_ERR_INVALID, "csr_parse: " + std::to_string(size) + " bytes");
        auto r = a.services().csr_parse(std::string_view(pem, size), source ? source : "certificate request");
        if (!r) return answer(a, r);
        kubecert_csr_info_t c{};
        c.subject = a.keep(r->subject);
        c.common_name = a.keep(r->common_name);
        c.organizations = a.keep_list(r->organizations);
        c.any_other_subject_attributes = r->other_subject_attributes ? 1 : 0;
        c.dns_names = a.keep_list(r->dns_names);
        c.ip_addresses = a.keep_list(r->ip_addresses);
        c.email_addresses = a.keep_list(r->email_addresses);
        c.uris = a.keep_list(r->uris);
        c.key_type = a.keep(r->key_type);
        c.key_bits = r->key_bits;
        c.signature_valid = r->signature_valid ? 1 : 0;
        copy_out(out, c);
        return KUBECERT_OK;
    });
}

} // namespace kubecert::app
