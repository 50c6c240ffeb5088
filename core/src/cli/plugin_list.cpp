#include "cli/plugin_list.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace kubecert::cli {

namespace {

nlohmann::ordered_json optional_text(const std::optional<std::string>& v) {
    return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json();
}

nlohmann::ordered_json plugin_json(const loader::PluginModel& m) {
    nlohmann::ordered_json e;
    e["name"] = m.name;
    e["version"] = m.version;
    e["abi"] = m.abi_text();
    e["path"] = m.path;
    e["description"] = m.description;
    e["checks"] = nlohmann::ordered_json::array();
    for (const auto& c : m.checks) e["checks"].push_back({{"id", c.id}, {"title", c.title}});
    e["options"] = nlohmann::ordered_json::array();
    for (const auto& o : m.options) {
        nlohmann::ordered_json oj;
        oj["flag"] = "--" + m.name + "-" + o.name;
        oj["value_name"] = optional_text(o.value_name);
        oj["help"] = o.help;
        oj["default"] = optional_text(o.default_value);
        e["options"].push_back(oj);
    }
    return e;
}

std::string plugin_text(const loader::PluginModel& m) {
    std::string out = m.name + " " + m.version + "  (ABI " + m.abi_text() + ")  " + m.path + "\n";
    if (!m.description.empty()) out += "  " + m.description + "\n";
    out += "  checks:\n";
    size_t width = 0;
    for (const auto& c : m.checks) width = std::max(width, c.id.size());
    for (const auto& c : m.checks) out += "    " + c.id + std::string(width - c.id.size() + 2, ' ') + c.title + "\n";
    if (!m.options.empty()) out += "  options:\n";
    for (const auto& o : m.options) {
        out += "    --" + m.name + "-" + o.name + (o.value_name ? " " + *o.value_name : "") + "  " + o.help;
        if (o.default_value) out += " (default " + *o.default_value + ")";
        out += "\n";
    }
    return out + "\n";
}

} // namespace

std::string render_plugin_list(const std::vector<std::unique_ptr<loader::LoadedPlugin>>& plugins,
                               const std::vector<std::string>& errors, const std::string& format) {
    if (format == "json") {
        nlohmann::ordered_json j;
        j["schema"] = "kubecert/plugins/v1";
        j["plugins"] = nlohmann::ordered_json::array();
        for (const auto& p : plugins) j["plugins"].push_back(plugin_json(p->model()));
        j["errors"] = errors;
        return j.dump(2) + "\n";
    }
    std::string out;
    for (const auto& p : plugins) out += plugin_text(p->model());
    if (plugins.empty()) out += "no plugins loaded\n";
    for (const auto& e : errors) out += "error: " + e + "\n";
    return out;
}

} // namespace kubecert::cli
