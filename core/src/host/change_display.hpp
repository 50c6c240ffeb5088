#pragma once

#include <optional>
#include <string>

// What a fix's report shows of one file change. A certificate's diff may stay,
// but no private key is ever shown (DESIGN.md "Fixes must be safe"): each key
// appears as its algorithm, size and public key fingerprint, each certificate
// embedded in a kubeconfig as its subject and validity, and a changed key is
// named in a first line ("private key replaced (RSA 2048, new public key
// sha256:...)").
namespace kubecert::host {

// `before` is nullopt for a file the change creates.
std::string describe_change(const std::string& node_path, const std::optional<std::string>& before,
                            const std::string& after);

// The file as a person is shown it: keys and embedded certificates replaced
// by their one-line descriptions.
std::string display_form(const std::string& content);

} // namespace kubecert::host
