#include <kubecert/kubelet/merge.hpp>

#include <kubecert/formats/kubelet_flags.hpp>
#include <kubecert/formats/parse_error.hpp>

namespace kubecert::kubelet {

namespace fmt = kubecert::formats;

namespace {

const nlohmann::ordered_json* at_path(const nlohmann::ordered_json& doc, const std::vector<std::string>& path) {
    const nlohmann::ordered_json* cur = &doc;
    for (const auto& k : path) {
        if (!cur->is_object()) return nullptr;
        auto it = cur->find(k);
        if (it == cur->end()) return nullptr;
        cur = &*it;
    }
    return cur;
}

std::string join(const std::vector<std::string>& path) {
    std::string s;
    for (const auto& k : path) s += (s.empty() ? "" : ".") + k;
    return s;
}

// Config documents in merge order: the --config file, then drop-ins by name.
std::vector<const ConfigDoc*> documents(const KubeletSources& s) {
    std::vector<const ConfigDoc*> docs;
    if (s.config) docs.push_back(&*s.config);
    for (const auto& d : s.dropins) docs.push_back(&d);
    return docs;
}

// The kubelet decodes its config strictly: "serverTLSBootstrap": "yes" stops it
// from starting, so a boolean setting of another type is malformed input.
void require_boolean(const ConfigDoc& doc, const std::string& key, const nlohmann::ordered_json& v) {
    if (!v.is_boolean())
        throw fmt::ParseError(doc.path, 0, 0, key + " must be a boolean (true or false), not " + v.dump());
}

} // namespace

std::string value_text(const nlohmann::ordered_json& v) {
    return v.is_string() ? v.get<std::string>() : v.dump();
}

std::optional<bool> Setting::effective_bool() const {
    const Layer* w = winner();
    if (!w) return std::nullopt;
    if (w->value.is_boolean()) return w->value.get<bool>();
    if (w->value.is_string()) return fmt::parse_go_bool(w->value.get<std::string>());
    return std::nullopt;
}

std::string Setting::effective_text() const {
    const Layer* w = winner();
    return w ? value_text(w->value) : std::string();
}

std::vector<sdk::Evidence> Setting::evidence(const std::string& expected, const std::string& when_unset) const {
    std::vector<sdk::Evidence> ev;
    for (const auto& l : layers) ev.push_back({l.source, l.key, value_text(l.value), expected});
    if (const Layer* w = winner())
        ev.push_back({"effective", key, value_text(w->value) + " (from " + w->source + ")", expected});
    else
        ev.push_back({"effective", key, "not set by any source: " + when_unset, expected});
    return ev;
}

std::vector<FlagHit> find_flags(const CommandLine& cmd, const std::string& name) {
    std::vector<FlagHit> hits;
    for (const auto& f : fmt::parse_kubelet_flags(cmd.words())) {
        if (f.name != name) continue;
        FlagHit h{f.name, f.value, f.index, false};
        h.value_in_next_word = f.value && cmd.args[f.index].text.find('=') == std::string::npos;
        hits.push_back(h);
    }
    return hits;
}

Setting resolve_field(const KubeletSources& s, const std::vector<std::string>& path, const std::string& flag) {
    Setting st;
    st.key = join(path);
    const bool boolean = fmt::is_boolean_kubelet_flag(flag);
    for (const ConfigDoc* d : documents(s)) {
        if (const auto* v = at_path(d->json, path)) {
            if (boolean) require_boolean(*d, st.key, *v);
            st.layers.push_back({d->is_dropin ? Rank::config_dropin : Rank::config_file, d->path, st.key, *v});
        }
    }
    if (const CommandLine* cmd = s.command_line()) {
        auto hits = find_flags(*cmd, flag);
        if (!hits.empty()) { // pflag: the last occurrence wins
            const FlagHit& h = hits.back();
            nlohmann::ordered_json v;
            if (fmt::is_boolean_kubelet_flag(flag)) {
                auto b = h.value ? fmt::parse_go_bool(*h.value) : std::optional<bool>(true);
                v = b ? nlohmann::ordered_json(*b) : nlohmann::ordered_json(*h.value);
            } else {
                v = h.value ? *h.value : std::string();
            }
            st.layers.push_back({Rank::flag, cmd->describe(cmd->args[h.index]), "--" + flag, v});
        }
    }
    return st;
}

Setting resolve_feature_gate(const KubeletSources& s, const std::string& gate) {
    Setting st;
    st.key = "featureGates." + gate;
    for (const ConfigDoc* d : documents(s)) {
        if (const auto* v = at_path(d->json, {"featureGates", gate})) {
            require_boolean(*d, st.key, *v);
            st.layers.push_back({d->is_dropin ? Rank::config_dropin : Rank::config_file, d->path, st.key, *v});
        }
    }
    // The kubelet's code (kubeletConfigFlagPrecedence) merges the command-line gates over the
    // file's key by key: a gate on the command line wins, whatever the documentation's order says.
    if (const CommandLine* cmd = s.command_line()) {
        // --feature-gates accumulates over occurrences; a later one overrides a key.
        std::optional<Layer> last;
        for (const auto& h : find_flags(*cmd, "feature-gates")) {
            const std::string where = cmd->describe(cmd->args[h.index]);
            auto gates = fmt::parse_feature_gates(h.value.value_or(""), where);
            if (auto it = gates.find(gate); it != gates.end())
                last = Layer{Rank::flag_feature_gates, where, "--feature-gates " + gate, it->second};
        }
        if (last) st.layers.push_back(*last);
    }
    return st;
}

} // namespace kubecert::kubelet
