// The RKE plugin: the kubelet serving certificate of clusters provisioned by RKE or Rancher,
// which before RKE v1.0.0 / Rancher v2.3.3 is the kubelet's own and never rotated.
#include "check_ids.hpp"
#include "facts.hpp"
#include "findings.hpp"
#include "fixes.hpp"

#include <kubecert/sdk.hpp>

#include <optional>

namespace kubecert::rke {

class RkePlugin {
public:
    // The name, checks and --rke-* options the host lists and parses.
    static constexpr sdk::CheckDecl k_checks[] = {
        {k_check_generate, "cluster.yml sets services.kubelet.generate_serving_certificate: true"},
        {k_check_expiry, "The kubelet serving certificate on disk is not expired nor about to"},
        {k_check_served, "The kubelet port serves the certificate on disk"},
        {k_check_legacy, "The kubelet does not serve its own self-signed certificate (never rotated)"},
    };
    static constexpr sdk::OptionDecl k_options[] = {
        {"cluster-config", "PATH",
         "cluster.yml of the cluster (node path under --root; default ./cluster.yml when present)"},
        {"node-address", "ADDRESS",
         "the node's address in cluster.yml (names kube-kubelet-<address>.pem; default port host)"},
        {"kubelet-address", "HOST:PORT", "the kubelet's HTTPS port (default <node-address or 127.0.0.1>:10250)"},
        {"timeout", "DURATION", "timeout of one TLS connection to the kubelet", "5s"},
        {"restart-wait", "DURATION", "how long a restarted kubelet gets to serve the expected certificate", "90s"},
        {"legacy", nullptr, "renew the kubelet's own certificate on the node even when cluster.yml is given"},
        {"run-up", nullptr, "run `rke up --config PATH` after editing cluster.yml"},
        {"docker", "PATH", "the docker client that reaches the kubelet container", "docker"},
    };
    static constexpr sdk::PluginInfo info() {
        return {"rke", "1.0.0",
                "RKE / Rancher: kubelet serving certificate (generate_serving_certificate, expiry, served vs disk)",
                k_checks, k_options};
    }

    // An admin host given --rke-cluster-config, a node with /etc/kubernetes/ssl, or a kubelet.crt
    // served by a docker container named kubelet.
    bool detect(sdk::Host& host) { return detect_rke(host, read_options(host)); }

    // Gathers the facts once and reports every finding and the serving certificate.
    void audit(sdk::Host& host) {
        m_facts = gather_facts(host);
        const Clock clock{host.now(), host.warn_within()};
        for (const auto& finding : build_findings(*m_facts, host.benchmark(), clock)) host.report(finding);
        if (auto cert = serving_certificate(*m_facts)) host.report(*cert);
    }

    // Acts on the facts of the audit that just ran on this object (the host guarantees it).
    void fix(sdk::Host& host, const std::vector<std::string>& ids) {
        if (!m_facts) m_facts = gather_facts(host);
        const Clock clock{host.now(), host.warn_within()};
        apply_fixes(host, *m_facts, plan_fixes(*m_facts, clock), ids);
    }

private:
    std::optional<Facts> m_facts;
};

} // namespace kubecert::rke

KUBECERT_PLUGIN(kubecert::rke::RkePlugin)
