// Redaction of private keys from anything bound for output: it must not
// crash, and no PEM private key header of the input may survive it.
#include "secrets/key_material.hpp"

#include "fuzz_input.hpp"

namespace {

// Every "-----BEGIN <label>PRIVATE KEY-----" header (the form the redactor
// recognises: at most 80 bytes), at every position.
std::vector<std::string_view> private_key_headers(std::string_view text) {
    std::vector<std::string_view> out;
    for (std::size_t pos = text.find("-----BEGIN "); pos != std::string_view::npos;
         pos = text.find("-----BEGIN ", pos + 1)) {
        const std::size_t label_end = text.find("-----", pos + 11);
        if (label_end == std::string_view::npos) break;
        const std::string_view header = text.substr(pos, label_end + 5 - pos);
        if (header.size() <= 80 && header.ends_with("PRIVATE KEY-----")) out.push_back(header);
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace kubecert::secrets;
    const std::string_view text = kubecert::fuzz::as_text(data, size);
    const std::string redacted = redact_key_material(text);
    for (std::string_view header : private_key_headers(redacted)) {
        // Text around a redaction can spell a "header" around the marker itself
        // ("-----BEGIN x: [private key redacted]END ... KEY-----"): it holds no key.
        if (header.find(k_redacted) != std::string_view::npos) continue;
        if (text.find(header) != std::string_view::npos) __builtin_trap(); // a key header of the input leaked
    }
    if (!private_key_headers(text).empty() && !contains_key_material(text)) __builtin_trap();
    key_material_pieces(text);
    return 0;
}
