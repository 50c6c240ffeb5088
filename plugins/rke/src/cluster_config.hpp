#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kubecert::rke {

// What the RKE checks need from cluster.yml.
struct ClusterConfig {
    // The scalar text of services.kubelet.generate_serving_certificate; nullopt when the key is absent.
    std::optional<std::string> generate_serving_certificate;
    // True only when that value is a YAML boolean true (what `rke up` reads as enabled).
    bool serving_cert_enabled = false;
    // kubernetes_version ("v1.10.1-rancher1"), "" when absent.
    std::string kubernetes_version;
};

// The path of the key this plugin sets, from the top of cluster.yml.
const std::vector<std::string>& generate_serving_certificate_path();

// Parses cluster.yml text; throws formats::ParseError naming `source`, line and column when it is
// not YAML, or when the document, services or services.kubelet is not a mapping (rke up refuses those too).
ClusterConfig parse_cluster_config(std::string_view text, const std::string& source);

// Returns `text` with services.kubelet.generate_serving_certificate set to true, creating the
// missing keys and keeping everything else byte for byte; unchanged when it is already true.
// Throws formats::ParseError as parse_cluster_config().
std::string enable_serving_certificate(std::string_view text, const std::string& source);

// Versions recorded in the cluster state file `rke up` writes beside cluster.yml.
struct RkeState {
    std::string desired_kubernetes_version; // desiredState.rkeConfig.kubernetesVersion, or ""
    std::string current_kubernetes_version; // currentState.rkeConfig.kubernetesVersion, or ""
};

// The state file of a cluster config: RKE names it after the config ("cluster.yml" -> "cluster.rkestate").
std::string rkestate_path_for(const std::string& cluster_config_path);

// Parses a .rkestate (JSON); throws formats::ParseError naming `source` when it is not JSON.
RkeState parse_rkestate(std::string_view text, const std::string& source);

// Major and minor of a Kubernetes version such as "v1.10.1-rancher1"; nullopt when unreadable.
std::optional<std::pair<int, int>> parse_kubernetes_version(std::string_view version);

} // namespace kubecert::rke
