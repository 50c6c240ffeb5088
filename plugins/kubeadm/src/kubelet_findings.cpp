#include "kubelet_findings.hpp"

#include "check_ids.hpp"

namespace kubecert::kubeadm {

namespace {

using kubelet::Layer;
using kubelet::Rank;
using kubelet::Setting;

// An ERROR finding listing every malformed input; nullopt when all parsed.
std::optional<sdk::Finding> error_finding(const KubeletSettings& s, const std::string& id, const std::string& title) {
    if (s.errors.empty()) return std::nullopt;
    sdk::Finding f;
    f.id = id;
    f.title = title;
    f.status = sdk::Status::error;
    f.result = s.errors.front();
    for (const auto& e : s.errors) f.evidence.push_back({"", "parse", e, "well-formed"});
    f.remediation = "Repair the file named above; nothing is changed while it is malformed.";
    return f;
}

// A finding that starts with `id`, `title` and the command line and config files consulted.
sdk::Finding finding_with_sources(const KubeletSettings& s, const std::string& id, const std::string& title) {
    sdk::Finding f;
    f.id = id;
    f.title = title;
    f.evidence = kubelet::source_evidence(s.sources);
    return f;
}

// How a layer is written where it is set: "--rotate-certificates=false" on a command line,
// "false" in a config file.
std::string written(const Layer& l) {
    const std::string value = kubelet::value_text(l.value);
    return l.key.starts_with("--") ? l.key + "=" + value : value;
}

// One evidence row per source of `st`, then the effective value naming the source that won.
void add_setting_rows(sdk::Finding& f, const Setting& st, const std::string& expected, const std::string& when_unset) {
    for (const auto& l : st.layers) f.evidence.push_back({l.source, l.key, written(l), expected});
    if (const Layer* w = st.winner())
        f.evidence.push_back(
            {"effective", st.key, kubelet::value_text(w->value) + " (from " + w->source + ")", expected});
    else
        f.evidence.push_back({"effective", st.key, "not set by any source: " + when_unset, expected});
}

// "--rotate-certificates=false in /etc/sysconfig/kubelet:1 (KUBELET_EXTRA_ARGS)", or `unset`.
std::string setting_result(const Setting& st, const std::string& unset) {
    const Layer* w = st.winner();
    return w ? (w->key.starts_with("--") ? written(*w) : w->key + ": " + written(*w)) + " in " + w->source : unset;
}

// The kubelet authenticates with an exec credential plugin: it has no client certificate to rotate.
bool exec_credential(sdk::Finding& f, const KubeletSettings& s) {
    if (s.exec_command.empty()) return false;
    f.status = sdk::Status::info;
    f.evidence.push_back({s.kubeconfig_path, "users[].user.exec", s.exec_command, ""});
    f.remediation = "The kubelet authenticates with an exec credential plugin (" + s.exec_command +
                    "), not a client certificate: client certificate rotation does not apply.";
    return true;
}

// No command line and no config file: nothing to judge.
bool nothing_to_judge(sdk::Finding& f, const KubeletSettings& s) {
    if (!s.nothing_found()) return false;
    f.status = sdk::Status::info;
    f.result = "no kubelet configuration on this node";
    f.evidence.push_back({k_kubeadm_kubelet_config, "present", "no kubelet configuration on this node", ""});
    return true;
}

// The FAIL of kubeadm.kubelet-client-rotation, remedied where the winning source is.
void fail_client_rotation(sdk::Finding& f, const KubeletSettings& s) {
    f.status = sdk::Status::fail;
    const Layer* w = s.rotate_certificates.winner();
    const std::string restart = ", then restart the kubelet.";
    if (w && w->rank == Rank::flag) {
        f.remediation = "Remove " + written(*w) + " from " + w->source +
                        " (command-line flags win over the config file)" +
                        (s.config_text ? " and set rotateCertificates: true in " + s.config_path() : "") + restart;
    } else if (w && w->rank == Rank::config_dropin) {
        f.remediation = "Set rotateCertificates: true in " + w->source + " (a --config-dir drop-in, which wins over " +
                        s.config_path() + "), or remove it there" + restart;
    } else if (s.config_text) {
        f.fixable = true;
        f.remediation = "Set rotateCertificates: true in " + s.config_path() +
                        " and restart the kubelet (`kubecert --flavor kubeadm fix` does both).";
    } else {
        f.remediation = "The kubelet reads no config file (" + s.sources.config_note +
                        "): pass --rotate-certificates=true on its command line, or give it a --config file with "
                        "rotateCertificates: true" +
                        restart;
    }
}

// The FAIL/WARN remediation of kubeadm.kubelet-server-rotation.
std::string server_rotation_remedy(const KubeletSettings& s) {
    std::string fix;
    if (const Layer* g = s.server_cert_gate.winner(); g && s.server_cert_gate.effective_bool() == false)
        fix = std::string(k_server_cert_gate) + " is off (" + g->source +
              "): without it the kubelet ignores serverTLSBootstrap; remove " + k_server_cert_gate + "=false there. ";
    const Layer* w = s.server_tls_bootstrap.winner();
    if (w && w->rank == Rank::flag && s.server_tls_bootstrap.effective_bool() == false)
        fix += "Remove " + written(*w) + " from " + w->source + " (command-line flags win over the config file). ";
    const std::string where = s.config_text ? s.config_path() : std::string("the kubelet's config file");
    return fix + "Set serverTLSBootstrap: true in " + where +
           " and restart the kubelet, but only together with an approver for kubelet-serving CSRs: "
           "Kubernetes does not approve them itself, and until one is approved the kubelet serves no certificate "
           "(kubectl logs/exec fail). `kubecert --flavor kubeadm fix --kubeadm-enable-server-tls-bootstrap` does "
           "it all: it sets it, restarts the kubelet, approves the kubelet's CSR when it passes kubecert's checks "
           "(kubeadm.kubelet-serving-csrs) and checks the certificate then served, or rolls the change back; later "
           "rotations are approved by `kubecert fix` (or kubelet-csr-approver, or `kubectl certificate approve`).";
}

} // namespace

std::string cis_reference(const std::string& benchmark, const std::string& which) {
    // CIS renumbered section 4.2 in v1.10: before it these were 4.2.11 and 4.2.12.
    const bool modern =
        benchmark.empty() || benchmark == "cis-1.10" || benchmark == "cis-1.11" || benchmark == "cis-1.12";
    const bool older = !modern && benchmark.starts_with("cis-");
    if (!modern && !older) return "";
    const std::string version = benchmark.empty() ? "1.12" : benchmark.substr(4);
    std::string item;
    if (which == "rotate-certificates")
        item = modern ? "4.2.10" : "4.2.11";
    else
        item = modern ? "4.2.11" : "4.2.12";
    return "CIS Kubernetes Benchmark v" + version + " " + item;
}

sdk::Finding audit_client_rotation(const KubeletSettings& s, const std::string& benchmark) {
    const std::string id = k_kubelet_client_rotation;
    const std::string title = "The kubelet rotates its client certificate (rotateCertificates)";
    if (auto e = error_finding(s, id, title)) return *e;
    sdk::Finding f = finding_with_sources(s, id, title);
    f.benchmark = cis_reference(benchmark, "rotate-certificates");
    // The verdict follows how the kubelet authenticates: an exec credential has no certificate to rotate.
    if (exec_credential(f, s) || nothing_to_judge(f, s)) return f;
    add_setting_rows(f, s.rotate_certificates, "true", "false (kubelet default)");
    f.result = setting_result(s.rotate_certificates, "rotateCertificates not set (false: the kubelet's default)");
    if (s.rotate_certificates.effective_bool() != true) fail_client_rotation(f, s);
    return f;
}

sdk::Finding audit_server_rotation(const KubeletSettings& s, const std::string& benchmark, bool can_enable) {
    const std::string id = k_kubelet_server_rotation;
    const std::string title = "The kubelet requests and rotates its serving certificate (serverTLSBootstrap)";
    if (auto e = error_finding(s, id, title)) return *e;
    sdk::Finding f = finding_with_sources(s, id, title);
    f.benchmark = cis_reference(benchmark, "rotate-server-certificate");
    if (nothing_to_judge(f, s)) return f;
    add_setting_rows(f, s.server_tls_bootstrap, "true", "false (kubelet default)");
    f.result = setting_result(s.server_tls_bootstrap, "serverTLSBootstrap not set (false: the kubelet's default)");
    // The kubelet requests a serving certificate only with serverTLSBootstrap and the gate both on.
    const bool gate_off = s.server_cert_gate.effective_bool() == false;
    if (!s.server_cert_gate.layers.empty())
        add_setting_rows(f, s.server_cert_gate, "true", "on by default (beta since Kubernetes 1.12)");
    if (gate_off && s.server_tls_bootstrap.effective_bool() == true)
        f.result = setting_result(s.server_cert_gate, "") + ": serverTLSBootstrap has no effect";
    if (s.server_tls_bootstrap.effective_bool() != true || gate_off) {
        f.status = sdk::Status::warn;
        f.fixable = can_enable;
        f.remediation = server_rotation_remedy(s);
    }
    return f;
}

} // namespace kubecert::kubeadm
