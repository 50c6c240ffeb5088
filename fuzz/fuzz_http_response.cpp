// What an API server or kubelet sends back (net/http_response.hpp).
#include "net/http_response.hpp"

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto r = kubecert::net::parse_http_response(kubecert::fuzz::as_text(data, size), "https://peer");
    // Documented: any answer has a real status; errors are parse errors (nothing else can fail on bytes).
    if (r.ok() && (r->status < 100 || r->status > 999)) __builtin_trap();
    if (!r.ok() && r.error().code != kubecert::util::ErrorCode::parse) __builtin_trap();
    return 0;
}
