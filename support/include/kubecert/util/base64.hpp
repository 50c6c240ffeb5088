#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kubecert::util {

// Standard base64 (RFC 4648, with padding, no line breaks), as kubeconfig
// files embed certificates and keys.
std::string base64_encode(std::string_view bytes);

// Whether base64 text must be padded to a multiple of four digits.
enum class Base64Padding { optional, required };

// Decodes standard base64, ignoring blanks and line breaks (wrapped text, as
// PEM bodies and kubectl output wrap it); nullopt when a character is outside
// the alphabet or the padding is wrong (or, with Base64Padding::required,
// missing: what OpenSSL's decoder and a DER sniffer expect).
std::optional<std::string> base64_decode(std::string_view text, Base64Padding padding = Base64Padding::optional);

} // namespace kubecert::util
