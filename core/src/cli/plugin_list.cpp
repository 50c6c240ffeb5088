#include "cli/plugin_list.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace kubecert::cli {

namespace {
std::string s(const char* p) { return p ? p : ""; }
} // namespace

std::string render_plugin_list(const std::vector<std::unique_ptr<loader::LoadedPlugin>>& plugins,
                               const std::vector<std::string>& errors, const std::string& format) {
    if (format == "json") {
        nlohmann::ordered_json j;
        j["schema"] = "kubecert/plugins/v1";
        j["plugins"] = nlohmann::ordered_json::array();
        for (const auto& p : plugins) {
            const auto& api = p->api();
            nlohmann::ordered_json e;
            e["name"] = p->name();
            e["version"] = p->version();
            e["abi"] = p->abi_version();
            e["path"] = p->path();
            e["description"] = s(api.description);
            e["checks"] = nlohmann::ordered_json::array();
            for (size_t i = 0; i < api.check_count; ++i)
                e["checks"].push_back({{"id", s(api.checks[i].id)}, {"title", s(api.checks[i].title)}});
            e["options"] = nlohmann::ordered_json::array();
            for (size_t i = 0; i < api.option_count; ++i) {
                const auto& o = api.options[i];
                nlohmann::ordered_json oj;
                oj["flag"] = "--" + p->name() + "-" + s(o.name);
                oj["value_name"] = o.value_name ? nlohmann::ordered_json(o.value_name) : nlohmann::ordered_json();
                oj["help"] = s(o.help);
                oj["default"] = o.default_value ? nlohmann::ordered_json(o.default_value) : nlohmann::ordered_json();
                e["options"].push_back(oj);
            }
            j["plugins"].push_back(e);
        }
        j["errors"] = errors;
        return j.dump(2) + "\n";
    }
    std::string out;
    for (const auto& p : plugins) {
        const auto& api = p->api();
        out += p->name() + " " + p->version() + "  (ABI " + p->abi_version() + ")  " + p->path() + "\n";
        if (api.description) out += "  " + s(api.description) + "\n";
        out += "  checks:\n";
        size_t width = 0;
        for (size_t i = 0; i < api.check_count; ++i) width = std::max(width, s(api.checks[i].id).size());
        for (size_t i = 0; i < api.check_count; ++i) {
            const std::string id = s(api.checks[i].id);
            out += "    " + id + std::string(width - id.size() + 2, ' ') + s(api.checks[i].title) + "\n";
        }
        if (api.option_count) out += "  options:\n";
        for (size_t i = 0; i < api.option_count; ++i) {
            const auto& o = api.options[i];
            out += "    --" + p->name() + "-" + s(o.name) + (o.value_name ? " " + s(o.value_name) : "") + "  " +
                   s(o.help);
            if (o.value_name && o.default_value) out += " (default " + s(o.default_value) + ")";
            out += "\n";
        }
        out += "\n";
    }
    if (plugins.empty()) out += "no plugins loaded\n";
    for (const auto& e : errors) out += "error: " + e + "\n";
    return out;
}

} // namespace kubecert::cli
