#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "pki.hpp"
#include "test_support.hpp"

// A generated kubeadm control-plane node for tests and benchmarks: every CA,
// leaf certificate and kubeconfig made at run time, with chosen expiry dates.
namespace kubecert::test {

struct KubeadmNodeSpec {
    std::int64_t now = 0;                          // 0: the clock
    std::int64_t default_days = 300;               // days left on each leaf unless overridden
    std::map<std::string, std::int64_t> leaf_days; // kubeadm name -> days left (negative: expired)
    std::int64_t ca_days = 3650;                   // days left on each CA unless overridden
    std::map<std::string, std::int64_t> ca_days_by_name;
    std::int64_t kubelet_client_days = 300;
    bool local_etcd = true;          // false: external etcd, no etcd-ca or etcd leaves
    bool super_admin = true;         // kubeadm >= 1.29 writes super-admin.conf
    bool rotate_certificates = true; // /var/lib/kubelet/config.yaml rotateCertificates
    bool server_tls_bootstrap = false;
    bool root_kubeconfig = true; // /root/.kube/config as a copy of admin.conf
    std::string key_type = "rsa";
    std::string node_name = "cp-1";
    // The kubelet's client certificate: "" = key_type. "ec" makes it as the kubelet's certificate
    // manager does (ECDSA P-256, key usage digitalSignature only).
    std::string kubelet_client_key_type;
    // Embedded in kubelet.conf (client-certificate-data, clusters upgraded from old kubeadm)
    // instead of the kubelet-client-current.pem symlink.
    bool kubelet_client_embedded = false;
};

// What was generated, for assertions.
struct KubeadmNode {
    std::map<std::string, KeyPair> authorities; // "ca", "etcd-ca", "front-proxy-ca"
    std::map<std::string, KeyPair> leaves;      // kubeadm names, plus "kubelet-client"
};

// Writes the node tree under `root` (a host folder): /etc/kubernetes/{pki,*.conf,manifests},
// /var/lib/kubelet/{config.yaml,kubeadm-flags.env,pki}, the kubelet unit and drop-in,
// /root/.kube/config.
KubeadmNode write_kubeadm_node(const std::string& root, const KubeadmNodeSpec& spec);

// A kubeconfig as kubeadm writes it, embedding `cert` for user `user`.
std::string make_kubeconfig(const std::string& user, const KeyPair& cert, const KeyPair& ca,
                            const std::string& server = "https://192.168.2.2:6443");

// A generated node under a temporary root plus a folder of recording
// stand-ins (crictl, systemctl) put first on PATH, for end-to-end tests.
struct KubeadmTestNode {
    TempDir root;
    TempDir bin;
    KubeadmNode pki;
    explicit KubeadmTestNode(const KubeadmNodeSpec& spec = {});
    // Host path of a node path.
    std::string operator/(const std::string& node_path) const { return root / node_path; }
    // crictl that lists each control-plane container while its manifest is in place
    // (kube-apiserver whatever happens when `always_running`), logging calls to bin/crictl.log.
    void install_crictl(bool always_running = false) const;
    // Lines logged by a stand-in ("" when it never ran).
    std::string log(const std::string& standin) const;
    // Runs kubecert --root ROOT --flavor kubeadm --format json ARGS with the stand-ins on PATH.
    ProcResult kubecert(const std::vector<std::string>& args) const;
};

// Parses a JSON report; a test failure with the text when it is not JSON.
nlohmann::json kubeadm_report(const ProcResult& r);
// The finding `id` of `findings` (a JSON array), or null.
nlohmann::json kubeadm_finding(const nlohmann::json& findings, const std::string& id);
// The node's files (without the host's own /run/kubecert lock), for "nothing changed" checks.
std::map<std::string, std::string> node_files(const KubeadmTestNode& node);
// The paths whose content differs between two node_files() snapshots, one per line.
std::string changed_files(const std::map<std::string, std::string>& a, const std::map<std::string, std::string>& b);

// Every evidence row of a finding as one string, for "mentions" assertions.
std::string evidence_text(const nlohmann::json& finding);

} // namespace kubecert::test
