#include "app/run_context.hpp"

namespace kubecert::app {

bool RunContext::check_selected(const std::string& id) const {
    if (checks.empty()) return true;
    for (const auto& c : checks) {
        if (c == id) return true;
        // "kubeadm.cert-expiry" selects "kubeadm.cert-expiry/apiserver"; "eks" selects "eks.*".
        if (id.size() > c.size() && id.compare(0, c.size(), c) == 0) {
            char next = id[c.size()];
            char last = c.back();
            if (next == '/' || next == '.' || last == '/' || last == '.') return true;
        }
    }
    return false;
}

} // namespace kubecert::app
