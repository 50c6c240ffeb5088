// Kubeconfig files: parse, then rewrite the credentials of every user found.
#include <kubecert/formats/kubeconfig.hpp>
#include <kubecert/formats/parse_error.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace kubecert::formats;
    const std::string_view text = kubecert::fuzz::as_text(data, size);
    const std::string source = "/etc/kubernetes/kubelet.conf";
    try {
        const Kubeconfig kc = parse_kubeconfig(text, source);
        kc.current_user();
        kc.current_cluster();
        for (const auto& user : kc.users) {
            try {
                replace_client_credentials(text, source, user.name, "Q0VSVA==", "S0VZ");
            } catch (const ParseError&) {
            }
        }
    } catch (const ParseError&) {
    }
    try {
        replace_client_credentials(text, source, "default-auth", "", "S0VZ");
    } catch (const ParseError&) {
    }
    return 0;
}
