// The Amazon EKS plugin: kubelet certificate rotation on EKS worker nodes
// (AL2 bootstrap.sh and AL2023 nodeadm layouts).
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <kubecert/formats/parse_error.hpp>
#include <kubecert/sdk.hpp>

#include "benchmark.hpp"
#include "checks.hpp"
#include "configz.hpp"
#include "fix.hpp"
#include "node_sources.hpp"

namespace kubecert::eks {

namespace {

const std::vector<std::string> k_file_checks{"eks.rotate-server-cert", "eks.server-tls-bootstrap",
                                             "eks.rotate-client-cert", "eks.serving-cert-expiry"};

bool failing(sdk::Status s) {
    return s == sdk::Status::fail || s == sdk::Status::warn;
}

} // namespace

class EksPlugin {
public:
    // Titles as checks.cpp's check_title() words them.
    static constexpr sdk::CheckDecl k_checks[] = {
        {"eks.rotate-server-cert", "RotateKubeletServerCertificate feature gate is set to true"},
        {"eks.server-tls-bootstrap", "Kubelet requests and rotates its serving certificate (serverTLSBootstrap)"},
        {"eks.rotate-client-cert", "Kubelet client certificate rotation is not disabled"},
        {"eks.configz", "Live kubelet configuration (configz) has serving certificate rotation on"},
        {"eks.serving-cert-expiry", "Kubelet serving and client certificates are not expired or expiring"},
    };
    static constexpr sdk::OptionDecl k_options[] = {
        {"api-proxy", "URL", "kubectl proxy address to read the live kubelet configz from (e.g. http://127.0.0.1:8001)"},
        {"node-name", "NAME", "the node's Kubernetes name for configz (default: the host name)"},
        {"timeout", "DURATION", "time limit of the configz request", "10s"},
        {"restart-timeout", "DURATION", "how long fix waits for the restarted kubelet to be active", "30s"},
    };
    static constexpr sdk::PluginInfo info() {
        return {"eks", "1.0.0", "Amazon EKS worker nodes: kubelet serving/client certificate rotation (CIS EKS 3.2.x)",
                k_checks, k_options};
    }

    bool detect(sdk::Host& host) {
        for (const auto& p : k_eks_config_paths)
            if (host.exists(p)) return true;
        if (host.exists("/etc/eks")) return true;
        for (const auto& cmd : kubelet::running_kubelet_command_lines(host))
            if (auto c = flag_value(cmd, "config"))
                for (const auto& p : k_eks_config_paths)
                    if (*c == p) return true;
        return false;
    }

    void audit(sdk::Host& host) {
        bool known = true;
        const BenchmarkRefs refs = benchmark_refs(host.benchmark(), known);
        if (!known)
            host.warn("eks: unknown benchmark \"" + host.benchmark() +
                      "\" (known: eks-1.0.1, eks-1.1.0, eks-1.2.0, "
                      "eks-1.5.0, eks-1.7.0, eks-1.8.0, cis-1.12); citing " +
                      refs.name);

        std::string load_error, load_source = "kubelet sources";
        try {
            m_sources = load_kubelet_sources(host);
        } catch (const formats::ParseError& e) {
            load_error = e.what();
            load_source = e.source();
        } catch (const sdk::Error& e) {
            load_error = e.what();
        }

        for (const auto& id : k_file_checks) {
            if (!host.check_selected(id)) continue;
            sdk::Finding f;
            if (!load_error.empty()) {
                f = error_finding(id, check_title(id), load_source, load_error);
            } else {
                try {
                    f = run_check(host, id, refs);
                } catch (const formats::ParseError& e) {
                    f = error_finding(id, check_title(id), e.source(), e.what());
                } catch (const sdk::Error& e) {
                    f = error_finding(id, check_title(id), "host", e.what());
                } catch (const std::exception& e) {
                    f = error_finding(id, check_title(id), "eks plugin", e.what());
                }
            }
            host.report(f);
        }

        if (host.check_selected("eks.configz")) {
            bool live_differs = false;
            sdk::Finding f = check_configz(host, m_sources ? &*m_sources : nullptr, live_differs);
            if (f.status == sdk::Status::fail && live_differs) {
                Plan p;
                p.restart_only = true;
                m_plans["eks.configz"] = p;
                f.fixable = true;
            }
            host.report(f);
        }
    }

    void fix(sdk::Host& host, const std::vector<std::string>& ids) { apply_fix(host, ids, m_plans); }

private:
    // Runs one file-based check and records its fix plan when it fails.
    sdk::Finding run_check(const sdk::Host& host, const std::string& id, const BenchmarkRefs& refs) {
        const KubeletSources& s = *m_sources;
        sdk::Finding f;
        std::optional<Plan> plan;
        if (id == "eks.rotate-server-cert") {
            f = check_rotate_server_cert(s, refs);
            if (failing(f.status)) plan = plan_rotate_server_cert(s);
        } else if (id == "eks.server-tls-bootstrap") {
            f = check_server_tls_bootstrap(s);
            if (failing(f.status)) plan = plan_server_tls_bootstrap(s);
        } else if (id == "eks.rotate-client-cert") {
            f = check_rotate_client_cert(host, s, refs);
            if (failing(f.status)) plan = plan_rotate_client_cert(s);
        } else {
            f = check_serving_cert_expiry(host, s);
        }
        if (plan) {
            f.fixable = plan->possible();
            if (!plan->blocker.empty()) f.remediation += "\nNot fixed automatically: " + plan->blocker;
            if (is_nodeadm(s))
                f.remediation +=
                    "\nThis is an AL2023 node: nodeadm rewrites /etc/kubernetes/kubelet/config.json and its "
                    "config.json.d/40-nodeadm.conf drop-in from the NodeConfig in the instance's user data at every "
                    "boot, so an edit here (kubecert's fix included) lasts until the next reboot. Make the lasting "
                    "change in the NodeConfig (spec.kubelet.config, or spec.kubelet.flags) of the launch template.";
            m_plans[id] = std::move(*plan);
        }
        return f;
    }

    // AL2023: nodeadm writes the kubelet's config and environment at every boot.
    static bool is_nodeadm(const KubeletSources& s) {
        if (s.config_path == "/etc/kubernetes/kubelet/config.json") return true;
        for (const auto& f : s.unit_files)
            if (f == "/etc/eks/kubelet/environment") return true;
        return false;
    }

    std::optional<KubeletSources> m_sources;
    std::map<std::string, Plan> m_plans;
};

} // namespace kubecert::eks

KUBECERT_PLUGIN(kubecert::eks::EksPlugin)
