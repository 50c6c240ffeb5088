// JSON parsing and the order- and indentation-preserving edits
// (kubelet-config.json, .rkestate). The first byte picks the path.
#include <kubecert/formats/json_edit.hpp>
#include <kubecert/formats/parse_error.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace kubecert::formats;
    if (size == 0) return 0;
    static const std::vector<std::vector<std::string>> paths{
        {"serverTLSBootstrap"},
        {"featureGates", "RotateKubeletServerCertificate"},
        {"a", "b", "c"},
    };
    const auto& path = paths[data[0] % paths.size()];
    const std::string_view text = kubecert::fuzz::as_text(data + 1, size - 1);
    const std::string source = "/etc/kubernetes/kubelet/kubelet-config.json";
    try {
        parse_json(text, source);
    } catch (const ParseError&) {
    }
    try {
        const std::string set = json_set(text, source, path, true);
        // The edit must produce JSON holding the value.
        const auto doc = parse_json(set, source);
        const nlohmann::ordered_json* at = &doc;
        for (const auto& key : path) at = &at->at(key);
        if (*at != true) __builtin_trap();
        json_erase(set, source, path);
    } catch (const ParseError&) {
    }
    try {
        json_erase(text, source, path);
    } catch (const ParseError&) {
    }
    return 0;
}
