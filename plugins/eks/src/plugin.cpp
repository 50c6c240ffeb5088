// The Amazon EKS plugin: kubelet certificate rotation on EKS worker nodes
// (AL2 bootstrap.sh and AL2023 nodeadm layouts).
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <kubecert/sdk.hpp>

#include "benchmark.hpp"
#include "check_ids.hpp"
#include "facts.hpp"
#include "findings.hpp"
#include "fixes.hpp"
#include "serving_csrs.hpp"

namespace kubecert::eks {

class EksPlugin {
public:
    // The name, checks and --eks-* options the host lists and parses: constant data (loading runs no code).
    static constexpr sdk::OptionDecl k_options[] = {
        {"api-proxy", "URL",
         "kubectl proxy address to read the live kubelet configz from (e.g. http://127.0.0.1:8001)"},
        {"node-name", "NAME", "the node's Kubernetes name for configz (default: the host name)"},
        {"timeout", "DURATION", "time limit of the configz request", "10s"},
        {"restart-timeout", "DURATION", "how long fix waits for the restarted kubelet to be active", "30s"},
        {"api-kubeconfig", "PATH",
         "kubeconfig (node path) to read and approve this node's kubelet-serving CSRs with, e.g. an approver's "
         "with `aws eks get-token`; never the kubelet's"},
        {"kubelet-address", "HOST:PORT",
         "where fix checks the kubelet's served certificate after an approval (default: 127.0.0.1:10250 on the "
         "running system)"},
        {"csr-timeout", "DURATION", "how long fix waits for an approved CSR's certificate to be served", "120s"},
    };
    static constexpr sdk::PluginInfo info() {
        return {"eks", "1.0.0", "Amazon EKS worker nodes: kubelet serving/client certificate rotation (CIS EKS 3.2.x)",
                k_checks, k_options};
    }

    // A node with an EKS kubelet config path, /etc/eks, or a kubelet running with one of them.
    bool detect(sdk::Host& host) { return detect_eks(host); }

    // Gathers the facts once, reports every selected finding (fixable where a plan can fix it)
    // and the kubelet's certificates.
    void audit(sdk::Host& host) {
        const BenchmarkRefs refs = cited_benchmark(host);
        const Facts facts = gather_facts(host);
        auto findings = build_findings(facts, refs, Clock{host.now(), host.warn_within()});
        m_plans = plan_fixes(facts, findings);
        offer_fixes(findings, m_plans, facts);
        m_csr_settings = serving_csr_settings(host, facts);
        if (host.check_selected(k_kubelet_serving_csrs))
            findings.push_back(csr::audit_serving_csrs(host, m_csr_settings));
        for (const auto& finding : findings) host.report(finding);
        for (const auto& cert : certificate_rows(facts)) host.report(cert);
    }

    // Carries out the plans of the audit that just ran on this object (the host guarantees it).
    void fix(sdk::Host& host, const std::vector<std::string>& ids) {
        apply_fix(host, ids, m_plans);
        // After a restart the edits needed: the kubelet then waits with its newest CSR.
        if (std::find(ids.begin(), ids.end(), k_kubelet_serving_csrs) != ids.end())
            csr::fix_serving_csrs(host, m_csr_settings);
    }

private:
    // The benchmark the findings cite (--benchmark), warning about a name this plugin does not know.
    static BenchmarkRefs cited_benchmark(const sdk::Host& host) {
        bool known = true;
        BenchmarkRefs refs = benchmark_refs(host.benchmark(), known);
        if (!known)
            host.warn("eks: unknown benchmark \"" + host.benchmark() +
                      "\" (known: eks-1.0.1, eks-1.1.0, eks-1.2.0, "
                      "eks-1.5.0, eks-1.7.0, eks-1.8.0, cis-1.12); citing " +
                      refs.name);
        return refs;
    }

    std::map<std::string, Plan> m_plans;
    csr::ServingCsrSettings m_csr_settings;
};

} // namespace kubecert::eks

KUBECERT_PLUGIN(kubecert::eks::EksPlugin)
