// The kubelet rotation verdicts from in-memory kubelet settings.
#include <gtest/gtest.h>

#include "check_ids.hpp"
#include "kubelet_findings.hpp"

namespace {

using namespace kubecert::kubeadm;
using kubecert::sdk::Status;

KubeletSettings config_file(std::optional<bool> rotate, std::optional<bool> server_tls_bootstrap) {
    KubeletSettings s;
    s.config_text = "kind: KubeletConfiguration\n";
    s.rotate_certificates = rotate;
    s.server_tls_bootstrap = server_tls_bootstrap;
    return s;
}

TEST(KubeadmKubeletFindings, ClientRotationFromTheConfigFile) {
    const auto on = audit_client_rotation(config_file(true, std::nullopt), "");
    EXPECT_EQ(on.id, k_kubelet_client_rotation);
    EXPECT_EQ(on.status, Status::pass);
    EXPECT_EQ(on.benchmark, "CIS Kubernetes Benchmark v1.12 4.2.10");
    const auto off = audit_client_rotation(config_file(false, std::nullopt), "");
    EXPECT_EQ(off.status, Status::fail);
    EXPECT_TRUE(off.fixable);
}

TEST(KubeadmKubeletFindings, ExecCredentialIsNotApplicable) {
    auto s = config_file(false, std::nullopt);
    s.exec_command = "gke-gcloud-auth-plugin";
    EXPECT_EQ(audit_client_rotation(s, "").status, Status::info);
}

TEST(KubeadmKubeletFindings, DropInThatWinsOverTheFileIsNamed) {
    auto s = config_file(false, std::nullopt);
    s.rotate_certificates_from = "/etc/kubernetes/kubelet.conf.d/90-off.conf";
    const auto f = audit_client_rotation(s, "");
    EXPECT_EQ(f.status, Status::fail);
    EXPECT_FALSE(f.fixable); // kubecert edits the file, which would not win
    EXPECT_NE(f.remediation.find("90-off.conf"), std::string::npos);
}

TEST(KubeadmKubeletFindings, MalformedInputIsAnError) {
    auto s = config_file(true, true);
    s.errors = {"/var/lib/kubelet/config.yaml:3:1: bad"};
    EXPECT_EQ(audit_client_rotation(s, "").status, Status::error);
    EXPECT_EQ(audit_server_rotation(s, "").status, Status::error);
}

TEST(KubeadmKubeletFindings, ServerRotationOffOnlyWarns) {
    EXPECT_EQ(audit_server_rotation(config_file(true, true), "").status, Status::pass);
    const auto off = audit_server_rotation(config_file(true, std::nullopt), "cis-1.9");
    EXPECT_EQ(off.id, k_kubelet_server_rotation);
    EXPECT_EQ(off.status, Status::warn);
    EXPECT_EQ(off.benchmark, "CIS Kubernetes Benchmark v1.9 4.2.12");
}

TEST(KubeadmKubeletFindings, CisNumberingFollowsTheBenchmark) {
    EXPECT_EQ(cis_reference("cis-1.11", "rotate-certificates"), "CIS Kubernetes Benchmark v1.11 4.2.10");
    EXPECT_EQ(cis_reference("cis-1.8", "rotate-certificates"), "CIS Kubernetes Benchmark v1.8 4.2.11");
    EXPECT_EQ(cis_reference("eks-1.8.0", "rotate-certificates"), "");
}

} // namespace
