// RFC 3339 timestamps (--now, certificate dates) and durations (--warn-within).
#include <kubecert/util/time.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace kubecert::util;
    const std::string_view text = kubecert::fuzz::as_text(data, size);
    if (const auto t = parse_rfc3339(text)) {
        format_rfc3339(*t);
        format_short_date(*t);
        format_residual(*t);
    }
    if (const auto d = parse_duration(text)) {
        if (*d < 0) __builtin_trap(); // documented: negative is nullopt
        format_duration(*d);
        format_duration(-*d);
        format_residual(*d);
    }
    return 0;
}
