// kubeadm.kubelet-serving-csrs and eks.kubelet-serving-csrs through the binary, where no API server
// is needed: when the cluster is not asked and why, and the kubelet's own kubeconfig refused. The
// conversation with an API server (approvals, kubectl's view, the served certificate, rollback) is
// tests/real/kubeadm_serving_csr.sh.
#include <gtest/gtest.h>

#include "kubeadm_node.hpp"
#include "test_eks_node.hpp"

using namespace kubecert::test;
using nlohmann::json;

namespace {

const std::string k_check = "kubeadm.kubelet-serving-csrs";

json serving_csrs(const ProcResult& r) {
    return kubeadm_finding(kubeadm_report(r)["findings"], k_check);
}

std::string text(const json& f) {
    return f.value("result", "") + " | " + evidence_text(f) + " | " + f.value("remediation", "");
}

} // namespace

TEST(KubeletServingCsrs, WithoutServerTlsBootstrapTheKubeletMakesNoServingCsrs) {
    KubeadmTestNode node;
    const auto f = serving_csrs(node.kubecert({"audit"}));
    EXPECT_EQ(f.value("status", ""), "INFO") << f.dump(2);
    EXPECT_NE(f.value("result", "").find("serverTLSBootstrap is off"), std::string::npos) << text(f);
}

TEST(KubeletServingCsrs, AMountedImageAsksTheClusterOnlyWhenTheKubeconfigIsNamed) {
    KubeadmNodeSpec spec;
    spec.server_tls_bootstrap = true;
    KubeadmTestNode node(spec);
    const auto r = run_kubecert({"--root", node.root.path(), "--flavor", "kubeadm", "--format", "json", "audit"},
                                {{"KUBECERT_LIVE_SYSTEM", "\x01unset"}});
    const auto f = serving_csrs(r);
    EXPECT_EQ(f.value("status", ""), "INFO") << f.dump(2);
    EXPECT_NE(text(f).find("not the running system"), std::string::npos) << text(f);
    EXPECT_NE(text(f).find("--kubeadm-api-kubeconfig"), std::string::npos) << text(f);
}

TEST(KubeletServingCsrs, TheKubeletsOwnKubeconfigIsRefused) {
    KubeadmNodeSpec spec;
    spec.server_tls_bootstrap = true;
    KubeadmTestNode node(spec);
    auto r = node.kubecert({"--kubeadm-api-kubeconfig", "/etc/kubernetes/kubelet.conf", "audit"});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    auto f = serving_csrs(r);
    EXPECT_EQ(f.value("status", ""), "ERROR") << f.dump(2);
    EXPECT_NE(text(f).find("the kubelet's own kubeconfig: a node may not approve CSRs"), std::string::npos) << text(f);

    // The same credentials under another name: recognised by the node identity of its certificate.
    copy_file(node / "/etc/kubernetes/kubelet.conf", node / "/root/copy.conf", 0600);
    r = node.kubecert({"--kubeadm-api-kubeconfig", "/root/copy.conf", "audit"});
    f = serving_csrs(r);
    EXPECT_EQ(f.value("status", ""), "ERROR") << f.dump(2);
    EXPECT_NE(text(f).find("authenticates as system:node:cp-1, a kubelet"), std::string::npos) << text(f);
}

TEST(KubeletServingCsrs, ARefusedKubeconfigDoesNotStopTheRenewals) {
    KubeadmNodeSpec spec;
    spec.server_tls_bootstrap = true;
    spec.leaf_days["apiserver"] = -1;
    KubeadmTestNode node(spec);
    node.install_crictl(true);
    const auto r =
        node.kubecert({"--kubeadm-api-kubeconfig", "/etc/kubernetes/kubelet.conf", "--no-restart", "fix", "--yes"});
    const auto report = kubeadm_report(r);
    EXPECT_EQ(kubeadm_finding(report["after"], "kubeadm.cert-expiry/apiserver").value("status", ""), "PASS")
        << r.out << r.err;
}

TEST(KubeletServingCsrs, EnablingIsOfferedOnlyWithTheOption) {
    KubeadmTestNode node;
    auto f = kubeadm_finding(kubeadm_report(node.kubecert({"audit"}))["findings"], "kubeadm.kubelet-server-rotation");
    EXPECT_EQ(f.value("status", ""), "WARN");
    EXPECT_FALSE(f.value("fixable", true));
    EXPECT_NE(f.value("remediation", "").find("--kubeadm-enable-server-tls-bootstrap"), std::string::npos);
    f = kubeadm_finding(kubeadm_report(node.kubecert({"--kubeadm-enable-server-tls-bootstrap", "audit"}))["findings"],
                        "kubeadm.kubelet-server-rotation");
    EXPECT_TRUE(f.value("fixable", false)) << f.dump(2);
}

TEST(KubeletServingCsrs, EnablingWithoutAnApproverChangesNothing) {
    KubeadmTestNode node;
    const auto before = read_file(node / "/var/lib/kubelet/config.yaml");
    const auto r = node.kubecert({"--check", "kubeadm.kubelet-server-rotation", "--kubeadm-enable-server-tls-bootstrap",
                                  "--kubeadm-api-kubeconfig", "/etc/kubernetes/kubelet.conf", "fix", "--yes"});
    EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
    EXPECT_NE((r.out + r.err).find("serverTLSBootstrap not enabled: its CSRs could not be approved"), std::string::npos)
        << r.out << r.err;
    EXPECT_EQ(read_file(node / "/var/lib/kubelet/config.yaml"), before);
    EXPECT_EQ(node.log("systemctl"), "");
}

TEST(KubeletServingCsrs, EksAsksTheClusterOnlyWithAKubeconfig) {
    eks::EksNode node;
    node.al2();
    const auto f = eks::finding(eks::report(node.kubecert({"audit"}))["findings"], "eks.kubelet-serving-csrs");
    EXPECT_EQ(f.value("status", ""), "INFO") << f.dump(2);
    EXPECT_NE(eks::text_of(f).find("--eks-api-kubeconfig"), std::string::npos) << eks::text_of(f);
}
