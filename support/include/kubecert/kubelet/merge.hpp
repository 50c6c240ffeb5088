#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <kubecert/sdk.hpp>

#include <kubecert/kubelet/sources.hpp>

// The kubelet's merge of its sources into effective values (one engine for every plugin).
namespace kubecert::kubelet {

// Precedence ranks of the kubelet's merge order, lowest first.
enum class Rank { flag_feature_gates = 0, config_file = 1, config_dropin = 2, flag = 3 };

// One source that sets a value.
struct Layer {
    Rank rank;
    std::string source; // node path, "path:line (VAR)" or "/proc/N/cmdline"
    std::string key;    // how that source spells it: "serverTLSBootstrap", "--rotate-server-certificates"
    nlohmann::ordered_json value;
};

// Every source of one setting in the kubelet's merge order; the last one wins.
struct Setting {
    std::string key; // the KubeletConfiguration name, e.g. "featureGates.RotateKubeletServerCertificate"
    std::vector<Layer> layers;

    const Layer* winner() const { return layers.empty() ? nullptr : &layers.back(); }
    // The effective value as a boolean, nullopt when no source sets it.
    std::optional<bool> effective_bool() const;
    // The effective value as text ("" when unset).
    std::string effective_text() const;
    // One evidence row per source plus an "effective" row naming the winner;
    // `when_unset` describes the kubelet default.
    std::vector<sdk::Evidence> evidence(const std::string& expected, const std::string& when_unset) const;
};

// One occurrence of a flag on a command line.
struct FlagHit {
    std::string name;                 // without dashes
    std::optional<std::string> value; // nullopt for a bare boolean flag
    size_t index = 0;                 // index of the flag word in CommandLine::args
    bool value_in_next_word = false;  // "--name value" rather than "--name=value"
};

// Every occurrence of flag `name` on `cmd`, in order.
std::vector<FlagHit> find_flags(const CommandLine& cmd, const std::string& name);

// The effective value of a KubeletConfiguration field `path` that command-line flag `flag` overrides.
Setting resolve_field(const KubeletSources& s, const std::vector<std::string>& path, const std::string& flag);

// The effective value of a feature gate as the kubelet's code merges it: the
// config file, drop-ins, then --feature-gates on the command line (highest,
// key by key). Throws formats::ParseError for a malformed --feature-gates.
Setting resolve_feature_gate(const KubeletSources& s, const std::string& gate);

// JSON value as evidence text (strings without quotes).
std::string value_text(const nlohmann::ordered_json& v);

} // namespace kubecert::kubelet
