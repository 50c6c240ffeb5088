#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <kubecert/kubelet/command_line.hpp>
#include <kubecert/sdk.hpp>

// What the kubelet on this node is configured with: its KubeletConfiguration
// file and its command-line flags, from every place kubeadm nodes set them.
namespace kubecert::kubeadm {

// A flag as the kubelet would see it in one source.
struct FlagValue {
    std::string source; // the file (and variable) that sets it
    bool value = false;
    std::string text; // as written, e.g. "--rotate-certificates=false"
};

// The kubelet's configuration as far as certificate rotation goes.
struct KubeletSettings {
    std::string config_path = "/var/lib/kubelet/config.yaml";
    std::optional<std::string> config_text;   // nullopt when the file is absent
    std::optional<bool> rotate_certificates;  // rotateCertificates in the file
    std::optional<bool> server_tls_bootstrap; // serverTLSBootstrap in the file
    // systemd's command line (or, without a unit, the env files kubeadm and
    // the packages write) first, running processes last.
    std::vector<kubelet::KubeletCommandLine> flag_sources;
    std::string config_note; // how config_path was chosen (a relative --config resolved, ...)
    std::string config_dir;  // --config-dir ("" when not given)
    // The --config-dir drop-in whose value wins over the file, per key ("" when the file decides),
    // merged by the shared engine (kubecert/kubelet/merge.hpp), as the EKS plugin does.
    std::string rotate_certificates_from;
    std::string server_tls_bootstrap_from;
    // How the kubelet authenticates to the API server, from its --kubeconfig.
    std::string kubeconfig_path = "/etc/kubernetes/kubelet.conf";
    std::string exec_command;        // the exec credential plugin's command ("" when none)
    std::vector<std::string> errors; // malformed inputs, each naming file:line:column
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
