#pragma once

#include <string>

#include <kubecert/sdk.hpp>

// Reading a certificate (and its key) from the node, whichever way kubeadm stores it.
namespace kubecert::kubeadm {

enum class LoadState { absent, error, loaded };

// A certificate as found on the node.
struct LoadedCert {
    LoadState state = LoadState::absent;
    std::string error;    // why it could not be read, naming the file (state error)
    std::string path;     // node path of the file holding the certificate
    sdk::CertInfo info;   // parsed certificate (info.pem is PEM)
    std::string key;      // the private key as stored (PEM, or base64 in a kubeconfig); "" when none
    std::string key_path; // node path holding the key ("" when none is known)
    // Set for a certificate embedded in a kubeconfig.
    std::string kubeconfig_text;
    std::string user_name;
    std::string cert_base64;
    std::string key_base64;
    bool embedded = false;
    // The kubeconfig's user authenticates otherwise (token, exec): state is error.
    bool no_client_cert = false;
};

// Reads a PEM certificate file and its key file. A missing certificate is
// `absent`; a missing key leaves `key` empty.
LoadedCert load_pem_pair(const sdk::Host& host, const std::string& cert_path, const std::string& key_path);

// Reads the client certificate of the current user of a kubeconfig: embedded
// (client-certificate-data) or a file it points at (client-certificate,
// relative to the kubeconfig's folder). A missing kubeconfig is `absent`; a
// kubeconfig without a client certificate is an error.
LoadedCert load_kubeconfig_cert(const sdk::Host& host, const std::string& kubeconfig_path);

// The folder part of a node path ("/a/b/c" -> "/a/b").
std::string parent_path(const std::string& path);

} // namespace kubecert::kubeadm
