#pragma once

#include <optional>
#include <string>
#include <vector>

#include <kubecert/kubelet/sources.hpp>
#include <kubecert/sdk.hpp>

// The kubelet's sources as the EKS plugin reads them: the shared engine
// (kubecert/kubelet/sources.hpp) with the EKS nodes' config paths.
namespace kubecert::eks {

using kubelet::ArgWord;
using kubelet::CommandLine;
using kubelet::ConfigDoc;
using kubelet::kubelet_path;
using kubelet::KubeletSources;
using kubelet::parse_config_document;
using kubelet::relative_note;
using kubelet::WordOrigin;

// The paths EKS nodes keep the KubeletConfiguration at: AL2, AL2023 nodeadm, Bottlerocket (YAML).
inline const std::vector<std::string> k_eks_config_paths{"/etc/kubernetes/kubelet/kubelet-config.json",
                                                         "/etc/kubernetes/kubelet/config.json",
                                                         "/etc/kubernetes/kubelet/config"};

// The kubelet's sources, falling back to the EKS paths when no command line is found.
inline KubeletSources load_kubelet_sources(const sdk::Host& host) {
    return kubelet::load_kubelet_sources(host, k_eks_config_paths);
}

// The value of the last --`name` flag of `cmd` (pflag: last wins), if any.
inline std::optional<std::string> flag_value(const CommandLine& cmd, const std::string& name) {
    return kubelet::kubelet_flag_value(cmd, name);
}

} // namespace kubecert::eks
