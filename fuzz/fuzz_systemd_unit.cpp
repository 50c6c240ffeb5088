// Unit files and drop-ins: parse, then every consumer of the parsed values
// (effective values, Environment= splitting, ExecStart= word splitting).
#include <kubecert/formats/parse_error.hpp>
#include <kubecert/formats/systemd_unit.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace kubecert::formats;
    const std::string_view text = kubecert::fuzz::as_text(data, size);
    try {
        const SystemdUnit unit = parse_systemd_unit(text, "/etc/systemd/system/kubelet.service");
        std::map<std::string, std::string> env;
        for (const auto& e : effective_values({unit, unit}, "Service", "Environment"))
            for (auto& [name, value] : parse_environment_assignments(e.value)) env[name] = value;
        for (const auto& e : effective_values({unit}, "Service", "ExecStart")) split_exec_line(e.value, env);
    } catch (const ParseError&) {
    }
    // The helpers also see raw lines from other sources.
    parse_environment_assignments(text);
    split_exec_line(text, {{"KUBELET_ARGS", "--a=b c"}, {"X", ""}});
    split_words(text);
    return 0;
}
