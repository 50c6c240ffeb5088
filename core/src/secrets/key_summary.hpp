#pragma once

#include <optional>
#include <string>
#include <string_view>

// How a person is shown a private key without seeing it: its algorithm, size
// and the SHA-256 of its public key (the SubjectPublicKeyInfo DER, as
// `openssl pkey -pubout -outform DER | sha256sum` prints it).
namespace kubecert::secrets {

// "RSA 2048, public key sha256:<64 hex>" for a key in PEM (any label) or
// base64 of PEM; "encrypted private key" when it needs a passphrase;
// nullopt when `data` is no private key.
std::optional<std::string> describe_private_key(std::string_view data);

} // namespace kubecert::secrets
