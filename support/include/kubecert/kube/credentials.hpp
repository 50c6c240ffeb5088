// What a request to a cluster's API needs, resolved from a kubeconfig on the
// node the way kubectl resolves it: the context, its cluster's server and
// trust, its user's client certificate, token or exec credential plugin.
#pragma once

#include <cstdint>
#include <string>

#include <kubecert/sdk.hpp>

namespace kubecert::kube {

struct ApiCredentials {
    std::string kubeconfig; // node path of the kubeconfig it came from
    std::string context;
    std::string server; // "https://host:port[/prefix]", without a trailing '/'
    std::string ca_pem;
    std::string tls_server_name;
    std::string proxy_url;
    std::string client_cert_pem;
    std::string client_key_pem;
    std::string bearer_token;
    // Who the requests act as, never a secret: "client certificate
    // CN=kubernetes-admin", "bearer token from exec aws", ...
    std::string user_description;
};

// How long an exec credential plugin (`aws eks get-token`) may run.
inline constexpr std::uint32_t k_exec_timeout_ms = 30000;

// Reads the kubeconfig at `node_path` through `host` (inside --root) and
// resolves context `context` ("" : current-context). Relative file
// references resolve against the kubeconfig's folder. Throws sdk::Error
// naming the file and what is wrong: unreadable or malformed kubeconfig, no
// such context, a server that is not https://, insecure-skip-tls-verify
// (kubecert always verifies), no CA, a missing referenced file, a user
// without a usable credential (or with basic auth or an auth-provider), an
// exec plugin that fails, times out or answers malformed output.
ApiCredentials resolve_credentials(const sdk::Host& host, const std::string& node_path,
                                   const std::string& context = "");

} // namespace kubecert::kube
