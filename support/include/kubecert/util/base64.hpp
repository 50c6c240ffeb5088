#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kubecert::util {

// Standard base64 (RFC 4648, with padding, no line breaks), as kubeconfig
// files embed certificates and keys.
std::string base64_encode(std::string_view bytes);

// Decodes standard base64, ignoring blanks and line breaks; nullopt when a
// character is outside the alphabet or the padding is wrong.
std::optional<std::string> base64_decode(std::string_view text);

} // namespace kubecert::util
