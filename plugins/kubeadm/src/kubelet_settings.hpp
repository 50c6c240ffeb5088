#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <kubecert/sdk.hpp>

// What the kubelet on this node is configured with: its KubeletConfiguration
// file and its command-line flags, from every place kubeadm nodes set them.
namespace kubecert::kubeadm {

// One command line the kubelet gets (or got) its flags from.
struct FlagSource {
    std::string label;             // e.g. "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf: ExecStart"
    std::vector<std::string> args; // without argv[0]
    // Where each expanded variable came from ("KUBELET_KUBEADM_ARGS" -> "/var/lib/kubelet/kubeadm-flags.env").
    std::map<std::string, std::string> variable_origin;
    std::map<std::string, std::string> variables;
};

// A flag as the kubelet would see it in one source.
struct FlagValue {
    std::string source; // the file (and variable) that sets it
    bool value = false;
    std::string text;   // as written, e.g. "--rotate-certificates=false"
};

// The kubelet's configuration as far as certificate rotation goes.
struct KubeletSettings {
    std::string config_path = "/var/lib/kubelet/config.yaml";
    std::optional<std::string> config_text; // nullopt when the file is absent
    std::optional<bool> rotate_certificates;  // rotateCertificates in the file
    std::optional<bool> server_tls_bootstrap; // serverTLSBootstrap in the file
    std::vector<FlagSource> flag_sources;     // systemd's command line first, running processes last
    std::vector<std::string> errors;          // malformed inputs, each naming file:line:column
    // The value of boolean flag `name` in each source that sets it.
    std::vector<FlagValue> flag_values(const std::string& name) const;
};

// Reads the kubelet's configuration file, the systemd unit and drop-ins,
// kubeadm-flags.env, /etc/default/kubelet, /etc/sysconfig/kubelet and the
// running kubelet's command line under ROOT/proc.
KubeletSettings read_kubelet_settings(const sdk::Host& host);

// The boolean at `key` of a KubeletConfiguration; throws ParseError when the
// YAML is malformed or the value is not a boolean.
std::optional<bool> kubelet_config_bool(const std::string& text, const std::string& source, const std::string& key);

} // namespace kubecert::kubeadm
