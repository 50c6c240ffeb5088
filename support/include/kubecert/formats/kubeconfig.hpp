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
};

struct KubeconfigCluster {
    std::string name;
    std::string server;
    std::string certificate_authority_data; // base64
    std::string certificate_authority;      // a path
};

struct Kubeconfig {
    std::string current_context;
    std::vector<KubeconfigCluster> clusters;
    std::vector<KubeconfigUser> users;
    // The user of the current context (else the only/first user), if any.
    std::optional<KubeconfigUser> current_user() const;
    std::optional<KubeconfigCluster> current_cluster() const;
    std::vector<std::pair<std::string, std::pair<std::string, std::string>>> contexts; // name -> (cluster, user)
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
