// EnvironmentFile=, kubeadm-flags.env, /etc/default/kubelet.
#include <kubecert/formats/parse_error.hpp>
#include <kubecert/formats/systemd_unit.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace kubecert::formats;
    try {
        for (const auto& [name, value] :
             parse_env_file(kubecert::fuzz::as_text(data, size), "/var/lib/kubelet/kubeadm-flags.env"))
            split_words(value);
    } catch (const ParseError&) {
    }
    return 0;
}
