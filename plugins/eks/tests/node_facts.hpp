#pragma once

// In-memory kubelet sources for the EKS plugin's unit tests: a unit file's ExecStart words and
// a config document, as the facts layer would read them from a node.
#include <sstream>
#include <string>

#include "facts.hpp"

namespace kubecert::eks::testing {

inline const std::string k_unit = "/etc/systemd/system/kubelet.service";
inline const std::string k_config = "/etc/kubernetes/kubelet/kubelet-config.json";

// Sources of a kubelet started by kubelet.service with `args` (on ExecStart, line 5) reading `config`.
inline KubeletSources sources(const std::string& args, const std::string& config_json = "{}") {
    KubeletSources s;
    CommandLine unit;
    unit.source = k_unit + ":5 (ExecStart)";
    std::istringstream words(args);
    for (std::string w; words >> w;) unit.args.push_back({w, {k_unit, 5, ""}});
    unit.args.push_back({"--config=" + k_config, {k_unit, 5, ""}});
    s.unit = unit;
    s.unit_files = {k_unit};
    s.config_path = k_config;
    s.config_note = "--config on " + k_unit;
    s.config = ConfigDoc{k_config, false, nlohmann::ordered_json::parse(config_json)};
    return s;
}

} // namespace kubecert::eks::testing
