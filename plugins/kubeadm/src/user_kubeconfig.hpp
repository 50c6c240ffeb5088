#pragma once

#include <string>
#include <vector>

#include <kubecert/sdk.hpp>

#include "cert_store.hpp"

// kubeadm.user-kubeconfig-current: the copies of admin.conf people keep in ~/.kube/config.
namespace kubecert::kubeadm {

// The kubeconfigs people use on this node: /root/.kube/config and the invoking user's.
std::vector<std::string> user_kubeconfig_paths(const sdk::Host& host);

// What one user kubeconfig embeds compared with the current admin kubeconfigs.
struct UserKubeconfigCopy {
    std::string path;
    std::string text;
    std::string user_name;
    std::string source_name; // "admin.conf" or "super-admin.conf" when it is a copy of one, else ""
    bool stale = false;      // a copy of that file with an older client certificate
    std::string description; // for the evidence
};

// Compares `path` with the admin kubeconfigs. Throws ParseError / sdk::Error
// when the file is malformed or unreadable; nullopt when it does not exist.
std::optional<UserKubeconfigCopy> inspect_user_kubeconfig(const sdk::Host& host, const std::string& path,
                                                          const LoadedCert& admin, const LoadedCert& super_admin);

// One user kubeconfig as read: its comparison with the admin kubeconfigs, or why it could not be read.
struct UserKubeconfigRead {
    std::string path;
    std::optional<UserKubeconfigCopy> copy; // nullopt when absent or not readable
    std::string parse_error;                // it is malformed (names file, line and column)
    std::string read_error;                 // the host could not read it
};

// The user kubeconfigs of this node compared with admin.conf.
struct UserKubeconfigs {
    std::string admin_path;      // admin.conf's node path
    bool admin_readable = false; // there is an admin.conf certificate to compare with
    std::vector<UserKubeconfigRead> files;
};

// Reads and compares every user kubeconfig (user_kubeconfig_paths) with the admin kubeconfigs.
UserKubeconfigs read_user_kubeconfigs(const sdk::Host& host, const LoadedCert& admin, const LoadedCert& super_admin);

// kubeadm.user-kubeconfig-current, judged from what was read.
sdk::Finding audit_user_kubeconfigs(const UserKubeconfigs& users);

// Replaces the client certificate and key of every stale copy with those of
// the admin kubeconfig it copies (read again now, so after a renewal in the
// same fix). Everything else in the file is kept. Returns the paths changed.
std::vector<std::string> refresh_user_kubeconfigs(const sdk::Host& host, const std::string& kubeconfig_dir);

} // namespace kubecert::kubeadm
