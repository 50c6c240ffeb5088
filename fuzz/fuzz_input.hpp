#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// Helpers shared by the harnesses: turning libFuzzer's bytes into the
// arguments the parsers take.
namespace kubecert::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// Splits at `sep` (for parsers that take several inputs: key and certificate,
// argument vectors); always at least one piece.
inline std::vector<std::string> split(std::string_view text, char sep) {
    std::vector<std::string> out;
    std::size_t at = 0;
    for (;;) {
        const std::size_t next = text.find(sep, at);
        out.emplace_back(text.substr(at, next == std::string_view::npos ? std::string_view::npos : next - at));
        if (next == std::string_view::npos) return out;
        at = next + 1;
    }
}

} // namespace kubecert::fuzz
