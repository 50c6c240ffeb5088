#include <kubecert/kube/api_client.hpp>

namespace kubecert::kube {

ApiClient ApiClient::from_kubeconfig(const sdk::Host& host, const std::string& node_path, const std::string& context) {
    if (!host.has_https())
        throw sdk::Error(KUBECERT_ERR_FAILED,
                         "this kubecert host (plugin ABI before 1.5) cannot send HTTPS requests to the API");
    return ApiClient(host, resolve_credentials(host, node_path, context));
}

ApiClient::ApiClient(const sdk::Host& host, ApiCredentials credentials)
    : m_host(host), m_credentials(std::move(credentials)) {}

ApiResponse ApiClient::get(const std::string& path_and_query) const {
    return send("GET", path_and_query, "", "");
}

ApiResponse ApiClient::put_json(const std::string& path, const std::string& body) const {
    return send("PUT", path, body, "application/json");
}

ApiResponse ApiClient::patch_json(const std::string& path, const std::string& body) const {
    return send("PATCH", path, body, "application/merge-patch+json");
}

ApiResponse ApiClient::send(const std::string& method, const std::string& path, const std::string& body,
                            const std::string& content_type) const {
    if (path.empty() || path.front() != '/')
        throw sdk::Error(KUBECERT_ERR_INVALID, "API path \"" + path + "\" must start with '/'");
    sdk::HttpsRequest r;
    r.method = method;
    r.url = m_credentials.server + path;
    r.headers.push_back("Accept: application/json");
    if (!content_type.empty()) r.headers.push_back("Content-Type: " + content_type);
    r.body = body;
    r.ca_pem = m_credentials.ca_pem;
    r.client_cert_pem = m_credentials.client_cert_pem;
    r.client_key_pem = m_credentials.client_key_pem;
    r.bearer_token = m_credentials.bearer_token;
    r.tls_server_name = m_credentials.tls_server_name;
    r.proxy_url = m_credentials.proxy_url;
    r.timeout_ms = static_cast<std::uint32_t>(m_timeout.count());
    r.max_response_bytes = m_max_response_bytes;
    const auto answer = m_host.https_request(r);
    return ApiResponse{answer.status, answer.body, answer.content_type, answer.dry_run};
}

} // namespace kubecert::kube
