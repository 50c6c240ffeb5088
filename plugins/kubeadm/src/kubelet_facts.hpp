#pragma once

#include <optional>
#include <string>
#include <vector>

#include <kubecert/kubelet/merge.hpp>
#include <kubecert/kubelet/sources.hpp>
#include <kubecert/sdk.hpp>

// What the kubelet on this node is configured with, merged by the shared engine
// (kubecert/kubelet) in the kubelet's own order: command-line flags over --config-dir drop-ins over
// the --config file over the defaults, feature gates key by key.
namespace kubecert::kubeadm {

// Where kubeadm writes the KubeletConfiguration: the file read when no kubelet command line is found.
inline constexpr const char* k_kubeadm_kubelet_config = "/var/lib/kubelet/config.yaml";
// The kubelet's kubeconfig when its command line names none (kubeadm's 10-kubeadm.conf names this one).
inline constexpr const char* k_kubeadm_kubelet_kubeconfig = "/etc/kubernetes/kubelet.conf";
// The feature gate without which serverTLSBootstrap requests no serving certificate.
inline constexpr const char* k_server_cert_gate = "RotateKubeletServerCertificate";

// The kubelet's configuration as far as certificate rotation goes.
struct KubeletSettings {
    // The running kubelet's command line (else the systemd unit's, else the env files kubeadm and the
    // packages write), its --config file and its --config-dir drop-ins.
    kubelet::KubeletSources sources;
    std::optional<std::string> config_text; // the --config file as written (what fix edits); nullopt when absent
    // The effective values, each with every source that sets it and the one that wins.
    kubelet::Setting rotate_certificates;  // rotateCertificates / --rotate-certificates
    kubelet::Setting server_tls_bootstrap; // serverTLSBootstrap / --rotate-server-certificates
    kubelet::Setting server_cert_gate;     // featureGates.RotateKubeletServerCertificate / --feature-gates
    // How the kubelet authenticates to the API server, from its --kubeconfig.
    std::string kubeconfig_path = k_kubeadm_kubelet_kubeconfig;
    std::string exec_command;        // the exec credential plugin's command ("" when none)
    std::vector<std::string> errors; // malformed inputs, each naming file:line:column

    // The --config file's path ("" when the kubelet reads none).
    const std::string& config_path() const { return sources.config_path; }
    // True when neither a command line nor a config file says anything about the kubelet.
    bool nothing_found() const { return !sources.config && !sources.command_line(); }
};

// Reads the kubelet's command line (running process, systemd unit with its drop-ins and
// environment files; without either, kubeadm-flags.env, /etc/default/kubelet and
// /etc/sysconfig/kubelet), its config file, drop-ins and kubeconfig, and resolves the settings.
KubeletSettings read_kubelet_settings(const sdk::Host& host);

// Resolves the three rotation settings of `s` from `s.sources` (pure: no reads). A malformed
// --feature-gates is recorded in `s.errors`.
void resolve_rotation_settings(KubeletSettings& s);

} // namespace kubecert::kubeadm
