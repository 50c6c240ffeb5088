#pragma once

#include <optional>
#include <string>
#include <vector>

#include <kubecert/checks/kubelet_sources.hpp>
#include <kubecert/sdk.hpp>

// The kubelet's sources as the EKS plugin reads them: the shared engine
// (kubecert/checks/kubelet_sources.hpp) with the EKS nodes' config paths.
namespace kubecert::eks {

using checks::ArgWord;
using checks::CommandLine;
using checks::ConfigDoc;
using checks::kubelet_path;
using checks::KubeletSources;
using checks::parse_config_document;
using checks::relative_note;
using checks::WordOrigin;

// The paths EKS nodes keep the KubeletConfiguration at: AL2, AL2023 nodeadm, Bottlerocket (YAML).
inline const std::vector<std::string> k_eks_config_paths{"/etc/kubernetes/kubelet/kubelet-config.json",
                                                         "/etc/kubernetes/kubelet/config.json",
                                                         "/etc/kubernetes/kubelet/config"};

// The kubelet's sources, falling back to the EKS paths when no command line is found.
inline KubeletSources load_kubelet_sources(const sdk::Host& host) {
    return checks::load_kubelet_sources(host, k_eks_config_paths);
}

// The value of the last --`name` flag of `cmd` (pflag: last wins), if any.
inline std::optional<std::string> flag_value(const CommandLine& cmd, const std::string& name) {
    return checks::kubelet_flag_value(cmd, name);
}

} // namespace kubecert::eks
