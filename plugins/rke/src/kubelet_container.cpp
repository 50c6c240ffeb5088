#include "kubelet_container.hpp"

#include <kubecert/formats/json_edit.hpp>
#include <kubecert/formats/kubelet_flags.hpp>

namespace kubecert::rke {

namespace {

std::vector<std::string> strings_of(const nlohmann::ordered_json& array) {
    std::vector<std::string> out;
    if (!array.is_array()) return out;
    for (const auto& item : array)
        if (item.is_string()) out.push_back(item.get<std::string>());
    return out;
}

} // namespace

std::optional<KubeletContainer> parse_docker_inspect(std::string_view json, const std::string& source) {
    const auto doc = formats::parse_json(json, source);
    const auto* first = &doc;
    if (doc.is_array()) {
        if (doc.empty()) return std::nullopt;
        first = &doc.front();
    }
    if (!first->is_object()) return std::nullopt;
    KubeletContainer container;
    if (first->contains("State") && (*first)["State"].is_object()) {
        const auto& state = (*first)["State"];
        container.running = state.contains("Running") && state["Running"].is_boolean() && state["Running"].get<bool>();
    }
    if (first->contains("Path") && (*first)["Path"].is_string())
        container.entrypoint = (*first)["Path"].get<std::string>();
    const auto config = first->contains("Config") ? (*first)["Config"] : nlohmann::ordered_json();
    if (config.is_object() && config.contains("Image") && config["Image"].is_string())
        container.image = config["Image"].get<std::string>();
    // Args are what follows the entrypoint (RKE: /opt/rke-tools/entrypoint.sh kubelet --...);
    // Config.Cmd says the same when an older docker leaves Args out.
    if (first->contains("Args")) container.args = strings_of((*first)["Args"]);
    if (container.args.empty() && config.is_object() && config.contains("Cmd"))
        container.args = strings_of(config["Cmd"]);
    return container;
}

std::optional<std::string> kubelet_flag_value(const std::vector<std::string>& args, std::string_view name) {
    const auto flag = formats::last_flag(formats::parse_kubelet_flags(args), name);
    if (!flag || !flag->value) return std::nullopt;
    return flag->value;
}

} // namespace kubecert::rke
