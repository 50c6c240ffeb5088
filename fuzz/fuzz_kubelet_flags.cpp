// Kubelet argument vectors (one argument per line), --feature-gates values
// and Go booleans.
#include <kubecert/formats/kubelet_flags.hpp>
#include <kubecert/formats/parse_error.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace kubecert::formats;
    const std::string_view text = kubecert::fuzz::as_text(data, size);
    const auto args = kubecert::fuzz::split(text, '\n');
    const auto flags = parse_kubelet_flags(args);
    for (const auto& f : flags) {
        if (f.index >= args.size()) __builtin_trap(); // must point into the argument vector
        is_boolean_kubelet_flag(f.name);
        if (f.value) parse_go_bool(*f.value);
        last_flag(flags, f.name);
    }
    try {
        parse_feature_gates(text, "--feature-gates");
    } catch (const ParseError&) {
    }
    parse_go_bool(text);
    return 0;
}
