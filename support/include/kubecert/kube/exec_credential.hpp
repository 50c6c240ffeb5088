// Exec credential plugins (client.authentication.k8s.io v1 and v1beta1), as
// kubectl runs them: the command with its args and env, KUBERNETES_EXEC_INFO
// set, its standard output an ExecCredential.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <kubecert/formats/kubeconfig.hpp>
#include <kubecert/sdk.hpp>

namespace kubecert::kube {

// What an ExecCredential's status gives: a token, or a client certificate and key (PEM).
struct ExecCredential {
    std::string token;
    std::string client_cert_pem;
    std::string client_key_pem;
};

// The API versions kubecert speaks.
inline constexpr std::string_view k_exec_v1 = "client.authentication.k8s.io/v1";
inline constexpr std::string_view k_exec_v1beta1 = "client.authentication.k8s.io/v1beta1";

// The cluster an exec plugin may be told about (provideClusterInfo).
struct ExecClusterInfo {
    std::string server;
    std::string ca_pem;
    std::string tls_server_name;
    std::string proxy_url;
};

// The value of KUBERNETES_EXEC_INFO for `user`'s exec plugin (JSON, one line).
std::string exec_info_json(const formats::KubeconfigUser& user, const ExecClusterInfo& cluster);

// Parses the plugin's standard output. Throws sdk::Error (KUBECERT_ERR_PARSE)
// naming `source` when it is not an ExecCredential of `api_version` with a
// token or a certificate and key.
ExecCredential parse_exec_credential(std::string_view output, std::string_view api_version, const std::string& source);

// Runs `user`'s exec plugin through the host's command runner (bounded by
// `timeout_ms`, read-only, not listed as an action) and parses its answer.
// `kubeconfig` names the file in errors and resolves a relative command path.
ExecCredential run_exec_plugin(const sdk::Host& host, const formats::KubeconfigUser& user,
                               const ExecClusterInfo& cluster, const std::string& kubeconfig, std::uint32_t timeout_ms);

} // namespace kubecert::kube
