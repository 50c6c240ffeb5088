#include "cluster_config.hpp"

#include <kubecert/formats/json_edit.hpp>
#include <kubecert/formats/parse_error.hpp>
#include <kubecert/formats/yaml_edit.hpp>

#include <charconv>

namespace kubecert::rke {

namespace {

// Throws unless `node` is a mapping or empty (a bare "kubelet:" is null, which RKE takes as {}).
void require_mapping(const YAML::Node& node, const std::string& source, const std::string& what) {
    if (!node || node.IsNull() || node.IsMap()) return;
    const auto mark = node.Mark();
    throw formats::ParseError(source, mark.line + 1, mark.column + 1, what + " is not a mapping");
}

// Reads a YAML 1.1 boolean the way RKE's YAML decoder does (true/yes/on, any common case).
std::optional<bool> yaml_bool(const YAML::Node& node) {
    if (!node.IsScalar() || node.Tag() == "!") return std::nullopt; // quoted: a string, not a bool
    bool value = false;
    if (YAML::convert<bool>::decode(node, value)) return value;
    return std::nullopt;
}

std::string json_string_at(const nlohmann::ordered_json& doc, std::initializer_list<const char*> path) {
    const nlohmann::ordered_json* at = &doc;
    for (const char* key : path) {
        if (!at->is_object() || !at->contains(key)) return "";
        at = &(*at)[key];
    }
    return at->is_string() ? at->get<std::string>() : "";
}

} // namespace

const std::vector<std::string>& generate_serving_certificate_path() {
    static const std::vector<std::string> path{"services", "kubelet", "generate_serving_certificate"};
    return path;
}

ClusterConfig parse_cluster_config(std::string_view text, const std::string& source) {
    const YAML::Node root = formats::parse_yaml(text, source);
    require_mapping(root, source, "the document");
    ClusterConfig config;
    if (!root || root.IsNull()) return config;
    if (const YAML::Node version = root["kubernetes_version"]; version && version.IsScalar())
        config.kubernetes_version = version.Scalar();
    const YAML::Node services = root["services"];
    require_mapping(services, source, "services");
    if (!services || services.IsNull()) return config;
    const YAML::Node kubelet = services["kubelet"];
    require_mapping(kubelet, source, "services.kubelet");
    if (!kubelet || kubelet.IsNull()) return config;
    const YAML::Node value = kubelet["generate_serving_certificate"];
    if (!value) return config;
    config.generate_serving_certificate = value.IsScalar() ? value.Scalar() : std::string();
    config.serving_cert_enabled = yaml_bool(value).value_or(false);
    return config;
}

std::string enable_serving_certificate(std::string_view text, const std::string& source) {
    // Parse first: the same errors as the audit, and no edit of a file we could not read.
    if (parse_cluster_config(text, source).serving_cert_enabled) return std::string(text);
    return formats::yaml_set_scalar(text, source, generate_serving_certificate_path(), "true");
}

std::string rkestate_path_for(const std::string& cluster_config_path) {
    const auto slash = cluster_config_path.rfind('/');
    const auto dot = cluster_config_path.rfind('.');
    const bool has_extension = dot != std::string::npos && (slash == std::string::npos || dot > slash + 1);
    return (has_extension ? cluster_config_path.substr(0, dot) : cluster_config_path) + ".rkestate";
}

RkeState parse_rkestate(std::string_view text, const std::string& source) {
    const auto doc = formats::parse_json(text, source);
    RkeState state;
    state.desired_kubernetes_version = json_string_at(doc, {"desiredState", "rkeConfig", "kubernetesVersion"});
    state.current_kubernetes_version = json_string_at(doc, {"currentState", "rkeConfig", "kubernetesVersion"});
    return state;
}

std::optional<std::pair<int, int>> parse_kubernetes_version(std::string_view version) {
    if (!version.empty() && (version.front() == 'v' || version.front() == 'V')) version.remove_prefix(1);
    int major = 0;
    int minor = 0;
    const char* end = version.data() + version.size();
    auto [p1, e1] = std::from_chars(version.data(), end, major);
    if (e1 != std::errc() || p1 == end || *p1 != '.') return std::nullopt;
    auto [p2, e2] = std::from_chars(p1 + 1, end, minor);
    if (e2 != std::errc()) return std::nullopt;
    return std::make_pair(major, minor);
}

} // namespace kubecert::rke
