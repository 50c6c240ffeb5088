#pragma once

#include <string>
#include <vector>

// Where kubeadm keeps its certificates, and how it names them.
namespace kubecert::kubeadm {

// Where a leaf certificate lives: a .crt/.key pair or a kubeconfig's embedded user.
enum class CertHolder { pem_files, kubeconfig };

// A certificate authority of kubeadm's second check-expiration table.
struct AuthoritySpec {
    std::string name;      // "ca", "etcd-ca", "front-proxy-ca"
    std::string cert_path; // node path
    std::string key_path;
    // Why the CA may legitimately be absent (worker node, external etcd).
    std::string absent_reason;
    // Who renews the certificates this CA signs when it is not kubeadm (an external etcd's);
    // "" for kubeadm's own CAs. Its leaves are then reported, never renewed.
    std::string managed_by = "";
};

// A leaf certificate of kubeadm's first check-expiration table.
struct LeafSpec {
    std::string name; // "apiserver", "admin.conf", ...
    CertHolder holder = CertHolder::pem_files;
    std::string cert_path; // the .crt, or the kubeconfig
    std::string key_path;  // the .key ("" for a kubeconfig)
    std::string authority; // name of the AuthoritySpec that signs it
    // Why the file may legitimately be absent.
    std::string absent_reason;
};

// kubeadm's certificate layout under `pki_dir` and `kubeconfig_dir`
// (/etc/kubernetes/pki and /etc/kubernetes by default).
struct Layout {
    std::vector<AuthoritySpec> authorities; // alphabetical, as kubeadm prints them
    std::vector<LeafSpec> leaves;           // alphabetical, as kubeadm prints them
    const AuthoritySpec* authority(const std::string& name) const;
};

// Builds the layout kubeadm uses (cmd/kubeadm/app/phases/certs and kubeconfig).
Layout kubeadm_layout(const std::string& pki_dir, const std::string& kubeconfig_dir);

// True for the kubeconfigs only people use: renewing them needs no control-plane restart.
bool is_user_kubeconfig(const std::string& leaf_name);

} // namespace kubecert::kubeadm
