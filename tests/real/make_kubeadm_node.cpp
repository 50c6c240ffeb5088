// Writes the generated kubeadm control-plane node of the end-to-end tests under a folder, for the
// real-component tests (shell scripts). Usage: kubecert-test-make-node DIR expired-control-plane
//   expired-control-plane: every leaf certificate and the kubelet's client certificate (ECDSA,
//   behind kubelet-client-current.pem) expired a week ago; the CAs are valid.
#include <cstdio>
#include <exception>
#include <string>

#include "kubeadm_node.hpp"

int main(int argc, char** argv) {
    if (argc != 3 || std::string(argv[2]) != "expired-control-plane") {
        std::fprintf(stderr, "usage: %s DIR expired-control-plane\n", argv[0]);
        return 2;
    }
    kubecert::test::KubeadmNodeSpec spec;
    spec.default_days = -7;
    spec.kubelet_client_days = -7;
    spec.kubelet_client_key_type = "ec";
    try {
        kubecert::test::write_kubeadm_node(argv[1], spec);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
        return 1;
    }
    return 0;
}
