// RKE's cluster.yml (and the .rkestate beside it): parse, then the edit the
// plugin's fix makes, which must read back as enabled.
#include <kubecert/formats/parse_error.hpp>

#include "cluster_config.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace kubecert;
    const std::string_view text = fuzz::as_text(data, size);
    const std::string source = "/etc/rke/cluster.yml";
    try {
        const rke::ClusterConfig config = rke::parse_cluster_config(text, source);
        rke::parse_kubernetes_version(config.kubernetes_version);
        const std::string enabled = rke::enable_serving_certificate(text, source);
        if (!rke::parse_cluster_config(enabled, source).serving_cert_enabled) __builtin_trap();
    } catch (const formats::ParseError&) {
    }
    try {
        const rke::RkeState state = rke::parse_rkestate(text, "/etc/rke/cluster.rkestate");
        rke::parse_kubernetes_version(state.current_kubernetes_version);
    } catch (const formats::ParseError&) {
    }
    rke::parse_kubernetes_version(text);
    return 0;
}
