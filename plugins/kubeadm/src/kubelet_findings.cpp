#include "kubelet_findings.hpp"

#include "check_ids.hpp"

namespace kubecert::kubeadm {

namespace {

std::string bool_text(const std::optional<bool>& v) {
    return v ? (*v ? "true" : "false") : "(not set: false)";
}

// "rotateCertificates: true in /var/lib/kubelet/config.yaml", "... not set (false) in ...".
std::string setting_text(const std::string& key, const std::optional<bool>& v, const std::string& path) {
    return key + (v ? std::string(": ") + (*v ? "true" : "false") : std::string(" not set (false)")) + " in " + path;
}

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
    sdk::Finding f;
    f.id = id;
    f.title = title;
    f.benchmark = cis_reference(benchmark, "rotate-certificates");
    // The verdict follows how the kubelet authenticates: an exec credential has no certificate to rotate.
    if (!s.exec_command.empty()) {
        f.status = sdk::Status::info;
        f.evidence.push_back({s.kubeconfig_path, "users[].user.exec", s.exec_command, ""});
        f.remediation = "The kubelet authenticates with an exec credential plugin (" + s.exec_command +
                        "), not a client certificate: client certificate rotation does not apply.";
        return f;
    }
    if (!s.config_text && s.flag_sources.empty()) {
        f.status = sdk::Status::info;
        f.result = "no kubelet configuration on this node";
        f.evidence.push_back({s.config_path, "present", "no kubelet configuration on this node", ""});
        return f;
    }
    f.result = s.config_text ? setting_text("rotateCertificates", s.rotate_certificates, s.config_path)
                             : "no " + s.config_path + " and no --rotate-certificates flag";
    if (s.config_text)
        f.evidence.push_back({s.config_path, "rotateCertificates", bool_text(s.rotate_certificates), "true"});
    else
        f.evidence.push_back({s.config_path, "present", "no", ""});
    if (!s.config_note.empty()) f.evidence.push_back({s.config_path, "chosen because", s.config_note, ""});
    if (!s.rotate_certificates_from.empty())
        f.evidence.push_back({s.rotate_certificates_from,
                              "rotateCertificates (--config-dir drop-in, wins over the file)",
                              bool_text(s.rotate_certificates), "true"});
    bool flag_false = false;
    bool flag_true = false;
    std::string false_source;
    for (const auto& v : s.flag_values("rotate-certificates")) {
        f.evidence.push_back({v.source, "--rotate-certificates", v.text, "not false"});
        if (!v.value) {
            flag_false = true;
            false_source = v.source;
        } else {
            flag_true = true;
            if (!s.rotate_certificates.value_or(false))
                f.result = "--rotate-certificates=" + v.text + " in " + v.source;
        }
    }
    const bool config_true = s.rotate_certificates.value_or(false);
    if (flag_false) {
        f.status = sdk::Status::fail;
        f.result = "--rotate-certificates=false in " + false_source;
        f.remediation = "Remove --rotate-certificates=false from " + false_source +
                        " and set rotateCertificates: true in " + s.config_path + ", then restart the kubelet.";
    } else if (!config_true && !flag_true && !s.rotate_certificates_from.empty()) {
        f.status = sdk::Status::fail;
        f.remediation = "Set rotateCertificates: true in " + s.rotate_certificates_from +
                        " (a --config-dir drop-in, which wins over " + s.config_path +
                        "), or remove it there, and restart the kubelet.";
    } else if (!config_true && !flag_true) {
        f.status = sdk::Status::fail;
        f.fixable = s.config_text.has_value();
        f.remediation = "Set rotateCertificates: true in " + s.config_path +
                        " and restart the kubelet (`kubecert --flavor kubeadm fix` does both).";
    }
    return f;
}

sdk::Finding audit_server_rotation(const KubeletSettings& s, const std::string& benchmark, bool can_enable) {
    const std::string id = k_kubelet_server_rotation;
    const std::string title = "The kubelet requests and rotates its serving certificate (serverTLSBootstrap)";
    if (auto e = error_finding(s, id, title)) return *e;
    sdk::Finding f;
    f.id = id;
    f.title = title;
    f.benchmark = cis_reference(benchmark, "rotate-server-certificate");
    if (!s.config_text && s.flag_sources.empty()) {
        f.status = sdk::Status::info;
        f.result = "no kubelet configuration on this node";
        f.evidence.push_back({s.config_path, "present", "no kubelet configuration on this node", ""});
        return f;
    }
    bool on = s.server_tls_bootstrap.value_or(false);
    f.result = s.config_text ? setting_text("serverTLSBootstrap", s.server_tls_bootstrap, s.config_path)
                             : "no " + s.config_path + " and no --rotate-server-certificates flag";
    if (s.config_text)
        f.evidence.push_back({s.config_path, "serverTLSBootstrap", bool_text(s.server_tls_bootstrap), "true"});
    if (!s.server_tls_bootstrap_from.empty())
        f.evidence.push_back({s.server_tls_bootstrap_from,
                              "serverTLSBootstrap (--config-dir drop-in, wins over the file)",
                              bool_text(s.server_tls_bootstrap), "true"});
    // Command-line flags override the file; the last source is what runs.
    for (const auto& v : s.flag_values("rotate-server-certificates")) {
        f.evidence.push_back({v.source, "--rotate-server-certificates", v.text, "true"});
        on = v.value;
        f.result = "--rotate-server-certificates=" + v.text + " in " + v.source;
    }
    if (!on) {
        f.status = sdk::Status::warn;
        f.fixable = can_enable;
        f.remediation = "Set serverTLSBootstrap: true in " + s.config_path +
                        " and restart the kubelet, but only together with an approver for kubelet-serving CSRs: "
                        "Kubernetes does not approve them itself, and until one is approved the kubelet serves no "
                        "certificate (kubectl logs/exec fail). `kubecert --flavor kubeadm fix "
                        "--kubeadm-enable-server-tls-bootstrap` does it all: it sets it, restarts the kubelet, "
                        "approves the kubelet's CSR when it passes kubecert's checks (kubeadm.kubelet-serving-csrs) "
                        "and checks the certificate then served, or rolls the change back; later rotations are "
                        "approved by `kubecert fix` (or kubelet-csr-approver, or `kubectl certificate approve`).";
    }
    return f;
}

} // namespace kubecert::kubeadm
