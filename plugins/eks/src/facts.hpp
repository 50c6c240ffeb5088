#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <kubecert/formats/kubeconfig.hpp>
#include <kubecert/kubelet/merge.hpp>
#include <kubecert/kubelet/sources.hpp>
#include <kubecert/sdk.hpp>

// What an EKS node says about its kubelet, read once through the host: the kubelet's sources in
// its own merge order (the shared engine, kubecert/kubelet), its kubeconfig, its certificates on
// disk and, when asked for, its live configz. The findings are judged from these facts alone.
namespace kubecert::eks {

using kubelet::ArgWord;
using kubelet::CommandLine;
using kubelet::ConfigDoc;
using kubelet::find_flags;
using kubelet::FlagHit;
using kubelet::kubelet_path;
using kubelet::KubeletSources;
using kubelet::Layer;
using kubelet::Rank;
using kubelet::resolve_feature_gate;
using kubelet::resolve_field;
using kubelet::Setting;
using kubelet::value_text;
using kubelet::WordOrigin;

// The paths EKS nodes keep the KubeletConfiguration at: AL2, AL2023 nodeadm, Bottlerocket (YAML).
// Constant data: loading the plugin runs no code.
inline constexpr std::array<const char*, 3> k_eks_config_paths{"/etc/kubernetes/kubelet/kubelet-config.json",
                                                               "/etc/kubernetes/kubelet/config.json",
                                                               "/etc/kubernetes/kubelet/config"};

// Why a fact could not be read: the finding that needs it is an ERROR naming `source`.
struct ReadError {
    std::string source;
    std::string message;
};

// The kubelet's --kubeconfig: how it authenticates to the API server.
struct KubeconfigFacts {
    std::string path;
    bool exists = false;
    std::optional<formats::KubeconfigUser> user; // the current user, when the file names one
    std::optional<std::string> bootstrap;        // --bootstrap-kubeconfig, when the kubelet has one
    std::string bootstrap_source;                // the command line that gives it
};

// One kubelet certificate file on disk.
struct CertFile {
    std::string name; // "kubelet-server", "kubelet-client"
    std::string path;
    std::optional<sdk::CertInfo> cert; // nullopt when it could not be parsed (see error)
    std::string error;
};

// The kubelet's certificates on disk.
struct CertFacts {
    std::string cert_dir;                  // --cert-dir, else /var/lib/kubelet/pki
    std::vector<std::string> server_paths; // where the serving certificate may be, in order
    std::string static_cert;               // tlsCertFile / --tls-cert-file ("" when the kubelet makes its own)
    std::vector<CertFile> files;           // the first existing file of each certificate
};

// The live configuration from GET <--eks-api-proxy>/api/v1/nodes/<node>/proxy/configz.
struct ConfigzFacts {
    enum class State { not_asked, problem, answered };
    State state = State::not_asked;
    std::string url;
    // State::problem: what went wrong, as the finding's evidence and remediation.
    sdk::Evidence problem;
    std::string remedy;
    // State::answered: the live values (nullopt when configz does not set them).
    std::optional<bool> rotate_server_cert_gate;
    std::optional<bool> server_tls_bootstrap;
};

// Everything the audit learned; the fix acts on the same facts.
struct Facts {
    std::vector<std::string> selected;     // the checks this run evaluates (--check)
    std::optional<KubeletSources> sources; // nullopt when they could not be read (see sources_error)
    ReadError sources_error;
    std::optional<KubeconfigFacts> kubeconfig; // nullopt when not read (check not selected, or error)
    std::optional<ReadError> kubeconfig_error;
    std::optional<CertFacts> certs;
    std::optional<ReadError> certs_error;
    ConfigzFacts configz;
};

// The kubelet's sources, falling back to the EKS paths when no command line is found.
inline KubeletSources load_kubelet_sources(const sdk::Host& host) {
    return kubelet::load_kubelet_sources(host, {k_eks_config_paths.begin(), k_eks_config_paths.end()});
}

// The value of the last --`name` flag of `cmd` (pflag: last wins), if any.
inline std::optional<std::string> flag_value(const CommandLine& cmd, const std::string& name) {
    return kubelet::kubelet_flag_value(cmd, name);
}

// True when the node's files look like an EKS node's (a known config path, /etc/eks, or a running
// kubelet given one of them).
bool detect_eks(const sdk::Host& host);

// AL2023: nodeadm writes the kubelet's config and environment at every boot.
inline bool is_nodeadm(const KubeletSources& s) {
    if (s.config_path == "/etc/kubernetes/kubelet/config.json") return true;
    for (const auto& f : s.unit_files)
        if (f == "/etc/eks/kubelet/environment") return true;
    return false;
}

// The kubelet's kubeconfig as named by its command line (default /var/lib/kubelet/kubeconfig).
KubeconfigFacts read_kubeconfig(const sdk::Host& host, const KubeletSources& s);

// The kubelet's serving and client certificates on disk, parsed by the host.
CertFacts read_certificates(const sdk::Host& host, const KubeletSources& s);

// Gathers the facts the selected checks need through the host (reads, the configz request).
Facts gather_facts(const sdk::Host& host);

} // namespace kubecert::eks
