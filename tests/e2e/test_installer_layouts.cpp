// Issue 11: verdicts on the node layouts real installers write, built from the installers'
// own published files (tests/fixtures/installers/PROVENANCE.md and the shared upstream fixtures), with
// the expected status of each check and the exit status of the run.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <kubecert/util/base64.hpp>

#include "kubeadm_node.hpp"
#include "pki.hpp"
#include "test_support.hpp"

using namespace kubecert::test;
namespace fs = std::filesystem;

namespace {

// The JSON report of a run, or an empty object (with a test failure) when it is not JSON.
nlohmann::json report_of(const std::string& out) {
    auto j = nlohmann::json::parse(out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << out;
    return j.is_discarded() ? nlohmann::json::object() : j;
}

std::string fixture(const std::string& name) {
    return source_dir() + "/tests/fixtures/installers/" + name;
}

// A /proc/PID/cmdline: the words, each ended by a NUL.
std::string cmdline(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += w + std::string(1, '\0');
    return out;
}

nlohmann::json finding_of(const nlohmann::json& findings, const std::string& id) {
    if (findings.is_array())
        for (const auto& f : findings)
            if (f.value("id", "") == id) return f;
    return nullptr;
}

std::string status_of(const nlohmann::json& findings, const std::string& id) {
    const auto f = finding_of(findings, id);
    return f.is_null() ? "(absent)" : f.value("status", "");
}

std::string text_of(const nlohmann::json& f) {
    if (!f.is_object()) return "";
    std::string s = f.value("remediation", "") + "\n";
    for (const auto& e : f.value("evidence", nlohmann::json::array()))
        s += e.value("source", "") + " | " + e.value("key", "") + " | " + e.value("actual", "") + " | " +
             e.value("expected", "") + "\n";
    return s;
}

bool plugin_ran(const nlohmann::json& report, const std::string& name) {
    for (const auto& p : report.value("plugins", nlohmann::json::array()))
        if (p.value("name", "") == name) return true;
    return false;
}

CertSpec leaf(const std::string& cn, std::int64_t days, bool server, bool client) {
    CertSpec s;
    s.common_name = cn;
    s.not_before = now_seconds() - 30 * k_day;
    s.not_after = now_seconds() + days * k_day;
    s.server_auth = server;
    s.client_auth = client;
    s.key_type = "ec";
    return s;
}

// A kubespray control-plane node "node1" (docs in tests/fixtures/installers/PROVENANCE.md): kubeadm's
// certificates in /etc/kubernetes/ssl with /etc/kubernetes/pki linked to it, kubespray's kubelet
// unit, kubelet.env and kubelet-config.yaml, kubeadm-config.yaml naming the external etcd, and
// etcd's certificates in /etc/ssl/etcd/ssl. Stand-ins for systemctl, crictl and docker (which
// knows no kubelet container: kubespray runs the kubelet from systemd) first on PATH.
struct KubesprayNode {
    KubeadmTestNode node;
    explicit KubesprayNode(std::int64_t etcd_client_days = 300, bool control_plane = true) : node(spec(control_plane)) {
        const std::string root = node.root.path();
        // kubeadm wrote /etc/kubernetes/pki; kubespray's certificatesDir is ssl, pki its compat link.
        fs::rename(root + "/etc/kubernetes/pki", root + "/etc/kubernetes/ssl");
        fs::create_directory_symlink("/etc/kubernetes/ssl", root + "/etc/kubernetes/pki");
        // kubespray's own kubelet unit and files replace the kubeadm packages' ones.
        fs::remove_all(root + "/usr/lib/systemd/system/kubelet.service.d");
        fs::remove(root + "/usr/lib/systemd/system/kubelet.service");
        fs::remove(root + "/var/lib/kubelet/config.yaml");
        fs::remove(root + "/var/lib/kubelet/kubeadm-flags.env");
        fs::remove(root + "/etc/sysconfig/kubelet");
        copy_file(fixture("kubespray/kubelet.service"), node / "/etc/systemd/system/kubelet.service");
        copy_file(fixture("kubespray/kubelet.env"), node / "/etc/kubernetes/kubelet.env");
        copy_file(fixture("kubespray/kubelet-config.yaml"), node / "/etc/kubernetes/kubelet-config.yaml");
        write_file(node / "/etc/hostname", "node1\n");
        if (!control_plane) return;
        copy_file(fixture("kubespray/kubeadm-config.yaml"), node / "/etc/kubernetes/kubeadm-config.yaml");
        // etcd_deployment_type: host: etcd's CA and certificates from kubespray's etcd role.
        CertSpec ca_spec = leaf("etcd-ca", 3650, false, false);
        ca_spec.is_ca = true;
        const KeyPair ca = make_self_signed(ca_spec);
        const KeyPair client = make_signed(leaf("etcd-node-node1", etcd_client_days, false, true), ca);
        const KeyPair member = make_signed(leaf("etcd-member-node1", 300, true, true), ca);
        const KeyPair admin = make_signed(leaf("etcd-admin-node1", 300, false, true), ca);
        const std::string d = "/etc/ssl/etcd/ssl/";
        write_file(node / (d + "ca.pem"), ca.cert_pem);
        write_file(node / (d + "ca-key.pem"), ca.key_pem, 0600);
        const std::vector<std::pair<std::string, KeyPair>> files = {
            {"node-node1", client}, {"member-node1", member}, {"admin-node1", admin}};
        for (const auto& [name, kp] : files) {
            write_file(node / (d + name + ".pem"), kp.cert_pem);
            write_file(node / (d + name + "-key.pem"), kp.key_pem, 0600);
        }
    }

    static KubeadmNodeSpec spec(bool control_plane) {
        KubeadmNodeSpec s;
        s.local_etcd = false;
        s.node_name = "node1";
        (void)control_plane;
        return s;
    }

    ProcResult kubecert(std::vector<std::string> args, const std::string& live = "yes") const {
        write_script(node.bin.path(), "docker",
                     "#!/bin/sh\necho \"docker $*\" >> '" + node.bin.path() +
                         "/docker.log'\necho 'Error: No such object: kubelet' >&2\nexit 1\n");
        std::vector<std::string> all{"--root", node.root.path(), "--format", "json"};
        all.insert(all.end(), args.begin(), args.end());
        return run_kubecert(all, {{"PATH", path_with(node.bin.path())},
                                  {"HOME", "/home/alice"},
                                  {"SUDO_USER", "\x01unset"},
                                  {"KUBECERT_LIVE_SYSTEM", live}});
    }
};

} // namespace

// kubespray (roles/kubernetes/node and control-plane templates, rendered in tests/fixtures/installers): a
// kubeadm node, never an RKE one, with every verdict right on its layout.
TEST(InstallerLayouts, KubesprayControlPlaneIsKubeadmNotRke) {
    KubesprayNode k;
    for (const std::string live : {"yes", "auto"}) {
        const auto r = k.kubecert({"audit"}, live);
        EXPECT_EQ(r.exit_code, 0) << live << "\n" << r.out << r.err;
        const auto j = report_of(r.out);
        EXPECT_TRUE(plugin_ran(j, "kubeadm")) << r.out;
        EXPECT_FALSE(plugin_ran(j, "rke")) << "kubespray's /etc/kubernetes/ssl is not RKE evidence\n" << r.out;
        const auto& fs = j["findings"];
        for (const char* id : {"kubeadm.ca-expiry/ca", "kubeadm.ca-expiry/front-proxy-ca", "kubeadm.ca-expiry/etcd-ca",
                               "kubeadm.cert-expiry/apiserver", "kubeadm.cert-expiry/apiserver-kubelet-client",
                               "kubeadm.cert-expiry/front-proxy-client", "kubeadm.cert-expiry/admin.conf",
                               "kubeadm.cert-expiry/controller-manager.conf", "kubeadm.cert-expiry/scheduler.conf",
                               "kubeadm.cert-expiry/apiserver-etcd-client", "kubeadm.cert-expiry/etcd-server",
                               "kubeadm.cert-expiry/etcd-peer", "kubeadm.cert-expiry/etcd-healthcheck-client",
                               "kubeadm.cert-expiry/kubelet-client", "kubeadm.kubelet-client-rotation",
                               "kubeadm.user-kubeconfig-current"})
            EXPECT_EQ(status_of(fs, id), "PASS") << id << "\n" << text_of(finding_of(fs, id));
        // kubespray's default kubelet_rotate_server_certificates: false.
        EXPECT_EQ(status_of(fs, "kubeadm.kubelet-server-rotation"), "WARN");
        // The evidence names the files where they are.
        EXPECT_NE(text_of(finding_of(fs, "kubeadm.cert-expiry/apiserver")).find("/etc/kubernetes/ssl/apiserver.crt"),
                  std::string::npos);
        EXPECT_NE(text_of(finding_of(fs, "kubeadm.cert-expiry/apiserver-etcd-client"))
                      .find("/etc/ssl/etcd/ssl/node-node1.pem"),
                  std::string::npos)
            << text_of(finding_of(fs, "kubeadm.cert-expiry/apiserver-etcd-client"));
        EXPECT_NE(
            text_of(finding_of(fs, "kubeadm.kubelet-client-rotation")).find("/etc/kubernetes/kubelet-config.yaml"),
            std::string::npos);
    }
    // Live, the rke plugin may ask docker about a kubelet container; it finds none.
    const std::string docker_log = k.node.bin.path() + "/docker.log";
    if (file_exists(docker_log)) {
        EXPECT_EQ(read_file(docker_log), "docker inspect kubelet\n");
    }
}

TEST(InstallerLayouts, KubesprayExpiredExternalEtcdClientIsReportedNotRenewed) {
    KubesprayNode k(-2);
    const auto files_before = node_files(k.node);
    const auto r = k.kubecert({"fix", "--yes"});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    const auto j = report_of(r.out);
    const auto f = finding_of(j["findings"], "kubeadm.cert-expiry/apiserver-etcd-client");
    EXPECT_EQ(f.value("status", ""), "FAIL") << text_of(f);
    EXPECT_FALSE(f.value("fixable", true));
    EXPECT_NE(text_of(f).find("external etcd"), std::string::npos) << text_of(f);
    EXPECT_EQ(status_of(j["after"], "kubeadm.cert-expiry/apiserver-etcd-client"), "FAIL");
    EXPECT_EQ(changed_files(files_before, node_files(k.node)), "") << "nothing to renew with kubeadm's tools";
}

TEST(InstallerLayouts, KubesprayWorkerWithoutCompatLinkIsKubeadm) {
    KubesprayNode k(300, false);
    const std::string root = k.node.root.path();
    // A worker: no control-plane certificates or manifests, and no pki link.
    fs::remove(root + "/etc/kubernetes/pki");
    fs::remove_all(root + "/etc/kubernetes/manifests");
    for (const char* f :
         {"ca.key", "apiserver.crt", "apiserver.key", "apiserver-kubelet-client.crt", "apiserver-kubelet-client.key",
          "front-proxy-ca.crt", "front-proxy-ca.key", "front-proxy-client.crt", "front-proxy-client.key"})
        fs::remove(root + "/etc/kubernetes/ssl/" + f);
    for (const char* f : {"admin.conf", "super-admin.conf", "controller-manager.conf", "scheduler.conf"})
        fs::remove(root + "/etc/kubernetes/" + f);
    fs::remove(root + "/root/.kube/config");
    const auto r = k.kubecert({"audit"}, "auto");
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    const auto j = report_of(r.out);
    EXPECT_TRUE(plugin_ran(j, "kubeadm")) << r.out;
    EXPECT_FALSE(plugin_ran(j, "rke")) << r.out;
    EXPECT_EQ(status_of(j["findings"], "kubeadm.ca-expiry/ca"), "PASS");
    EXPECT_NE(text_of(finding_of(j["findings"], "kubeadm.ca-expiry/ca")).find("/etc/kubernetes/ssl/ca.crt"),
              std::string::npos);
    EXPECT_EQ(status_of(j["findings"], "kubeadm.cert-expiry/apiserver"), "INFO");
    EXPECT_EQ(status_of(j["findings"], "kubeadm.kubelet-client-rotation"), "PASS");
}

// An RKE node keeps RKE's own files in /etc/kubernetes/ssl: still RKE.
TEST(InstallerLayouts, RkeNodeIsStillDetectedOnRkeEvidence) {
    TempDir root;
    CertSpec ca_spec = leaf("kube-ca", 3650, false, false);
    ca_spec.is_ca = true;
    const KeyPair ca = make_self_signed(ca_spec);
    const KeyPair node = make_signed(leaf("system:node", 300, false, true), ca);
    write_file(root / "/etc/kubernetes/ssl/kube-ca.pem", ca.cert_pem);
    write_file(root / "/etc/kubernetes/ssl/kube-node.pem", node.cert_pem);
    write_file(root / "/etc/kubernetes/ssl/kube-node-key.pem", node.key_pem, 0600);
    const auto r =
        run_kubecert({"--root", root.path(), "--format", "json", "audit"}, {{"KUBECERT_LIVE_SYSTEM", "auto"}});
    const auto j = report_of(r.out);
    EXPECT_TRUE(plugin_ran(j, "rke")) << r.out << r.err;
    EXPECT_FALSE(plugin_ran(j, "kubeadm")) << r.out;
}

namespace {

// A Bottlerocket EKS node (bottlerocket-os/bottlerocket packages/kubernetes-1.24, rendered in
// tests/fixtures/installers/bottlerocket): kubelet.service with the exec-start drop-in, the YAML config at
// /etc/kubernetes/kubelet/config, an aws-iam-authenticator kubeconfig, and a static serving
// certificate from the site's own CA.
struct BottlerocketNode {
    TempDir root;
    explicit BottlerocketNode(std::int64_t serving_days) {
        copy_file(fixture("bottlerocket/kubelet.service"), root / "/usr/lib/systemd/system/kubelet.service");
        copy_file(fixture("bottlerocket/exec-start.conf"),
                  root / "/etc/systemd/system/kubelet.service.d/exec-start.conf");
        copy_file(fixture("bottlerocket/config"), root / "/etc/kubernetes/kubelet/config");
        copy_file(fixture("bottlerocket/env"), root / "/etc/kubernetes/kubelet/env");
        copy_file(fixture("bottlerocket/proxy.env"), root / "/etc/network/proxy.env");
        write_file(root / "/etc/kubernetes/kubelet/kubeconfig",
                   "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority: "
                   "/etc/kubernetes/pki/ca.crt\n    server: https://ABC.gr7.us-west-2.eks.amazonaws.com\n  name: "
                   "kubernetes\ncontexts:\n- context:\n    cluster: kubernetes\n    user: kubelet\n  name: kubelet\n"
                   "current-context: kubelet\nusers:\n- name: kubelet\n  user:\n    exec:\n      apiVersion: "
                   "client.authentication.k8s.io/v1beta1\n      command: /usr/bin/aws-iam-authenticator\n      args:\n"
                   "        - token\n        - -i\n        - my-cluster\n        - --region\n        - us-west-2\n");
        CertSpec ca_spec = leaf("Example Corp Issuing CA", 3650, false, false);
        ca_spec.is_ca = true;
        const KeyPair site_ca = make_self_signed(ca_spec);
        const KeyPair serving =
            make_signed(leaf("ip-192-168-84-28.us-west-2.compute.internal", serving_days, true, false), site_ca);
        write_file(root / "/etc/kubernetes/pki/ca.crt", site_ca.cert_pem);
        write_file(root / "/etc/kubernetes/pki/kubelet-server.crt", serving.cert_pem);
        write_file(root / "/etc/kubernetes/pki/private/kubelet-server.key", serving.key_pem, 0600);
        write_file(root / "/etc/hostname", "ip-192-168-84-28.us-west-2.compute.internal\n");
    }
    ProcResult audit() const {
        return run_kubecert({"--root", root.path(), "--format", "json", "audit"}, {{"KUBECERT_LIVE_SYSTEM", "auto"}});
    }
};

} // namespace

TEST(InstallerLayouts, BottlerocketIsRecognisedAndItsStaticCertificateJudgedByExpiry) {
    BottlerocketNode node(300);
    const auto r = node.audit();
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    const auto j = report_of(r.out);
    EXPECT_TRUE(plugin_ran(j, "eks")) << r.out << r.err;
    const auto& fs = j["findings"];
    EXPECT_EQ(status_of(fs, "eks.rotate-server-cert"), "PASS") << text_of(finding_of(fs, "eks.rotate-server-cert"));
    const auto stb = finding_of(fs, "eks.server-tls-bootstrap");
    EXPECT_EQ(stb.value("status", ""), "INFO") << text_of(stb);
    EXPECT_NE(text_of(stb).find("static certificate"), std::string::npos) << text_of(stb);
    EXPECT_EQ(status_of(fs, "eks.rotate-client-cert"), "INFO") << "aws-iam-authenticator: no client certificate";
    const auto exp = finding_of(fs, "eks.serving-cert-expiry");
    EXPECT_EQ(exp.value("status", ""), "PASS") << text_of(exp);
    EXPECT_NE(text_of(exp).find("/etc/kubernetes/pki/kubelet-server.crt"), std::string::npos) << text_of(exp);
    EXPECT_EQ(status_of(fs, "eks.configz"), "INFO");
}

TEST(InstallerLayouts, BottlerocketStaticCertificateNearExpiryAsksForANewOneNotACsr) {
    BottlerocketNode node(10);
    const auto r = node.audit();
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    const auto j = report_of(r.out);
    const auto exp = finding_of(j["findings"], "eks.serving-cert-expiry");
    EXPECT_EQ(exp.value("status", ""), "WARN") << text_of(exp);
    const std::string remedy = exp.value("remediation", "");
    EXPECT_NE(remedy.find("server-certificate"), std::string::npos) << remedy;
    EXPECT_EQ(remedy.find("kubectl get csr"), std::string::npos) << remedy;
}

// EKS local clusters on Outposts (awslabs/amazon-eks-ami templates/al2/runtime/bootstrap.sh,
// --enable-local-outpost): the kubelet bootstraps a client certificate and the AMI's
// kubelet-config.json leaves rotateCertificates unset (false).
TEST(InstallerLayouts, OutpostsClientCertificateWithoutRotationFailsAndIsFixed) {
    TempDir root, bin;
    write_script(bin.path(), "systemctl",
                 "#!/bin/sh\necho \"$*\" >> '" + bin.path() +
                     "/systemctl.log'\n[ \"$1\" = is-active ] && echo active\n"
                     "exit 0\n");
    const std::string ami = upstream_fixtures() + "/amazon-eks-ami/";
    copy_file(ami + "kubelet.service", root / "/etc/systemd/system/kubelet.service");
    write_file(root / "/etc/systemd/system/kubelet.service.d/10-kubelet-args.conf",
               "[Service]\nEnvironment='KUBELET_ARGS=--node-ip=10.0.1.23 --v=2 --cloud-provider=external'\n");
    write_file(
        root / "/etc/systemd/system/kubelet.service.d/30-kubelet-extra-args.conf",
        "[Service]\nEnvironment='KUBELET_EXTRA_ARGS=--bootstrap-kubeconfig /var/lib/kubelet/bootstrap-kubeconfig '\n");
    copy_file(ami + "kubelet-config.json", root / "/etc/kubernetes/kubelet/kubelet-config.json");
    copy_file(ami + "kubelet-kubeconfig", root / "/var/lib/kubelet/bootstrap-kubeconfig");
    // What the kubelet wrote after its TLS bootstrap.
    write_file(
        root / "/var/lib/kubelet/kubeconfig",
        "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority: /etc/kubernetes/pki/ca.crt\n"
        "    server: https://10.0.0.5\n  name: default-cluster\ncontexts:\n- context:\n    cluster: "
        "default-cluster\n    namespace: default\n    user: default-auth\n  name: default-context\n"
        "current-context: default-context\nusers:\n- name: default-auth\n  user:\n    client-certificate: "
        "/var/lib/kubelet/pki/kubelet-client-current.pem\n    client-key: "
        "/var/lib/kubelet/pki/kubelet-client-current.pem\n");
    const auto env = std::map<std::string, std::string>{{"PATH", path_with(bin.path())}};
    auto r = run_kubecert({"--root", root.path(), "--format", "json", "--flavor", "eks", "fix", "--yes"}, env);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    const auto j = report_of(r.out);
    const auto f = finding_of(j["findings"], "eks.rotate-client-cert");
    EXPECT_EQ(f.value("status", ""), "FAIL") << text_of(f);
    EXPECT_TRUE(f.value("fixable", false)) << text_of(f);
    EXPECT_NE(text_of(f).find("never renewed"), std::string::npos) << text_of(f);
    EXPECT_EQ(status_of(j["after"], "eks.rotate-client-cert"), "PASS");
    EXPECT_NE(read_file(root / "/etc/kubernetes/kubelet/kubelet-config.json").find("\"rotateCertificates\": true"),
              std::string::npos);
}

// kube-bench #1256: a relative --config is the kubelet's working directory's. kubeadm's
// packaging drop-in (kubernetes/release 10-kubeadm.conf) with --config=config.yaml and a
// WorkingDirectory=/var/lib/kubelet drop-in.
TEST(InstallerLayouts, RelativeConfigResolvesAgainstWorkingDirectory) {
    KubeadmTestNode node;
    const std::string dropin = node / "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf";
    std::string text = read_file(dropin);
    const std::string from = "--config=/var/lib/kubelet/config.yaml";
    ASSERT_NE(text.find(from), std::string::npos);
    text.replace(text.find(from), from.size(), "--config=config.yaml");
    write_file(dropin, text);
    write_file(node / "/etc/systemd/system/kubelet.service.d/20-workdir.conf",
               "[Service]\nWorkingDirectory=/var/lib/kubelet\n");
    auto r = node.kubecert({"audit"});
    auto j = kubeadm_report(r);
    auto f = kubeadm_finding(j["findings"], "kubeadm.kubelet-client-rotation");
    EXPECT_EQ(f.value("status", ""), "PASS") << text_of(f);
    // The evidence says how the shared kubelet engine resolved it (the same words as the EKS plugin's).
    EXPECT_NE(text_of(f).find("resolved against the kubelet's working directory /var/lib/kubelet"), std::string::npos)
        << text_of(f);

    // A running kubelet's own cwd (ROOT/proc/PID/cwd) comes first.
    fs::remove(node / "/etc/systemd/system/kubelet.service.d/20-workdir.conf");
    write_file(node / "/proc/4242/cmdline", cmdline({"/usr/bin/kubelet", "--config=config.yaml"}));
    write_file(node / "/proc/4242/comm", "kubelet\n");
    fs::create_directory_symlink("/var/lib/kubelet", node / "/proc/4242/cwd");
    r = node.kubecert({"audit"});
    j = kubeadm_report(r);
    f = kubeadm_finding(j["findings"], "kubeadm.kubelet-client-rotation");
    EXPECT_EQ(f.value("status", ""), "PASS") << text_of(f) << r.err;
}

TEST(InstallerLayouts, EksRelativeConfigFromTheProcessWorkingDirectory) {
    TempDir root;
    const std::string ami = upstream_fixtures() + "/amazon-eks-ami/";
    copy_file(ami + "kubelet-config.json", root / "/etc/kubernetes/kubelet/kubelet-config.json");
    copy_file(ami + "kubelet-kubeconfig", root / "/var/lib/kubelet/kubeconfig");
    write_file(root / "/proc/77/cmdline", cmdline({"/usr/bin/kubelet", "--config", "kubelet-config.json",
                                                   "--kubeconfig", "../../../var/lib/kubelet/kubeconfig"}));
    write_file(root / "/proc/77/comm", "kubelet\n");
    fs::create_directory_symlink("/etc/kubernetes/kubelet", root / "/proc/77/cwd");
    const auto r = run_kubecert({"--root", root.path(), "--format", "json", "--flavor", "eks", "audit"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    const auto j = report_of(r.out);
    EXPECT_EQ(status_of(j["findings"], "eks.server-tls-bootstrap"), "PASS")
        << text_of(finding_of(j["findings"], "eks.server-tls-bootstrap"));
    EXPECT_EQ(status_of(j["findings"], "eks.rotate-client-cert"), "INFO") << "the relative --kubeconfig was read";
}

namespace {

// An EKS node from the shared amazon-eks-ami fixtures, audited with the eks plugin.
ProcResult eks_audit(const TempDir& root) {
    return run_kubecert({"--root", root.path(), "--flavor", "eks", "--format", "json", "audit"});
}

std::string ami_file(const std::string& name) {
    return upstream_fixtures() + "/amazon-eks-ami/" + name;
}

} // namespace

// The June 2018 AMI (files/kubelet.service at 19279be): every setting a flag, no config file.
// The remediation changes the command line, not a config file the node does not have.
TEST(InstallerLayouts, FlagsOnlyNodeIsToldToChangeTheCommandLine) {
    TempDir root;
    copy_file(ami_file("2018-19279be-kubelet.service"), root / "/etc/systemd/system/kubelet.service");
    copy_file(ami_file("kubelet-kubeconfig"), root / "/var/lib/kubelet/kubeconfig");
    const auto r = eks_audit(root);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    const auto f = finding_of(report_of(r.out)["findings"], "eks.server-tls-bootstrap");
    EXPECT_EQ(f.value("status", ""), "FAIL") << text_of(f);
    const std::string remedy = f.value("remediation", "");
    EXPECT_NE(remedy.find("--rotate-server-certificates=true on the kubelet's command line"), std::string::npos)
        << remedy;
    EXPECT_NE(remedy.find("reads no config file"), std::string::npos) << remedy;
    EXPECT_EQ(remedy.find("in the kubelet config file"), std::string::npos) << remedy;
}

// AL2023 (nodeadm's kubelet.service and e2e goldens): nodeadm rewrites the config and its
// drop-in from the NodeConfig at every boot, so the lasting change belongs there.
TEST(InstallerLayouts, Al2023FindingsPointAtTheNodeConfig) {
    TempDir root;
    copy_file(ami_file("al2023-kubelet.service"), root / "/etc/systemd/system/kubelet.service");
    write_file(root / "/etc/eks/kubelet/environment",
               "NODEADM_KUBELET_ARGS=\"--config=/etc/kubernetes/kubelet/config.json "
               "--config-dir=/etc/kubernetes/kubelet/config.json.d --kubeconfig=/var/lib/kubelet/kubeconfig --v=2\"\n");
    copy_file(ami_file("nodeadm-kubelet-config-dir-expected-kubelet-config.json"),
              root / "/etc/kubernetes/kubelet/config.json");
    write_file(root / "/etc/kubernetes/kubelet/config.json.d/40-nodeadm.conf",
               "{\"apiVersion\": \"kubelet.config.k8s.io/v1beta1\", \"kind\": \"KubeletConfiguration\", "
               "\"serverTLSBootstrap\": false}\n");
    copy_file(ami_file("kubelet-kubeconfig"), root / "/var/lib/kubelet/kubeconfig");
    const auto r = eks_audit(root);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    const auto f = finding_of(report_of(r.out)["findings"], "eks.server-tls-bootstrap");
    EXPECT_EQ(f.value("status", ""), "FAIL") << text_of(f);
    EXPECT_NE(f.value("remediation", "").find("NodeConfig"), std::string::npos) << text_of(f);
    EXPECT_NE(f.value("remediation", "").find("at every boot"), std::string::npos) << text_of(f);
}

// One engine for the kubelet's merge: a kubeadm node whose --config-dir drop-in turns client
// rotation off gets the verdict the EKS plugin gives for the same drop-in.
TEST(InstallerLayouts, KubeadmConfigDirDropInsMergeLikeEks) {
    KubeadmTestNode node;
    write_file(node / "/etc/sysconfig/kubelet", "KUBELET_EXTRA_ARGS=--config-dir=/etc/kubernetes/kubelet.conf.d\n");
    write_file(node / "/etc/kubernetes/kubelet.conf.d/90-local.conf",
               "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nrotateCertificates: false\n"
               "serverTLSBootstrap: true\n");
    const auto j = kubeadm_report(node.kubecert({"audit"}));
    const auto rot = kubeadm_finding(j["findings"], "kubeadm.kubelet-client-rotation");
    EXPECT_EQ(rot.value("status", ""), "FAIL") << text_of(rot);
    EXPECT_FALSE(rot.value("fixable", true)) << "the file kubecert would edit is not the one that wins";
    EXPECT_NE(text_of(rot).find("/etc/kubernetes/kubelet.conf.d/90-local.conf"), std::string::npos) << text_of(rot);
    EXPECT_EQ(status_of(j["findings"], "kubeadm.kubelet-server-rotation"), "PASS");
}
