#pragma once

#include <string>
#include <string_view>
#include <vector>

// Recognising private key material in text bound for a person, a log or a
// report, whatever plugin or command produced it (DESIGN.md: no private key
// material in any output). Pattern based, so it also catches keys kubecert
// never read: PEM private key blocks (complete or cut off), base64 of such a
// PEM (a kubeconfig's client-key-data), and the value of any "*-key-data" key.
namespace kubecert::secrets {

// What replaces a redacted key.
inline constexpr std::string_view k_redacted = "[private key redacted]";

// Whether `text` holds private key material by the patterns above.
bool contains_key_material(std::string_view text);

// The pieces of `text` that are key material, in order, not overlapping.
std::vector<std::string_view> key_material_pieces(std::string_view text);

// `text` with every such piece replaced by k_redacted. The replacement holds
// no quote, backslash or markup, so JSON, XML and Prometheus text stay valid.
std::string redact_key_material(std::string_view text);

} // namespace kubecert::secrets
