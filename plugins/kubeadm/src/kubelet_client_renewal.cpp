#include "kubelet_client_renewal.hpp"

#include <algorithm>
#include <ctime>
#include <sstream>
#include <vector>

#include <kubecert/formats/kubeconfig.hpp>

namespace kubecert::kubeadm {

namespace {

// The kubelet's --cert-dir default, where its certificate store keeps the files.
constexpr const char* k_kubelet_pki = "/var/lib/kubelet/pki";
constexpr const char* k_current_name = "kubelet-client-current.pem";
constexpr const char* k_node_prefix = "system:node:";
constexpr const char* k_kubelet_client_doc =
    "https://kubernetes.io/docs/setup/production-environment/tools/kubeadm/troubleshooting-kubeadm/"
    "#kubelet-client-cert";

std::vector<std::string> split_commas(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');)
        if (!item.empty()) out.push_back(item);
    return out;
}

// What the kubelet's certificate manager asks for: digital signature (plus key encipherment,
// which kubeadm's own RSA kubelet.conf certificates carry) and client auth, nothing else.
std::string usage_problem(const sdk::CertInfo& c) {
    if (c.ext_key_usage != "clientAuth")
        return "its extended key usage is \"" + c.ext_key_usage + "\", not client auth only";
    const auto usages = split_commas(c.key_usage);
    if (std::find(usages.begin(), usages.end(), "digitalSignature") == usages.end())
        return "its key usage \"" + c.key_usage + "\" lacks digital signature";
    for (const auto& u : usages)
        if (u != "digitalSignature" && u != "keyEncipherment")
            return "its key usage \"" + c.key_usage + "\" allows more than a client certificate needs";
    return "";
}

bool is_node_identity(const sdk::CertInfo& c) {
    return c.common_name.rfind(k_node_prefix, 0) == 0 && c.common_name.size() > std::string(k_node_prefix).size() &&
           std::find(c.organizations.begin(), c.organizations.end(), "system:nodes") != c.organizations.end();
}

std::string base_name(const std::string& path) {
    return path.substr(path.find_last_of('/') + 1);
}

// The link the kubelet reads its certificate through (kubelet.conf's file, or the kubelet's default).
std::string current_link(const LoadedCert& current) {
    return current.embedded ? std::string(k_kubelet_pki) + "/" + k_current_name : current.path;
}

// The kubelet's file store names rotated pairs with this layout (Go's "2006-01-02-15-04-05").
std::string stamp(std::int64_t unix_seconds) {
    const std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d-%H-%M-%S", &tm);
    return buf;
}

std::string manual_procedure(const std::string& node) {
    return "This node has no cluster CA key, so kubecert cannot renew it here. kubeadm's manual procedure (" +
           std::string(k_kubelet_client_doc) +
           "): 1. back up and remove /etc/kubernetes/kubelet.conf and /var/lib/kubelet/pki/kubelet-client* on this "
           "node; 2. on a control-plane node that has /etc/kubernetes/pki/ca.key run `kubeadm kubeconfig user --org "
           "system:nodes --client-name system:node:" +
           node +
           " > kubelet.conf` (adjust the cluster name and server if needed); 3. copy that kubelet.conf to "
           "/etc/kubernetes/kubelet.conf here; 4. `systemctl restart kubelet` and wait for "
           "/var/lib/kubelet/pki/kubelet-client-current.pem to appear; 5. in kubelet.conf replace "
           "client-certificate-data and client-key-data with client-certificate: "
           "/var/lib/kubelet/pki/kubelet-client-current.pem and client-key: "
           "/var/lib/kubelet/pki/kubelet-client-current.pem; 6. `systemctl restart kubelet` and check that the node "
           "becomes Ready.";
}

} // namespace

std::string kubelet_client_blocker(const LoadedCert& current, const PkiState& pki) {
    const auto* ca = pki.authority("ca");
    if (!ca) return "the cluster CA is unknown";
    if (!ca->cannot_sign.empty()) return ca->cannot_sign;
    if (!is_node_identity(current.info))
        return current.path + " holds \"" + current.info.subject +
               "\", not a node identity (CN=system:node:NAME, "
               "O=system:nodes)";
    if (auto problem = usage_problem(current.info); !problem.empty()) return current.path + ": " + problem;
    if (!current.embedded && base_name(current.path) != k_current_name)
        return "kubelet.conf points at " + current.path + ", not at the kubelet's rotating " + k_current_name;
    return "";
}

void set_kubelet_client_remedy(sdk::Finding& f, const LoadedCert& current, const PkiState& pki) {
    const auto blocker = kubelet_client_blocker(current, pki);
    const auto* ca = pki.authority("ca");
    const bool no_ca_key = !ca || ca->cert.state != LoadState::loaded || ca->key.empty();
    if (blocker.empty()) {
        f.fixable = true;
        f.remediation = "Renew it as the kubelet would: `kubecert --flavor kubeadm fix` issues a new key and "
                        "certificate for " +
                        current.info.common_name + " signed by the cluster CA, writes it to " +
                        std::string(k_kubelet_pki) + "/kubelet-client-<time>.pem, points " + current_link(current) +
                        " at it" + (current.embedded ? " and kubelet.conf at that file" : "") +
                        ", and restarts the kubelet. Then make sure kubeadm.kubelet-client-rotation passes, so the "
                        "kubelet renews it itself next time.";
        return;
    }
    const std::string node = current.info.common_name.rfind(k_node_prefix, 0) == 0
                                 ? current.info.common_name.substr(std::string(k_node_prefix).size())
                                 : "$NODE";
    f.remediation = no_ca_key ? manual_procedure(node)
                              : "kubecert cannot renew it here: " + blocker + ". See " + k_kubelet_client_doc;
}

void renew_kubelet_client(const sdk::Host& host, const std::string& kubelet_conf, const AuthorityState& ca,
                          std::int64_t validity_seconds) {
    // Read again: the fix renews from what is on the node now.
    const auto current = load_kubeconfig_cert(host, kubelet_conf);
    if (current.state != LoadState::loaded)
        throw sdk::Error(KUBECERT_ERR_FAILED, "kubelet client certificate not renewed: " +
                                                  (current.error.empty() ? kubelet_conf + " is gone" : current.error));
    PkiState only_ca;
    only_ca.authorities.push_back(ca);
    if (auto blocker = kubelet_client_blocker(current, only_ca); !blocker.empty())
        throw sdk::Error(KUBECERT_ERR_FAILED, "kubelet client certificate not renewed: " + blocker);

    // The current certificate is the template: its subject, its usages, its key type (ECDSA P-256
    // when the kubelet made it, as the kubelet's certificate manager requests).
    const auto issued = host.issue_cert(current.info.pem, ca.cert.info.pem, ca.key, validity_seconds);
    const auto made = host.parse_cert(issued.cert_pem, "renewed kubelet client certificate");
    if (auto problem = usage_problem(made); !problem.empty() || made.subject != current.info.subject)
        throw sdk::Error(KUBECERT_ERR_FAILED, "renewed kubelet client certificate is not what the kubelet needs: " +
                                                  (problem.empty() ? "subject " + made.subject : problem));

    const std::string link = current_link(current);
    const std::string dir = parent_path(link);
    const std::string file = dir + "/kubelet-client-" + stamp(host.now()) + ".pem";
    // Certificate then key in one file, as the kubelet's file store writes it; the link moves last.
    host.write_file(file, issued.cert_pem + issued.key_pem, 0600, true);
    host.replace_symlink(link, file);
    if (current.embedded) {
        const auto text = host.read_file(kubelet_conf);
        if (!text) throw sdk::Error(KUBECERT_ERR_NOT_FOUND, kubelet_conf + " disappeared during the fix");
        host.write_file(kubelet_conf,
                        formats::use_client_certificate_files(*text, kubelet_conf, current.user_name, link, link),
                        0600);
    }
    host.info(std::string(host.dry_run() ? "would renew" : "renewed") + " the kubelet's client certificate (" +
              current.info.common_name + "): " + file + ", " + link + " -> it");
}

} // namespace kubecert::kubeadm
