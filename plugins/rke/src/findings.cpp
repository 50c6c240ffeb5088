#include "findings.hpp"

#include "benchmark.hpp"
#include "serving_cert.hpp"

#include <kubecert/findings/expiry.hpp>
#include <kubecert/util/time.hpp>

namespace kubecert::rke {

namespace {

using sdk::Evidence;
using sdk::Finding;
using sdk::Status;

// The legacy clean-up, as the operator types it (built on use: loading the plugin runs no code).
std::string legacy_commands() {
    return "docker exec kubelet rm -f " + std::string(k_legacy_cert_path) + " " + std::string(k_legacy_key_path) +
           " && docker restart kubelet";
}

bool config_usable(const Facts& facts) {
    return facts.cluster && facts.cluster->error.empty();
}

Status disk_expiry(const Facts& facts, const Clock& clock) {
    if (!facts.disk || !facts.disk->cert) return Status::pass;
    return findings::expiry_status(facts.disk->cert->not_before, facts.disk->cert->not_after, clock.now,
                                   clock.warn_within);
}

bool served_differs(const Facts& facts) {
    return facts.served && facts.served->cert && facts.disk && facts.disk->cert &&
           facts.served->cert->sha256_fingerprint != facts.disk->cert->sha256_fingerprint;
}

bool is_kubelet_own(const sdk::CertInfo& cert) {
    return is_kubelet_ca_name(cert.issuer_common_name) ||
           (cert.self_signed && is_kubelet_self_signed_name(cert.common_name));
}

// The Kubernetes version the cluster runs, best source first.
std::string cluster_version(const Facts& facts) {
    if (!facts.cluster) return "";
    if (!facts.cluster->state.current_kubernetes_version.empty())
        return facts.cluster->state.current_kubernetes_version;
    if (!facts.cluster->config.kubernetes_version.empty()) return facts.cluster->config.kubernetes_version;
    return facts.cluster->state.desired_kubernetes_version;
}

// The remediation for the cluster's version: generate_serving_certificate exists from RKE
// v1.0.0 / Rancher v2.3.3, whose Kubernetes versions start at v1.14.
std::string legacy_remediation(const Facts& facts) {
    const std::string config = facts.cluster ? facts.cluster->path : "cluster.yml";
    const std::string modern = "set services.kubelet.generate_serving_certificate: true in " + config +
                               " and run `rke up --config " + config +
                               "` (RKE >= v1.0.0; on Rancher >= v2.3.3 edit the cluster as YAML); RKE then issues " +
                               "kube-kubelet-<address>.pem that `rke cert rotate` renews";
    const std::string older = "on each node run `" + legacy_commands() +
                              "` to make the kubelet generate a new certificate valid one year, and repeat it yearly";
    const auto version = parse_kubernetes_version(cluster_version(facts));
    if (version && (version->first < 1 || (version->first == 1 && version->second < 14)))
        return "Kubernetes " + cluster_version(facts) + " predates RKE v1.0.0 / Rancher v2.3.3: upgrade RKE, then " +
               modern + ". Until then " + older + ".";
    return "Preferred: " + modern + ". On RKE older than v1.0.0 (Rancher older than v2.3.3): " + older + ".";
}

void add_version_evidence(const Facts& facts, std::vector<Evidence>& evidence) {
    if (!facts.cluster) return;
    const auto& c = *facts.cluster;
    if (!c.config.kubernetes_version.empty())
        evidence.push_back({c.path, "kubernetes_version", c.config.kubernetes_version, ""});
    if (c.state_found) {
        if (!c.state.desired_kubernetes_version.empty())
            evidence.push_back(
                {c.state_path, "desiredState.rkeConfig.kubernetesVersion", c.state.desired_kubernetes_version, ""});
        if (!c.state.current_kubernetes_version.empty())
            evidence.push_back(
                {c.state_path, "currentState.rkeConfig.kubernetesVersion", c.state.current_kubernetes_version, ""});
    }
    if (!c.state_error.empty()) evidence.push_back({c.state_path, "", "unreadable: " + c.state_error, ""});
}

void add_container_evidence(const Facts& facts, std::vector<Evidence>& evidence) {
    if (!facts.on_node) return;
    if (!facts.container) {
        evidence.push_back({"docker inspect kubelet", "", facts.container_note, ""});
        return;
    }
    const auto cert_file = kubelet_flag_value(facts.container->args, "tls-cert-file");
    evidence.push_back({"docker inspect kubelet", "--tls-cert-file", cert_file.value_or("(not set)"), ""});
}

Finding generate_finding(const Facts& facts, const std::string& profile, const FixPlan& plan) {
    Finding f;
    f.id = k_check_generate;
    f.title = "cluster.yml sets services.kubelet.generate_serving_certificate: true";
    f.benchmark = benchmark_ref(profile, BenchmarkItem::tls_cert_file);
    add_container_evidence(facts, f.evidence);
    if (!facts.cluster) {
        f.status = Status::info;
        f.evidence.insert(f.evidence.begin(), {"--rke-cluster-config", "", "(not given)", "the cluster's cluster.yml"});
        f.remediation = "Run on the admin host with --rke-cluster-config PATH to check cluster.yml.";
        return f;
    }
    const auto& c = *facts.cluster;
    if (!c.error.empty()) {
        f.status = Status::error;
        f.evidence.insert(f.evidence.begin(), {c.path, "", c.error, "a readable cluster.yml"});
        f.remediation = "Fix " + c.path + " (see the position in the evidence); nothing was changed.";
        return f;
    }
    f.evidence.insert(f.evidence.begin(), {c.path, "services.kubelet.generate_serving_certificate",
                                           c.config.generate_serving_certificate.value_or("(absent)"), "true"});
    add_version_evidence(facts, f.evidence);
    if (c.config.serving_cert_enabled) {
        f.status = Status::pass;
        return f;
    }
    f.status = Status::fail;
    f.fixable = plan.edit_config;
    f.remediation = legacy_remediation(facts);
    return f;
}

Finding expiry_finding(const Facts& facts, const std::string& profile, const Clock& clock, const FixPlan& plan) {
    Finding f;
    f.id = k_check_expiry;
    f.title = "The kubelet serving certificate on disk is not expired nor about to";
    f.benchmark = benchmark_ref(profile, BenchmarkItem::rotate_server_cert);
    if (!facts.on_node) {
        f.status = Status::info;
        f.result = "not an RKE node (no " + std::string(k_rke_ssl_dir) + ")";
        f.evidence.push_back({std::string(k_rke_ssl_dir), "", "(absent)", "an RKE node"});
        return f;
    }
    if (!facts.disk) {
        f.status = facts.disk_error.empty() ? Status::info : Status::error;
        f.result = facts.disk_error.empty() ? "no kubelet serving certificate in " + std::string(k_rke_ssl_dir)
                                            : facts.disk_error;
        f.evidence.push_back(
            {std::string(k_rke_ssl_dir), "kube-kubelet-*.pem",
             facts.disk_error.empty() ? "(none, nor " + std::string(k_legacy_cert_path) + ")" : facts.disk_error, ""});
        return f;
    }
    const auto& d = *facts.disk;
    if (!d.cert) {
        f.status = Status::error;
        f.evidence.push_back({d.path, "", d.error, "a readable certificate"});
        f.evidence.push_back({d.path, "chosen because", d.origin, ""});
        return f;
    }
    f.status = disk_expiry(facts, clock);
    f.evidence = findings::expiry_evidence(d.path, *d.cert, clock.now, clock.warn_within);
    f.result = findings::expiry_result(*d.cert, clock.now);
    f.evidence.push_back({d.path, "chosen because", d.origin, ""});
    if (f.status == Status::pass) return f;
    f.fixable = plan.regenerate;
    if (is_kubelet_own(*d.cert))
        f.remediation = "This is the kubelet's own certificate, which nothing renews. " + legacy_remediation(facts);
    else
        f.remediation = "On the admin host run `rke cert rotate --config cluster.yml --service kubelet` (RKE restarts "
                        "the kubelet with the new certificate).";
    return f;
}

Finding served_finding(const Facts& facts, const std::string& profile, const FixPlan& plan) {
    Finding f;
    f.id = k_check_served;
    f.title = "The kubelet port serves the certificate on disk";
    f.benchmark = benchmark_ref(profile, BenchmarkItem::rotate_server_cert);
    const auto& s = *facts.served;
    if (!s.cert) {
        f.status = Status::error;
        f.evidence.push_back({s.address, "TLS handshake", s.error, "the kubelet answers"});
        f.remediation = "Check that the kubelet runs (docker ps --filter name=kubelet) and that --rke-kubelet-address "
                        "(or --rke-node-address) names its port.";
        return f;
    }
    // The port is what is checked against the file: the served fingerprint is the actual value,
    // the one on disk the expected one.
    const bool have_disk = facts.disk && facts.disk->cert;
    f.evidence.push_back({s.address, "sha256 fingerprint", s.cert->sha256_fingerprint,
                          have_disk ? facts.disk->cert->sha256_fingerprint : ""});
    f.evidence.push_back({s.address, "subject", s.cert->subject, ""});
    f.evidence.push_back({s.address, "issuer", s.cert->issuer, ""});
    f.evidence.push_back({s.address, "not_before", util::format_rfc3339(s.cert->not_before), ""});
    f.evidence.push_back({s.address, "not_after", util::format_rfc3339(s.cert->not_after), ""});
    if (!have_disk) {
        f.status = facts.disk || !facts.disk_error.empty() ? Status::error : Status::info;
        f.evidence.push_back({facts.disk ? facts.disk->path : std::string(k_rke_ssl_dir), "",
                              facts.disk
                                  ? facts.disk->error
                                  : (facts.disk_error.empty() ? "no serving certificate file" : facts.disk_error),
                              "a certificate file to compare with"});
        return f;
    }
    f.evidence.push_back({facts.disk->path, "sha256 fingerprint", facts.disk->cert->sha256_fingerprint, ""});
    if (!served_differs(facts)) {
        f.status = Status::pass;
        return f;
    }
    f.status = Status::fail;
    f.fixable = plan.regenerate || plan.restart;
    f.remediation = "The kubelet has not loaded the certificate on disk (a rotation it did not pick up): run "
                    "`docker restart kubelet`.";
    return f;
}

Finding legacy_finding(const Facts& facts, const std::string& profile, const FixPlan& plan) {
    Finding f;
    f.id = k_check_legacy;
    f.title = "The kubelet does not serve its own self-signed certificate (never rotated)";
    f.benchmark = benchmark_ref(profile, BenchmarkItem::tls_cert_file);
    const sdk::CertInfo* cert = nullptr;
    std::string source;
    if (facts.disk && facts.disk->cert) {
        cert = &*facts.disk->cert;
        source = facts.disk->path;
    } else if (facts.served && facts.served->cert) {
        cert = &*facts.served->cert;
        source = facts.served->address;
    }
    if (!cert) {
        f.status = facts.on_node && (facts.disk || !facts.disk_error.empty()) ? Status::error : Status::info;
        f.evidence.push_back(
            {facts.disk ? facts.disk->path : std::string(k_rke_ssl_dir), "",
             facts.on_node ? (facts.disk ? facts.disk->error : "no serving certificate file") : "(not an RKE node)",
             ""});
        return f;
    }
    f.evidence.push_back(
        {source, "issuer CN", cert->issuer_common_name, "a cluster CA (kube-ca), not <host>-ca@<timestamp>"});
    f.evidence.push_back({source, "subject CN", cert->common_name, ""});
    add_container_evidence(facts, f.evidence);
    add_version_evidence(facts, f.evidence);
    if (!is_kubelet_own(*cert)) {
        f.status = Status::pass;
        return f;
    }
    f.status = Status::fail;
    f.fixable = (plan.edit_config && !facts.options.legacy) || plan.regenerate;
    f.remediation = legacy_remediation(facts);
    return f;
}

} // namespace

bool is_legacy(const Facts& facts) {
    if (facts.disk && facts.disk->cert) return is_kubelet_own(*facts.disk->cert);
    return facts.served && facts.served->cert && is_kubelet_own(*facts.served->cert);
}

FixPlan plan_fixes(const Facts& facts, const Clock& clock) {
    FixPlan plan;
    plan.edit_config = config_usable(facts) && !facts.cluster->config.serving_cert_enabled;
    const bool node_side = facts.options.legacy || !config_usable(facts);
    const bool own_cert_on_disk = facts.disk && facts.disk->cert && is_kubelet_own(*facts.disk->cert);
    // Renewing a certificate that is still far from expiry would make every fix act again.
    plan.regenerate = node_side && own_cert_on_disk && facts.container && disk_expiry(facts, clock) != Status::pass;
    plan.restart = !plan.regenerate && facts.container && served_differs(facts);
    return plan;
}

std::vector<sdk::Finding> build_findings(const Facts& facts, const std::string& profile, const Clock& clock) {
    const FixPlan plan = plan_fixes(facts, clock);
    std::vector<Finding> out;
    out.push_back(generate_finding(facts, profile, plan));
    out.push_back(expiry_finding(facts, profile, clock, plan));
    if (facts.served)
        out.push_back(served_finding(facts, profile, plan));
    else if (!facts.on_node || !facts.live) {
        Finding f;
        f.id = k_check_served;
        f.title = "The kubelet port serves the certificate on disk";
        f.benchmark = benchmark_ref(profile, BenchmarkItem::rotate_server_cert);
        f.status = Status::info;
        if (!facts.on_node) {
            f.evidence.push_back({std::string(k_rke_ssl_dir), "", "(absent)", "an RKE node"});
        } else {
            f.evidence.push_back(
                {"--root", "live system", "not the running system: " + facts.live_reason, "the running node"});
            f.remediation = "Not checked: the kubelet port of the machine running kubecert is not this node's. "
                            "Run kubecert on the node, or give the node's port with --rke-kubelet-address HOST:PORT.";
        }
        out.push_back(f);
    }
    out.push_back(legacy_finding(facts, profile, plan));
    return out;
}

std::optional<sdk::Certificate> serving_certificate(const Facts& facts) {
    if (!facts.disk || !facts.disk->cert) return std::nullopt;
    const auto& c = *facts.disk->cert;
    sdk::Certificate cert;
    cert.name = "kubelet-serving";
    cert.path = facts.disk->path;
    cert.subject = c.subject;
    cert.issuer = c.issuer;
    cert.not_before = c.not_before;
    cert.not_after = c.not_after;
    const bool own = is_kubelet_own(c);
    cert.authority = own ? "" : c.issuer_common_name;
    // The kubelet discards its own CA's key; RKE's kube-ca key lives on control-plane nodes.
    cert.externally_managed = own || !facts.ca_key_on_node;
    return cert;
}

} // namespace kubecert::rke
