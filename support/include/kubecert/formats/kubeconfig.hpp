#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kubecert::formats {

struct KubeconfigUser {
    std::string name;
    std::string client_certificate_data; // base64, as in the file ("" when absent)
    std::string client_key_data;         // base64
    std::string client_certificate;      // a path ("" when absent)
    std::string client_key;              // a path
    std::string exec_command;            // users[].user.exec.command ("" when absent)
    std::vector<std::string> exec_args;
    std::string token;                                         // a bearer token ("" when absent)
    std::string token_file;                                    // tokenFile: a path
    std::string exec_api_version;                              // exec.apiVersion
    std::vector<std::pair<std::string, std::string>> exec_env; // exec.env: name, value
    std::string exec_interactive_mode;                         // exec.interactiveMode ("" when absent)
    bool exec_provide_cluster_info = false;                    // exec.provideClusterInfo
    bool has_basic_auth = false;                               // username/password (not supported by kubecert)
    bool has_auth_provider = false;                            // auth-provider (removed from kubectl 1.26)
};

struct KubeconfigCluster {
    std::string name;
    std::string server;
    std::string certificate_authority_data; // base64
    std::string certificate_authority;      // a path
    std::string tls_server_name;            // tls-server-name
    std::string proxy_url;                  // proxy-url
    bool insecure_skip_tls_verify = false;  // insecure-skip-tls-verify: true
};

// One entry of `contexts`.
struct KubeconfigContext {
    std::string name;
    std::string cluster;
    std::string user;
};

struct Kubeconfig {
    std::string current_context;
    std::vector<KubeconfigCluster> clusters;
    std::vector<KubeconfigUser> users;
    // The user of the current context (else the only/first user), if any.
    std::optional<KubeconfigUser> current_user() const;
    std::optional<KubeconfigCluster> current_cluster() const;
    std::vector<std::pair<std::string, std::pair<std::string, std::string>>> contexts; // name -> (cluster, user)
    // The context `name` ("" : current-context), its cluster and its user,
    // strictly as kubectl resolves them: nullopt when any of them is missing.
    std::optional<KubeconfigContext> find_context(const std::string& name) const;
    const KubeconfigCluster* find_cluster(const std::string& name) const;
    const KubeconfigUser* find_user(const std::string& name) const;
};

// Parses a kubeconfig. Throws ParseError (source, line, column) when it is not
// YAML or not a mapping.
Kubeconfig parse_kubeconfig(std::string_view text, const std::string& source);

// Returns `text` with the client-certificate-data and client-key-data of
// user `user_name` replaced by the given base64 values, everything else of the
// file kept byte for byte. Throws ParseError when the user or keys are absent.
std::string replace_client_credentials(std::string_view text, const std::string& source, const std::string& user_name,
                                       std::string_view cert_base64, std::string_view key_base64);

// Returns `text` with the embedded client-certificate-data/client-key-data
// of user `user_name` replaced by `client-certificate: cert_path` and
// `client-key: key_path` (kubeadm's "Kubelet client certificate rotation
// fails" procedure), each on the line its -data key was; everything else is
// kept byte for byte. Throws ParseError when the user or keys are absent or
// not written one per line.
std::string use_client_certificate_files(std::string_view text, const std::string& source, const std::string& user_name,
                                         const std::string& cert_path, const std::string& key_path);

} // namespace kubecert::formats
