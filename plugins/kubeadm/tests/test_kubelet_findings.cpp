// The kubelet rotation verdicts from in-memory kubelet sources, merged as the kubelet merges them.
#include <gtest/gtest.h>

#include "check_ids.hpp"
#include "kubelet_findings.hpp"

namespace {

using namespace kubecert::kubeadm;
using kubecert::sdk::Status;
namespace kubelet = kubecert::kubelet;

constexpr const char* k_config = "/var/lib/kubelet/config.yaml";

// A node whose kubelet reads /var/lib/kubelet/config.yaml setting the given values.
KubeletSettings config_file(std::optional<bool> rotate, std::optional<bool> server_tls_bootstrap) {
    KubeletSettings s;
    s.sources.config_path = k_config;
    s.sources.config_note = "--config on the unit";
    nlohmann::ordered_json doc = {{"kind", "KubeletConfiguration"}};
    if (rotate) doc["rotateCertificates"] = *rotate;
    if (server_tls_bootstrap) doc["serverTLSBootstrap"] = *server_tls_bootstrap;
    s.sources.config = kubelet::ConfigDoc{k_config, false, doc};
    s.config_text = "kind: KubeletConfiguration\n";
    resolve_rotation_settings(s);
    return s;
}

// `s` with the systemd unit passing `words` from /etc/sysconfig/kubelet (KUBELET_EXTRA_ARGS).
KubeletSettings with_unit_flags(KubeletSettings s, const std::vector<std::string>& words) {
    kubelet::CommandLine unit;
    unit.source = "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf:11 (ExecStart)";
    for (const auto& w : words) unit.args.push_back({w, {"/etc/sysconfig/kubelet", 1, "KUBELET_EXTRA_ARGS"}});
    s.sources.unit = unit;
    resolve_rotation_settings(s);
    return s;
}

std::string evidence_of(const kubecert::sdk::Finding& f) {
    std::string out;
    for (const auto& e : f.evidence) out += e.source + " | " + e.key + " | " + e.actual + "\n";
    return out;
}

TEST(KubeadmKubeletFindings, ClientRotationFromTheConfigFile) {
    const auto on = audit_client_rotation(config_file(true, std::nullopt), "");
    EXPECT_EQ(on.id, k_kubelet_client_rotation);
    EXPECT_EQ(on.status, Status::pass);
    EXPECT_EQ(on.benchmark, "CIS Kubernetes Benchmark v1.12 4.2.10");
    const auto off = audit_client_rotation(config_file(false, std::nullopt), "");
    EXPECT_EQ(off.status, Status::fail);
    EXPECT_TRUE(off.fixable);
    // Unset is the kubelet's default, false.
    const auto unset = audit_client_rotation(config_file(std::nullopt, std::nullopt), "");
    EXPECT_EQ(unset.status, Status::fail);
    EXPECT_TRUE(unset.fixable);
}

TEST(KubeadmKubeletFindings, ExecCredentialIsNotApplicable) {
    auto s = config_file(false, std::nullopt);
    s.exec_command = "gke-gcloud-auth-plugin";
    EXPECT_EQ(audit_client_rotation(s, "").status, Status::info);
}

TEST(KubeadmKubeletFindings, DropInThatWinsOverTheFileIsNamed) {
    auto s = config_file(true, std::nullopt);
    s.sources.config_dir = "/etc/kubernetes/kubelet.conf.d";
    s.sources.dropins.push_back({"/etc/kubernetes/kubelet.conf.d/90-off.conf", true, {{"rotateCertificates", false}}});
    resolve_rotation_settings(s);
    const auto f = audit_client_rotation(s, "");
    EXPECT_EQ(f.status, Status::fail);
    EXPECT_FALSE(f.fixable); // kubecert edits the file, which would not win
    EXPECT_NE(f.remediation.find("90-off.conf"), std::string::npos);
    EXPECT_NE(f.result.find("90-off.conf"), std::string::npos) << f.result;
}

// The kubelet applies a command-line flag over its config file only when the flag is given, and
// then whichever way it is set (kubeletConfigFlagPrecedence in cmd/kubelet/app/server.go).
TEST(KubeadmKubeletFindings, AGivenFlagWinsOverTheFileBothWays) {
    const auto off =
        audit_client_rotation(with_unit_flags(config_file(true, true), {"--rotate-certificates=false"}), "");
    EXPECT_EQ(off.status, Status::fail);
    EXPECT_FALSE(off.fixable);
    EXPECT_NE(off.result.find("/etc/sysconfig/kubelet:1 (KUBELET_EXTRA_ARGS)"), std::string::npos) << off.result;
    EXPECT_NE(evidence_of(off).find("effective | rotateCertificates | false (from /etc/sysconfig/kubelet:1"),
              std::string::npos)
        << evidence_of(off);
    const auto on = audit_client_rotation(with_unit_flags(config_file(false, false), {"--rotate-certificates"}), "");
    EXPECT_EQ(on.status, Status::pass) << evidence_of(on);
    const auto server =
        audit_server_rotation(with_unit_flags(config_file(true, true), {"--rotate-server-certificates=false"}), "");
    EXPECT_EQ(server.status, Status::warn);
    EXPECT_NE(server.remediation.find("Remove --rotate-server-certificates=false from /etc/sysconfig/kubelet:1"),
              std::string::npos)
        << server.remediation;
}

// The running kubelet's command line is what runs; the unit's is evidence (used at the next restart).
TEST(KubeadmKubeletFindings, TheRunningProcessDecides) {
    auto s = with_unit_flags(config_file(true, std::nullopt), {"--rotate-certificates=false"});
    kubelet::CommandLine process;
    process.source = "/proc/42/cmdline";
    process.from_process = true;
    process.args.push_back({"--config=/var/lib/kubelet/config.yaml", {}});
    s.sources.process = process;
    resolve_rotation_settings(s);
    const auto f = audit_client_rotation(s, "");
    EXPECT_EQ(f.status, Status::pass) << evidence_of(f);
    EXPECT_NE(evidence_of(f).find("systemd unit (used at the next restart)"), std::string::npos) << evidence_of(f);
}

TEST(KubeadmKubeletFindings, ServerRotationNeedsItsFeatureGate) {
    const auto gate_off = audit_server_rotation(
        with_unit_flags(config_file(true, true), {"--feature-gates=RotateKubeletServerCertificate=false"}), "");
    EXPECT_EQ(gate_off.status, Status::warn);
    EXPECT_NE(gate_off.result.find("serverTLSBootstrap has no effect"), std::string::npos) << gate_off.result;
    EXPECT_NE(gate_off.remediation.find("/etc/sysconfig/kubelet:1 (KUBELET_EXTRA_ARGS)"), std::string::npos)
        << gate_off.remediation;
    // Feature gates merge key by key, the command line's over the file's.
    auto s = config_file(true, true);
    s.sources.config->json["featureGates"] = {{"RotateKubeletServerCertificate", false}};
    EXPECT_EQ(
        audit_server_rotation(with_unit_flags(s, {"--feature-gates=RotateKubeletServerCertificate=true"}), "").status,
        Status::pass);
    resolve_rotation_settings(s);
    EXPECT_EQ(audit_server_rotation(s, "").status, Status::warn);
}

TEST(KubeadmKubeletFindings, MalformedInputIsAnError) {
    auto s = config_file(true, true);
    s.errors = {"/var/lib/kubelet/config.yaml:3:1: bad"};
    EXPECT_EQ(audit_client_rotation(s, "").status, Status::error);
    EXPECT_EQ(audit_server_rotation(s, "").status, Status::error);
    // A malformed --feature-gates stops the kubelet: an error too.
    const auto gates = with_unit_flags(config_file(true, true), {"--feature-gates=RotateKubeletServerCertificate"});
    EXPECT_EQ(audit_server_rotation(gates, "").status, Status::error);
}

TEST(KubeadmKubeletFindings, ServerRotationOffOnlyWarns) {
    EXPECT_EQ(audit_server_rotation(config_file(true, true), "").status, Status::pass);
    const auto off = audit_server_rotation(config_file(true, std::nullopt), "cis-1.9");
    EXPECT_EQ(off.id, k_kubelet_server_rotation);
    EXPECT_EQ(off.status, Status::warn);
    EXPECT_EQ(off.benchmark, "CIS Kubernetes Benchmark v1.9 4.2.12");
}

TEST(KubeadmKubeletFindings, NoKubeletIsInformational) {
    KubeletSettings s;
    resolve_rotation_settings(s);
    EXPECT_EQ(audit_client_rotation(s, "").status, Status::info);
    EXPECT_EQ(audit_server_rotation(s, "").status, Status::info);
}

TEST(KubeadmKubeletFindings, CisNumberingFollowsTheBenchmark) {
    EXPECT_EQ(cis_reference("cis-1.11", "rotate-certificates"), "CIS Kubernetes Benchmark v1.11 4.2.10");
    EXPECT_EQ(cis_reference("cis-1.8", "rotate-certificates"), "CIS Kubernetes Benchmark v1.8 4.2.11");
    EXPECT_EQ(cis_reference("eks-1.8.0", "rotate-certificates"), "");
}

} // namespace
