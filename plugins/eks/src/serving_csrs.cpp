#include "serving_csrs.hpp"

#include "check_ids.hpp"

namespace kubecert::eks {

namespace {

// The addresses of the kubelet's last --node-ip (comma-separated for dual stack).
std::vector<std::string> node_ips(const Facts& facts) {
    std::vector<std::string> out;
    const CommandLine* cmd = facts.sources ? facts.sources->command_line() : nullptr;
    if (!cmd) return out;
    const auto value = flag_value(*cmd, "node-ip");
    if (!value) return out;
    std::size_t from = 0;
    while (from <= value->size()) {
        const auto comma = value->find(',', from);
        const auto item = value->substr(from, comma == std::string::npos ? std::string::npos : comma - from);
        if (!item.empty()) out.push_back(item);
        if (comma == std::string::npos) break;
        from = comma + 1;
    }
    return out;
}

} // namespace

csr::ServingCsrSettings serving_csr_settings(const sdk::Host& host, const Facts& facts) {
    csr::ServingCsrSettings s;
    s.plugin = "eks";
    s.check_id = k_kubelet_serving_csrs;
    s.title = check_title(k_kubelet_serving_csrs);
    s.kubelet_kubeconfigs = {"/var/lib/kubelet/kubeconfig", "/etc/kubernetes/kubelet/kubeconfig"};
    const std::string hostname = host.node_name();
    const auto named = host.option("node-name");
    s.node.node_name = named && !named->empty() ? *named : hostname;
    s.node.dns_names = {hostname};
    s.node.ip_addresses = node_ips(facts);
    return s;
}

} // namespace kubecert::eks
