// Writes a generated kubeadm control-plane node under a folder, for the benchmark.
// Usage: kubecert-bench-make-node DIR [fine|due] [rsa|ec]
//   fine: every leaf valid for 300 more days (an audit that passes)
//   due:  every leaf expired yesterday (a fix that renews all eleven)
#include <cstdio>
#include <string>

#include "kubeadm_node.hpp"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s DIR [fine|due] [rsa|ec]\n", argv[0]);
        return 2;
    }
    kubecert::test::KubeadmNodeSpec spec;
    const std::string mode = argc > 2 ? argv[2] : "fine";
    if (mode == "due") spec.default_days = -1;
    if (argc > 3) spec.key_type = argv[3];
    kubecert::test::write_kubeadm_node(argv[1], spec);
    return 0;
}
