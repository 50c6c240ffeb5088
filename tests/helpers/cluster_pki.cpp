#include "cluster_pki.hpp"

#include <kubecert/util/base64.hpp>

namespace kubecert::test {
namespace {

constexpr std::int64_t k_year = 365 * k_day;

ClusterPki make_cluster_pki() {
    const std::int64_t from = now_seconds() - k_day;
    const std::int64_t until = now_seconds() + k_year;
    ClusterPki p;
    p.ca = make_self_signed({.common_name = "kubernetes", .not_before = from, .not_after = until, .is_ca = true});
    p.api_server = make_signed({.common_name = "kube-apiserver",
                                .sans = {"DNS:kubernetes", "IP:127.0.0.1"},
                                .not_before = from,
                                .not_after = until,
                                .server_auth = true},
                               p.ca);
    p.admin = make_signed({.common_name = "kubernetes-admin",
                           .organizations = {"system:masters"},
                           .not_before = from,
                           .not_after = until,
                           .client_auth = true},
                          p.ca);
    p.other_ca =
        make_self_signed({.common_name = "not-the-cluster", .not_before = from, .not_after = until, .is_ca = true});
    return p;
}

} // namespace

const ClusterPki& cluster_pki() {
    static const ClusterPki p = make_cluster_pki();
    return p;
}

std::string kubeconfig_yaml(const std::string& cluster, const std::string& user) {
    return "apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n" + cluster +
           "contexts:\n- name: admin@test\n  context:\n    cluster: test\n    user: admin\n"
           "current-context: admin@test\nusers:\n- name: admin\n  user:\n" +
           user;
}

std::string cluster_yaml(const std::string& server, const std::string& ca_pem) {
    return "    server: " + server + "\n    certificate-authority-data: " + util::base64_encode(ca_pem) + "\n";
}

std::string client_certificate_yaml(const KeyPair& client) {
    return "    client-certificate-data: " + util::base64_encode(client.cert_pem) +
           "\n    client-key-data: " + util::base64_encode(client.key_pem) + "\n";
}

} // namespace kubecert::test
