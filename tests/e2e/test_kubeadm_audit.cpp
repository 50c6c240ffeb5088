// End-to-end: `kubecert --flavor kubeadm audit` and `certs` on generated kubeadm nodes.
#include <gtest/gtest.h>

#include <filesystem>

#include <kubecert/util/base64.hpp>

#include "kubeadm_node.hpp"

using namespace kubecert::test;
using nlohmann::json;

namespace {

std::string status(const json& report, const std::string& id) {
    const auto f = kubeadm_finding(report["findings"], id);
    return f.is_null() ? "absent" : f.value("status", "");
}

// The last document of a multi-document YAML file (kubeadm's defaulted config ends with the KubeletConfiguration).
std::string last_yaml_document(const std::string& text) {
    const auto pos = text.rfind("\n---\n");
    return pos == std::string::npos ? text : text.substr(pos + 5);
}

} // namespace

TEST(KubeadmAudit, StatusesPerCertificate) {
    KubeadmNodeSpec spec;
    spec.leaf_days = {{"apiserver", -3}, {"etcd-peer", 10}, {"scheduler.conf", -1}};
    spec.ca_days_by_name = {{"front-proxy-ca", 20}};
    KubeadmTestNode node(spec);
    const auto r = node.kubecert({"audit"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    const auto report = kubeadm_report(r);

    EXPECT_EQ(status(report, "kubeadm.cert-expiry/apiserver"), "FAIL");
    EXPECT_EQ(status(report, "kubeadm.cert-expiry/scheduler.conf"), "FAIL");
    EXPECT_EQ(status(report, "kubeadm.cert-expiry/etcd-peer"), "WARN");
    for (const auto* id :
         {"apiserver-etcd-client", "apiserver-kubelet-client", "front-proxy-client", "etcd-server",
          "etcd-healthcheck-client", "admin.conf", "super-admin.conf", "controller-manager.conf", "kubelet-client"})
        EXPECT_EQ(status(report, std::string("kubeadm.cert-expiry/") + id), "PASS") << id;
    EXPECT_EQ(status(report, "kubeadm.ca-expiry/ca"), "PASS");
    EXPECT_EQ(status(report, "kubeadm.ca-expiry/etcd-ca"), "PASS");
    EXPECT_EQ(status(report, "kubeadm.ca-expiry/front-proxy-ca"), "WARN");
    EXPECT_EQ(status(report, "kubeadm.kubelet-client-rotation"), "PASS");
    EXPECT_EQ(status(report, "kubeadm.kubelet-server-rotation"), "WARN");
    EXPECT_EQ(status(report, "kubeadm.user-kubeconfig-current"), "PASS");

    const auto apiserver = kubeadm_finding(report["findings"], "kubeadm.cert-expiry/apiserver");
    EXPECT_TRUE(apiserver.value("fixable", false));
    const auto ev = evidence_text(apiserver);
    EXPECT_NE(ev.find("/etc/kubernetes/pki/apiserver.crt"), std::string::npos) << ev;
    EXPECT_NE(ev.find("ca (/etc/kubernetes/pki/ca.crt)"), std::string::npos) << ev;
    // A CA is never fixable: the remediation points at the manual rotation.
    const auto fp_ca = kubeadm_finding(report["findings"], "kubeadm.ca-expiry/front-proxy-ca");
    EXPECT_FALSE(fp_ca.value("fixable", true));
    EXPECT_NE(fp_ca.value("remediation", "").find("manual-rotation-of-ca-certificates"), std::string::npos);
}

TEST(KubeadmAudit, CertificatesInKubeadmOrder) {
    KubeadmTestNode node;
    const auto report = kubeadm_report(node.kubecert({"audit"}));
    std::vector<std::string> names;
    for (const auto& c : report["certificates"]) names.push_back(c.value("name", ""));
    const std::vector<std::string> expected = {"admin.conf",
                                               "apiserver",
                                               "apiserver-etcd-client",
                                               "apiserver-kubelet-client",
                                               "controller-manager.conf",
                                               "etcd-healthcheck-client",
                                               "etcd-peer",
                                               "etcd-server",
                                               "front-proxy-client",
                                               "scheduler.conf",
                                               "super-admin.conf",
                                               "ca",
                                               "etcd-ca",
                                               "front-proxy-ca"};
    EXPECT_EQ(names, expected);
    for (const auto& c : report["certificates"]) {
        if (c.value("name", "") == "etcd-peer") {
            EXPECT_EQ(c.value("authority", ""), "etcd-ca");
        }
        if (c.value("name", "") == "front-proxy-client") {
            EXPECT_EQ(c.value("authority", ""), "front-proxy-ca");
        }
        EXPECT_FALSE(c.value("externally_managed", true)) << c.dump();
    }
}

TEST(KubeadmAudit, CertsTableLikeKubeadm) {
    KubeadmNodeSpec spec;
    spec.leaf_days = {{"apiserver", -3}};
    spec.ca_days = 3650;
    KubeadmTestNode node(spec);
    const auto r = run_kubecert({"--root", node.root.path(), "--flavor", "kubeadm", "certs"},
                                {{"PATH", path_with(node.bin.path())}});
    ASSERT_EQ(r.exit_code == 0 || r.exit_code == 1, true) << r.out << r.err;
    for (const auto* column :
         {"CERTIFICATE", "EXPIRES", "RESIDUAL TIME", "CERTIFICATE AUTHORITY", "EXTERNALLY MANAGED"})
        EXPECT_NE(r.out.find(column), std::string::npos) << column << "\n" << r.out;
    std::istringstream lines(r.out);
    std::string line, apiserver_line, ca_line;
    while (std::getline(lines, line)) {
        if (line.rfind("apiserver ", 0) == 0) apiserver_line = line;
        if (line.rfind("ca ", 0) == 0) ca_line = line;
    }
    EXPECT_NE(apiserver_line.find("<invalid>"), std::string::npos) << r.out;
    EXPECT_NE(apiserver_line.find(" UTC"), std::string::npos) << r.out; // "Feb 23, 2025 09:46 UTC"
    EXPECT_NE(ca_line.find("9y"), std::string::npos) << r.out;
}

TEST(KubeadmAudit, ExternalEtcdAndWorkerFilesAreNotFailures) {
    KubeadmNodeSpec spec;
    spec.local_etcd = false;
    spec.super_admin = false;
    KubeadmTestNode node(spec);
    const auto r = node.kubecert({"audit"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    const auto report = kubeadm_report(r);
    for (const auto* id :
         {"kubeadm.ca-expiry/etcd-ca", "kubeadm.cert-expiry/etcd-server", "kubeadm.cert-expiry/etcd-peer",
          "kubeadm.cert-expiry/apiserver-etcd-client", "kubeadm.cert-expiry/super-admin.conf"})
        EXPECT_EQ(status(report, id), "INFO") << id;
    EXPECT_EQ(status(report, "kubeadm.cert-expiry/apiserver"), "PASS");
}

TEST(KubeadmAudit, ExternallyManagedCaLeavesAreNotFixable) {
    KubeadmNodeSpec spec;
    spec.leaf_days = {{"apiserver", -3}};
    KubeadmTestNode node(spec);
    std::filesystem::remove(node / "/etc/kubernetes/pki/ca.key");
    const auto report = kubeadm_report(node.kubecert({"audit"}));
    const auto f = kubeadm_finding(report["findings"], "kubeadm.cert-expiry/apiserver");
    EXPECT_EQ(f.value("status", ""), "FAIL");
    EXPECT_FALSE(f.value("fixable", true));
    EXPECT_NE(f.value("remediation", "").find("externally managed"), std::string::npos) << f.dump(2);
    for (const auto& c : report["certificates"]) {
        if (c.value("name", "") == "apiserver" || c.value("name", "") == "ca") {
            EXPECT_TRUE(c.value("externally_managed", false)) << c.dump();
        }
    }
}

TEST(KubeadmAudit, KeyMismatchAndForeignSignatureFail) {
    KubeadmTestNode node;
    CertSpec other;
    other.common_name = "other";
    other.not_before = now_seconds() - k_day;
    other.not_after = now_seconds() + 300 * k_day;
    const auto stray = make_self_signed(other);
    write_file(node / "/etc/kubernetes/pki/apiserver.key", stray.key_pem, 0600);
    // front-proxy-client signed by a CA that is not the one on disk, with its own matching key.
    other.is_ca = true;
    const auto rogue_ca = make_self_signed(other);
    CertSpec leaf;
    leaf.common_name = "front-proxy-client";
    leaf.client_auth = true;
    leaf.not_before = now_seconds() - k_day;
    leaf.not_after = now_seconds() + 300 * k_day;
    const auto rogue = make_signed(leaf, rogue_ca);
    write_file(node / "/etc/kubernetes/pki/front-proxy-client.crt", rogue.cert_pem);
    write_file(node / "/etc/kubernetes/pki/front-proxy-client.key", rogue.key_pem, 0600);

    const auto r = node.kubecert({"audit"});
    EXPECT_EQ(r.exit_code, 1);
    const auto report = kubeadm_report(r);
    const auto key = kubeadm_finding(report["findings"], "kubeadm.cert-expiry/apiserver");
    EXPECT_EQ(key.value("status", ""), "FAIL");
    EXPECT_NE(evidence_text(key).find("does not match"), std::string::npos) << key.dump(2);
    EXPECT_TRUE(key.value("fixable", false));
    const auto sig = kubeadm_finding(report["findings"], "kubeadm.cert-expiry/front-proxy-client");
    EXPECT_EQ(sig.value("status", ""), "FAIL");
    EXPECT_NE(evidence_text(sig).find("verifies against /etc/kubernetes/pki/front-proxy-ca.crt"), std::string::npos)
        << sig.dump(2);
}

TEST(KubeadmAudit, KubeletClientCloseToExpiryMeansRotationIsBroken) {
    KubeadmNodeSpec spec;
    spec.kubelet_client_days = 5;
    KubeadmTestNode node(spec);
    const auto report = kubeadm_report(node.kubecert({"audit"}));
    const auto f = kubeadm_finding(report["findings"], "kubeadm.cert-expiry/kubelet-client");
    EXPECT_EQ(f.value("status", ""), "WARN");
    const auto ev = evidence_text(f);
    EXPECT_NE(ev.find("/var/lib/kubelet/pki/kubelet-client-current.pem"), std::string::npos) << ev;
    EXPECT_NE(ev.find("kubelet-client-2026-01-01-00-00-00.pem"), std::string::npos) << ev; // the symlink's target
    EXPECT_NE(ev.find("rotation is broken"), std::string::npos) << ev;
    // A control plane holds the cluster CA key: fix renews it as the kubelet would.
    EXPECT_TRUE(f.value("fixable", false)) << f.dump(2);
    EXPECT_NE(f.value("remediation", "").find("kubelet-client-<time>.pem"), std::string::npos) << f.dump(2);
}

TEST(KubeadmAudit, RotateCertificatesOffInConfigOrFlags) {
    KubeadmNodeSpec spec;
    spec.rotate_certificates = false;
    KubeadmTestNode node(spec);
    auto report = kubeadm_report(node.kubecert({"audit"}));
    auto f = kubeadm_finding(report["findings"], "kubeadm.kubelet-client-rotation");
    EXPECT_EQ(f.value("status", ""), "FAIL");
    EXPECT_TRUE(f.value("fixable", false));
    EXPECT_EQ(f.value("benchmark", ""), "CIS Kubernetes Benchmark v1.12 4.2.10");

    // A flag that turns it off wins over the file, and is named with the file that holds it.
    KubeadmTestNode flagged;
    write_file(flagged / "/etc/sysconfig/kubelet", "KUBELET_EXTRA_ARGS=--rotate-certificates=false --v=2\n");
    report = kubeadm_report(flagged.kubecert({"--benchmark", "cis-1.8", "audit"}));
    f = kubeadm_finding(report["findings"], "kubeadm.kubelet-client-rotation");
    EXPECT_EQ(f.value("status", ""), "FAIL");
    EXPECT_FALSE(f.value("fixable", true));
    EXPECT_NE(evidence_text(f).find("/etc/sysconfig/kubelet:1 (KUBELET_EXTRA_ARGS)"), std::string::npos) << f.dump(2);
    EXPECT_EQ(f.value("benchmark", ""), "CIS Kubernetes Benchmark v1.8 4.2.11");
}

TEST(KubeadmAudit, ServerTlsBootstrapOnPasses) {
    KubeadmNodeSpec spec;
    spec.server_tls_bootstrap = true;
    KubeadmTestNode node(spec);
    const auto report = kubeadm_report(node.kubecert({"audit"}));
    EXPECT_EQ(status(report, "kubeadm.kubelet-server-rotation"), "PASS");
}

TEST(KubeadmAudit, UpstreamKubeletFilesParseAndAudit) {
    const auto fx = upstream_fixtures();
    KubeadmTestNode node;
    // kubeadm's own defaulted KubeletConfiguration: rotateCertificates true, no serverTLSBootstrap.
    write_file(node / "/var/lib/kubelet/config.yaml",
               last_yaml_document(read_file(fx + "/kubernetes/kubeadm-testdata-defaulted-controlplane.yaml")));
    // kubelet.conf from kubeadm's testdata, embedding an expired (2019) node certificate.
    copy_file(fx + "/kubernetes/kubeadm-testdata-kubelet-with-embedded-cert.yaml",
              node / "/etc/kubernetes/kubelet.conf");
    auto report = kubeadm_report(node.kubecert({"audit"}));
    EXPECT_EQ(status(report, "kubeadm.kubelet-client-rotation"), "PASS");
    EXPECT_EQ(status(report, "kubeadm.kubelet-server-rotation"), "WARN");
    auto kc = kubeadm_finding(report["findings"], "kubeadm.cert-expiry/kubelet-client");
    EXPECT_EQ(kc.value("status", ""), "FAIL");
    // An embedded first certificate is kubeadm's documented upgrade case, not broken rotation (issue 11).
    EXPECT_NE(evidence_text(kc).find("documented case"), std::string::npos) << kc.dump(2);
    EXPECT_EQ(evidence_text(kc).find("rotation is broken"), std::string::npos) << kc.dump(2);

    // The linked shape: client-certificate relative to the kubeconfig's folder.
    copy_file(fx + "/kubernetes/kubeadm-testdata-kubelet-with-linked-cert.yaml", node / "/etc/kubernetes/kubelet.conf");
    copy_file(fx + "/kubernetes/kubeadm-testdata-mynode.pem", node / "/etc/kubernetes/kubelet.pem");
    report = kubeadm_report(node.kubecert({"audit"}));
    kc = kubeadm_finding(report["findings"], "kubeadm.cert-expiry/kubelet-client");
    EXPECT_EQ(kc.value("status", ""), "FAIL");
    EXPECT_NE(evidence_text(kc).find("/etc/kubernetes/kubelet.pem"), std::string::npos) << kc.dump(2);

    // No client certificate at all (token bootstrap): not applicable, not an error.
    copy_file(fx + "/kubernetes/kubeadm-testdata-kubelet-without-cert.yaml", node / "/etc/kubernetes/kubelet.conf");
    report = kubeadm_report(node.kubecert({"audit"}));
    EXPECT_EQ(status(report, "kubeadm.cert-expiry/kubelet-client"), "INFO");

    // The legacy (1.8-1.10) drop-in passes --rotate-certificates=true inline, which wins over the file.
    std::filesystem::remove(node / "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf");
    copy_file(fx + "/kubernetes-release/deb-post-1.8-10-kubeadm.conf",
              node / "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf");
    write_file(node / "/var/lib/kubelet/config.yaml", "kind: KubeletConfiguration\nrotateCertificates: false\n");
    report = kubeadm_report(node.kubecert({"audit"}));
    const auto rot = kubeadm_finding(report["findings"], "kubeadm.kubelet-client-rotation");
    EXPECT_EQ(rot.value("status", ""), "PASS") << rot.dump(2);
    EXPECT_NE(evidence_text(rot).find("--rotate-certificates=true"), std::string::npos) << rot.dump(2);
}

TEST(KubeadmAudit, DetectsKubeadmNodes) {
    KubeadmTestNode node;
    const auto r =
        run_kubecert({"--root", node.root.path(), "--format", "json", "audit"}, {{"PATH", path_with(node.bin.path())}});
    const auto report = kubeadm_report(r);
    bool found = false;
    for (const auto& p : report["plugins"]) found = found || p.value("name", "") == "kubeadm";
    EXPECT_TRUE(found) << r.out << r.err;

    // An EKS worker keeps the cluster CA in the same place, without its key or kubeadm's kubelet.conf.
    TempDir eks;
    write_file(eks / "/etc/kubernetes/pki/ca.crt", node.pki.authorities.at("ca").cert_pem);
    write_file(eks / "/etc/kubernetes/kubelet/kubelet-config.json", "{\"kind\": \"KubeletConfiguration\"}\n");
    const auto e =
        run_kubecert({"--root", eks.path(), "--format", "json", "audit"}, {{"PATH", path_with(node.bin.path())}});
    EXPECT_EQ((e.out + e.err).find("kubeadm."), std::string::npos) << e.out << e.err;
}

TEST(KubeadmAudit, MalformedInputsAreErrorsNamingTheFile) {
    struct Case {
        std::string path;
        std::string content;
        std::string id;
    };
    const std::vector<Case> cases = {
        {"/etc/kubernetes/pki/apiserver.crt", "-----BEGIN CERTIFICATE-----\nnot base64 !!\n-----END CERTIFICATE-----\n",
         "kubeadm.cert-expiry/apiserver"},
        {"/var/lib/kubelet/config.yaml", "kind: KubeletConfiguration\nrotateCertificates: [true\n",
         "kubeadm.kubelet-client-rotation"},
        {"/etc/kubernetes/admin.conf", "apiVersion: v1\nusers:\n- name: x\n  user: {client-certificate-data: \"abc\n",
         "kubeadm.cert-expiry/admin.conf"},
    };
    for (const auto& c : cases) {
        KubeadmTestNode node;
        write_file(node / c.path, c.content);
        const auto before = node_files(node);
        const auto r = node.kubecert({"audit"});
        EXPECT_EQ(r.exit_code, 3) << c.path;
        const auto f = kubeadm_finding(kubeadm_report(r)["findings"], c.id);
        EXPECT_EQ(f.value("status", ""), "ERROR") << c.path << "\n" << f.dump(2);
        EXPECT_NE(evidence_text(f).find(c.path), std::string::npos) << f.dump(2);
        // fix refuses and leaves everything as it was.
        const auto fx = node.kubecert({"fix", "--yes"});
        EXPECT_EQ(fx.exit_code, 3) << c.path << fx.err;
        EXPECT_EQ(changed_files(before, node_files(node)), "") << c.path;
    }
}

TEST(KubeadmAudit, Base64RoundTrip) {
    using kubecert::util::base64_decode;
    using kubecert::util::base64_encode;
    EXPECT_EQ(base64_encode(""), "");
    EXPECT_EQ(base64_encode("f"), "Zg==");
    EXPECT_EQ(base64_encode("fo"), "Zm8=");
    EXPECT_EQ(base64_encode("foo"), "Zm9v");
    EXPECT_EQ(base64_decode("Zm9v\nYmFy"), std::optional<std::string>("foobar"));
    EXPECT_EQ(base64_decode("Zg=="), std::optional<std::string>("f"));
    EXPECT_FALSE(base64_decode("Zg=a").has_value());
    EXPECT_FALSE(base64_decode("Z").has_value());
    EXPECT_FALSE(base64_decode("Zm9v!").has_value());
}
