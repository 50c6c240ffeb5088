#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "report/model.hpp"

// Sample Report values shared by the report writer tests: what the CLI hands
// the writers after an audit, a fix (applied or dry run) and `certs`.
namespace kubecert::test::samples {

using namespace kubecert::report;

// 2025-03-01T00:00:00Z, the evaluation instant of the audit samples.
inline constexpr std::int64_t k_audit_now = 1740787200;

inline const char* k_bootstrap_remediation =
    "Set serverTLSBootstrap: true in /etc/kubernetes/kubelet/kubelet-config.json (or pass "
    "--rotate-server-certificates=true to the kubelet), then restart the kubelet and approve its CSR with "
    "kubectl certificate approve.";

inline const char* k_kubelet_config_diff = "--- /etc/kubernetes/kubelet/kubelet-config.json\n"
                                           "+++ /etc/kubernetes/kubelet/kubelet-config.json\n"
                                           "@@ -3,3 +3,3 @@\n"
                                           "   \"kind\": \"KubeletConfiguration\",\n"
                                           "-  \"serverTLSBootstrap\": false,\n"
                                           "+  \"serverTLSBootstrap\": true,\n"
                                           "   \"clusterDomain\": \"cluster.local\"\n";

// An audit of a node with the eks and rke plugins: 2 PASS, 1 FAIL, 1 WARN, 1 INFO, 1 ERROR.
inline Report audit_report() {
    Report r;
    r.tool_version = "0.1.0";
    r.generated_at = k_audit_now;
    r.root = "/";
    r.command = "audit";
    r.plugins = {{"eks", "0.1.0"}, {"rke", "0.2.0"}};
    r.findings = {
        {"eks.rotate-server-cert",
         "eks",
         "RotateKubeletServerCertificate feature gate is enabled",
         FindingStatus::pass,
         "CIS Amazon EKS Benchmark 3.2.11",
         {{"/etc/kubernetes/kubelet/kubelet-config.json", "featureGates.RotateKubeletServerCertificate", "true",
           "true"}},
         "",
         true,
         "featureGates.RotateKubeletServerCertificate=true in /etc/kubernetes/kubelet/kubelet-config.json"},
        {"eks.server-tls-bootstrap",
         "eks",
         "The kubelet requests and rotates its serving certificate",
         FindingStatus::fail,
         "CIS Amazon EKS Benchmark 3.2.11",
         {{"/etc/kubernetes/kubelet/kubelet-config.json", "serverTLSBootstrap", "false", "true"},
          {"/etc/systemd/system/kubelet.service", "--rotate-server-certificates", "(absent)", "true"}},
         k_bootstrap_remediation,
         true,
         "serverTLSBootstrap=false in /etc/kubernetes/kubelet/kubelet-config.json"},
        {"eks.serving-cert-expiry",
         "eks",
         "The kubelet serving certificate is not about to expire",
         FindingStatus::warn,
         "",
         {{"/var/lib/kubelet/pki/kubelet-server-current.pem", "notAfter", "2025-03-15T12:00:00Z",
           "after 2025-03-31T00:00:00Z"}},
         "Approve the kubelet's pending serving CSR or restart the kubelet to request a new certificate.",
         false,
         "kubelet-server expires in 14d (Mar 15, 2025 12:00 UTC)"},
        {"eks.configz",
         "eks",
         "Live kubelet configuration (configz)",
         FindingStatus::info,
         "",
         {{"kubecert", "--eks-proxy", "(not given)", ""}},
         "",
         false,
         "not checked: no --eks-api-proxy given"},
        {"rke.generate-serving-cert",
         "rke",
         "cluster.yml sets generate_serving_certificate",
         FindingStatus::error,
         "CIS RKE 1.24 4.2.10",
         {{"/etc/rke/cluster.yml", "line 3, column 5", "mapping values are not allowed here", "valid YAML"}},
         "Fix the YAML in \"cluster.yml\" near <services> & re-run, e.g. kubecert audit --rke-cluster-yml "
         "C:\\rke\\cluster.yml.",
         false,
         ""},
        {"rke.legacy-self-signed",
         "rke",
         "kubelet.crt is not a legacy self-signed certificate",
         FindingStatus::pass,
         "",
         {},
         "",
         false,
         ""},
    };
    r.certificates = {
        {"eks", "kubelet-server", "/var/lib/kubelet/pki/kubelet-server-current.pem", "CN=system:node:ip-10-0-0-1",
         "CN=kubernetes", 1709251200, 1742040000, 1742040000 - k_audit_now, "kubernetes", true, false},
        {"rke", "kube-ca", "/etc/kubernetes/ssl/kube-ca.pem", "CN=kube-ca", "CN=kube-ca", 1709251200, 1740009600,
         1740009600 - k_audit_now, "", false, true},
    };
    return r;
}

// `fix` of the audit above: the kubelet config edited, the kubelet restarted,
// and the audit that follows with the bootstrap finding passing. With
// `dry_run`, nothing is applied and the after-audit is the preview the CLI
// computes on the planned changes.
inline Report fix_report(bool dry_run) {
    Report r = audit_report();
    r.command = "fix";
    r.dry_run = dry_run;
    const ActionStatus status = dry_run ? ActionStatus::planned : ActionStatus::applied;
    r.actions = {
        {"eks.server-tls-bootstrap", "eks", ActionKind::edit, "/etc/kubernetes/kubelet/kubelet-config.json", status,
         dry_run ? "" : "/var/backups/kubecert/20250301T000000Z/etc/kubernetes/kubelet/kubelet-config.json",
         dry_run ? k_kubelet_config_diff : ""},
        {"eks.server-tls-bootstrap", "eks", ActionKind::command, "systemctl restart kubelet", status, "", ""},
    };
    r.has_after = true;
    r.after = r.findings;
    r.after[1].status = FindingStatus::pass;
    r.after[1].result = "serverTLSBootstrap=true in /etc/kubernetes/kubelet/kubelet-config.json";
    return r;
}

// `certs` on a kubeadm control plane: the example of the kubeadm
// documentation (run at 2019-12-31T23:36:30Z, certificates issued a second
// earlier), with its exact expected output.
inline Report kubeadm_certs_report() {
    constexpr std::int64_t now = 1577835390;      // 2019-12-31T23:36:30Z
    constexpr std::int64_t issued = 1577835360;   // 2019-12-31T23:36:00Z
    constexpr std::int64_t leaf_end = 1609371360; // 2020-12-30T23:36:00Z
    constexpr std::int64_t ca_end = 1893195360;   // 2029-12-28T23:36:00Z
    Report r;
    r.tool_version = "0.1.0";
    r.generated_at = now;
    r.root = "/";
    r.command = "certs";
    r.plugins = {{"kubeadm", "0.1.0"}};
    const std::vector<std::pair<std::string, std::string>> leaves = {
        {"admin.conf", "ca"},
        {"apiserver", "ca"},
        {"apiserver-etcd-client", "etcd-ca"},
        {"apiserver-kubelet-client", "ca"},
        {"controller-manager.conf", "ca"},
        {"etcd-healthcheck-client", "etcd-ca"},
        {"etcd-peer", "etcd-ca"},
        {"etcd-server", "etcd-ca"},
        {"front-proxy-client", "front-proxy-ca"},
        {"scheduler.conf", "ca"},
    };
    for (const auto& [name, ca] : leaves) {
        r.certificates.push_back({"kubeadm", name, "/etc/kubernetes/pki/" + name + ".crt", "CN=" + name, "CN=" + ca,
                                  issued, leaf_end, leaf_end - now, ca, false, false});
    }
    for (const char* ca : {"ca", "etcd-ca", "front-proxy-ca"}) {
        r.certificates.push_back({"kubeadm", ca, std::string("/etc/kubernetes/pki/") + ca + ".crt",
                                  std::string("CN=") + ca, std::string("CN=") + ca, issued, ca_end, ca_end - now, "",
                                  false, true});
    }
    return r;
}

// What `kubeadm certs check-expiration` prints for kubeadm_certs_report()
// (Go's tabwriter keeps the trailing spaces of the "%-8v" yes/no cell).
inline const char* k_kubeadm_certs_output =
    "CERTIFICATE                EXPIRES                  RESIDUAL TIME   CERTIFICATE AUTHORITY   EXTERNALLY MANAGED\n"
    "admin.conf                 Dec 30, 2020 23:36 UTC   364d            ca                      no      \n"
    "apiserver                  Dec 30, 2020 23:36 UTC   364d            ca                      no      \n"
    "apiserver-etcd-client      Dec 30, 2020 23:36 UTC   364d            etcd-ca                 no      \n"
    "apiserver-kubelet-client   Dec 30, 2020 23:36 UTC   364d            ca                      no      \n"
    "controller-manager.conf    Dec 30, 2020 23:36 UTC   364d            ca                      no      \n"
    "etcd-healthcheck-client    Dec 30, 2020 23:36 UTC   364d            etcd-ca                 no      \n"
    "etcd-peer                  Dec 30, 2020 23:36 UTC   364d            etcd-ca                 no      \n"
    "etcd-server                Dec 30, 2020 23:36 UTC   364d            etcd-ca                 no      \n"
    "front-proxy-client         Dec 30, 2020 23:36 UTC   364d            front-proxy-ca          no      \n"
    "scheduler.conf             Dec 30, 2020 23:36 UTC   364d            ca                      no      \n"
    "\n"
    "CERTIFICATE AUTHORITY   EXPIRES                  RESIDUAL TIME   EXTERNALLY MANAGED\n"
    "ca                      Dec 28, 2029 23:36 UTC   9y              no      \n"
    "etcd-ca                 Dec 28, 2029 23:36 UTC   9y              no      \n"
    "front-proxy-ca          Dec 28, 2029 23:36 UTC   9y              no      \n";

} // namespace kubecert::test::samples
