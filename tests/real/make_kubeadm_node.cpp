// Writes the generated kubeadm control-plane node of the end-to-end tests under a folder, for the
// real-component tests (shell scripts). Usage: kubecert-test-make-node DIR MODE
//   expired-control-plane: every leaf certificate and the kubelet's client certificate (ECDSA,
//   behind kubelet-client-current.pem) expired a week ago; the CAs are valid.
//   healthy-control-plane: every certificate valid for most of a year, serverTLSBootstrap off.
#include <cstdio>
#include <exception>
#include <string>

#include "kubeadm_node.hpp"

int main(int argc, char** argv) {
    const std::string mode = argc == 3 ? argv[2] : "";
    if (mode != "expired-control-plane" && mode != "healthy-control-plane") {
        std::fprintf(stderr, "usage: %s DIR expired-control-plane|healthy-control-plane\n", argv[0]);
        return 2;
    }
    kubecert::test::KubeadmNodeSpec spec;
    spec.default_days = mode == "expired-control-plane" ? -7 : 300;
    spec.kubelet_client_days = spec.default_days;
    spec.kubelet_client_key_type = "ec";
    try {
        kubecert::test::write_kubeadm_node(argv[1], spec);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
        return 1;
    }
    return 0;
}
