// YAML parsing and the text-preserving scalar edit (KubeletConfiguration,
// manifests). The first byte picks the path to set.
#include <kubecert/formats/parse_error.hpp>
#include <kubecert/formats/yaml_edit.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace kubecert::formats;
    if (size == 0) return 0;
    static const std::vector<std::vector<std::string>> paths{
        {"serverTLSBootstrap"},
        {"featureGates", "RotateKubeletServerCertificate"},
        {"services", "kubelet", "generate_serving_certificate"},
        {"a", "b", "c", "d"},
    };
    const auto& path = paths[data[0] % paths.size()];
    const std::string_view text = kubecert::fuzz::as_text(data + 1, size - 1);
    const std::string source = "/var/lib/kubelet/config.yaml";
    try {
        parse_yaml(text, source);
    } catch (const ParseError&) {
    }
    try {
        const std::string edited = yaml_set_scalar(text, source, path, "true");
        // What we wrote must read back: an edit that breaks the file is a defect.
        YAML::Node node = parse_yaml(edited, source);
        for (const auto& key : path) node.reset(node[key]);
        if (!node || !node.IsScalar() || node.Scalar() != "true") __builtin_trap();
    } catch (const ParseError&) {
    }
    return 0;
}
