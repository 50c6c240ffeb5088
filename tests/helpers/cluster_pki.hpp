#pragma once

#include <string>

#include "pki.hpp"

// A test cluster's certificates and the kubeconfig text that carries them, for the tests that
// talk to an HTTPS API server on 127.0.0.1 (HttpsServer) or read kubeconfigs: made once per test
// program with the OpenSSL library (pki.hpp), valid from a day ago for a year.
namespace kubecert::test {

struct ClusterPki {
    KeyPair ca;         // CN=kubernetes
    KeyPair api_server; // CN=kube-apiserver for DNS:kubernetes and IP:127.0.0.1, server auth, signed by ca
    KeyPair admin;      // CN=kubernetes-admin, O=system:masters, client auth, signed by ca (RSA, as kubeadm's)
    KeyPair other_ca;   // CN=not-the-cluster: a CA the cluster's certificates do not chain to
};

// The same object for the whole test program.
const ClusterPki& cluster_pki();

// Kubeconfig YAML. `cluster` and `user` are the lines under `cluster:` and `user:`, indented by
// four spaces, as the two functions after it write them.
// One cluster "test", one user "admin" and its context "admin@test", the current one.
std::string kubeconfig_yaml(const std::string& cluster, const std::string& user);
// `server:` and `certificate-authority-data:` (the CA embedded).
std::string cluster_yaml(const std::string& server, const std::string& ca_pem);
// `client-certificate-data:` and `client-key-data:` of `client` (embedded).
std::string client_certificate_yaml(const KeyPair& client);

} // namespace kubecert::test
