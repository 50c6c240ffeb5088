#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <kubecert/csr/serving_csr_policy.hpp>
#include <kubecert/csr/serving_csrs_finding.hpp>
#include <kubecert/sdk.hpp>

// This node's kubelet-serving CSRs in the cluster, for every plugin: which kubeconfig may be used
// (never the kubelet's own), listing and judging them, approving the ones the policy approves,
// and checking that the kubelet then serves a certificate of the cluster CA.
namespace kubecert::csr {

// The options every plugin with a serving-CSR check declares, as --<plugin>-<name>.
inline constexpr const char* k_opt_api_kubeconfig = "api-kubeconfig";
inline constexpr const char* k_opt_kubelet_address = "kubelet-address";
inline constexpr const char* k_opt_csr_timeout = "csr-timeout";
inline constexpr const char* k_default_kubelet_address = "127.0.0.1:10250";

// What a plugin knows for its serving-CSR check.
struct ServingCsrSettings {
    std::string plugin;   // "kubeadm": its options are read as --kubeadm-<name>
    std::string check_id; // "kubeadm.kubelet-serving-csrs"
    std::string title;
    std::string default_kubeconfig;               // node path used without the option ("" for none)
    std::vector<std::string> kubelet_kubeconfigs; // the kubelet's own: refused whatever its user
    NodeIdentity node;                            // the node's name, hostnames and configured addresses
    std::int64_t pending_warn_seconds = 300;
    PolicyLimits limits;
};

// The kubeconfig the check may use, or why there is none.
struct ApiAccess {
    std::string kubeconfig; // node path, "" when none
    bool explicit_option = false;
    std::string why_not;  // why the API is not asked ("" when it is)
    bool refused = false; // why_not is a user error (the kubelet's kubeconfig named), not a skip
};

// The PKCS#10 request `pem` of a CSR as the policy reads it, parsed by the host's CSR parser
// (kubecert.csr.v1). Throws sdk::Error naming `source` when it is malformed (or the host has none).
RequestInfo parse_request(const sdk::Host& host, std::string_view pem, const std::string& source);

// Picks the kubeconfig: the option's, else the default when it exists and the node is the
// running system (API calls on a mounted image's behalf need the user to name the kubeconfig).
// Refuses a kubeconfig of the kubelet (by path or by a system:node:* client certificate).
ApiAccess choose_api_access(const sdk::Host& host, const ServingCsrSettings& settings);

// One conversation with the cluster's API for this node's serving CSRs.
class ServingCsrSession {
public:
    // Opens the kubeconfig `access.kubeconfig` (throws sdk::Error when it cannot be used) and
    // reads this node's Node object for its addresses.
    ServingCsrSession(const sdk::Host& host, const ServingCsrSettings& settings, const ApiAccess& access);
    ~ServingCsrSession();
    ServingCsrSession(const ServingCsrSession&) = delete;
    ServingCsrSession& operator=(const ServingCsrSession&) = delete;

    // Every CSR that concerns this node, judged (throws sdk::Error when the API does not list them).
    std::vector<JudgedCsr> judged() const;
    // The view the finding is built from.
    ServingCsrsView view() const;
    // Approves `csr` (the policy approved it): PUT to its approval subresource with kubecert's
    // message; on 409 (changed since listed) it gets and judges it again once. Returns what it did
    // ("approved csr-x", "would approve ..."); throws sdk::Error when the API refuses.
    std::string approve(const JudgedCsr& csr) const;
    // The CSR `name` judged now, nullopt when it is gone.
    std::optional<JudgedCsr> get(const std::string& name) const;
    // The cluster CA the kubeconfig trusts (PEM), what served certificates must chain to.
    const std::string& cluster_ca() const { return m_ca_pem; }
    const NodeIdentity& identity() const { return m_identity; }
    const std::string& server() const { return m_server; }

private:
    struct Client;
    JudgedCsr judge(const CsrRecord& record) const;
    const sdk::Host& m_host;
    const ServingCsrSettings& m_settings;
    std::unique_ptr<Client> m_client;
    NodeIdentity m_identity;
    std::string m_ca_pem;
    std::string m_server;
};

// The check: INFO when the API is not asked (and why), ERROR when it cannot be read, else the
// finding of serving_csrs_finding().
sdk::Finding audit_serving_csrs(const sdk::Host& host, const ServingCsrSettings& settings);

// The fix: approves every approvable pending CSR of this node, then waits (--<plugin>-csr-timeout)
// until each is issued and the kubelet serves a certificate of the cluster CA with the node's
// names (the TLS probe, when the node is the running system or --<plugin>-kubelet-address is
// given). Throws sdk::Error when an approval is refused or the served certificate never checks.
void fix_serving_csrs(const sdk::Host& host, const ServingCsrSettings& settings);

// Waits for a pending CSR of this node whose name is not in `before` (the kubelet's new one after
// a restart), at most --<plugin>-csr-timeout; approves it when the policy does. Returns the
// approved CSR's name, or nullopt with `why` set (none arrived, or it is not approvable and why).
std::optional<std::string> approve_new_csr(const sdk::Host& host, const ServingCsrSettings& settings,
                                           const ServingCsrSession& session, const std::set<std::string>& before,
                                           std::string& why);

// After an approval: waits until the kubelet serves a certificate of the cluster CA with the
// node's names. Returns "" when it does (or the probe may not run: then it says so in the log),
// else what it served last.
std::string verify_served_after_approval(const sdk::Host& host, const ServingCsrSettings& settings,
                                         const ServingCsrSession& session);

// The names of this node's CSRs now (before a restart that makes a new one).
std::set<std::string> csr_names(const std::vector<JudgedCsr>& csrs, const std::string& node_name);

} // namespace kubecert::csr
