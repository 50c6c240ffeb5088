// A client of one cluster's Kubernetes API, through the host's HTTPS service
// (kubecert.https.v1): the server always verified, every request bounded in
// time and size, changes to the cluster only in fix() (and only planned
// under --dry-run).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <kubecert/kube/credentials.hpp>
#include <kubecert/sdk.hpp>

namespace kubecert::kube {

// An HTTP answer of the API, whatever its status (the caller maps 404, 409, ...).
struct ApiResponse {
    int status = 0; // 0 when not sent (dry run)
    std::string body;
    std::string content_type;
    bool dry_run = false; // a change not sent because of --dry-run
};

class ApiClient {
public:
    // Resolves the kubeconfig (resolve_credentials); throws sdk::Error as it does,
    // and when the host offers no HTTPS service (ABI before 1.5).
    static ApiClient from_kubeconfig(const sdk::Host& host, const std::string& node_path,
                                     const std::string& context = "");
    ApiClient(const sdk::Host& host, ApiCredentials credentials);

    const std::string& server() const { return m_credentials.server; }
    // Who the requests act as, never a secret ("client certificate CN=kubernetes-admin").
    std::string user_description() const { return m_credentials.user_description; }
    const ApiCredentials& credentials() const { return m_credentials; }

    // Bounds of every request (defaults: 10 s, 8 MiB).
    void set_timeout(std::chrono::milliseconds timeout) { m_timeout = timeout; }
    void set_max_response_bytes(std::uint64_t bytes) { m_max_response_bytes = bytes; }

    // GET `path_and_query` ("/apis/certificates.k8s.io/v1/..."); a non-2xx
    // answer is returned, a transport failure throws sdk::Error naming the URL.
    ApiResponse get(const std::string& path_and_query) const;
    // PUT a JSON body (a whole object, e.g. a CSR's /approval subresource).
    ApiResponse put_json(const std::string& path, const std::string& body) const;
    // PATCH with a JSON merge patch (application/merge-patch+json).
    ApiResponse patch_json(const std::string& path, const std::string& body) const;

private:
    ApiResponse send(const std::string& method, const std::string& path, const std::string& body,
                     const std::string& content_type) const;

    sdk::Host m_host;
    ApiCredentials m_credentials;
    std::chrono::milliseconds m_timeout{10000};
    std::uint64_t m_max_response_bytes = 8u << 20;
};

} // namespace kubecert::kube
