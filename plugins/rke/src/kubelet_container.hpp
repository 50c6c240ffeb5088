#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kubecert::rke {

// The RKE kubelet container as `docker inspect kubelet` describes it.
struct KubeletContainer {
    bool running = false;
    std::string image;
    // The kubelet's words after the entrypoint ("kubelet", "--v=2", ...).
    std::vector<std::string> args;
    std::string entrypoint{}; // Path, e.g. /opt/rke-tools/entrypoint.sh
};

// Parses the JSON array `docker inspect` prints; nullopt when it describes no container.
// Throws formats::ParseError naming `source` when it is not JSON.
std::optional<KubeletContainer> parse_docker_inspect(std::string_view json, const std::string& source);

// The value of the last --name=value / --name value flag in the kubelet's arguments.
std::optional<std::string> kubelet_flag_value(const std::vector<std::string>& args, std::string_view name);

} // namespace kubecert::rke
