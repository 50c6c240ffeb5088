// The EKS plugin's verdicts, judged from in-memory facts (no node, no host).
#include <gtest/gtest.h>

#include "findings.hpp"
#include "node_facts.hpp"

namespace {

using namespace kubecert::eks;
using kubecert::eks::testing::sources;
using kubecert::sdk::Status;

BenchmarkRefs refs() {
    bool known = true;
    return benchmark_refs("eks-1.8.0", known);
}

const std::string k_gate_on = R"({"featureGates": {"RotateKubeletServerCertificate": true}})";

TEST(EksFindings, GateSetTruePasses) {
    const auto f = check_rotate_server_cert(sources("", k_gate_on), refs());
    EXPECT_EQ(f.id, k_rotate_server_cert);
    EXPECT_EQ(f.title, check_title(k_rotate_server_cert));
    EXPECT_EQ(f.status, Status::pass) << f.remediation;
    EXPECT_EQ(f.benchmark, refs().rotate_server_cert);
}

TEST(EksFindings, CommandLineFalseGateWinsOverTheFile) {
    // The file does not set the gate; --feature-gates on the command line turns it off.
    const auto f = check_rotate_server_cert(sources("--feature-gates=RotateKubeletServerCertificate=false"), refs());
    EXPECT_EQ(f.status, Status::fail);
    EXPECT_NE(f.remediation.find("--feature-gates"), std::string::npos) << f.remediation;
}

TEST(EksFindings, BogusFlagFails) {
    const auto f = check_rotate_server_cert(sources("--rotate-kubelet-server-certificate=true", k_gate_on), refs());
    EXPECT_EQ(f.status, Status::fail);
    EXPECT_NE(f.result.find("not a kubelet flag"), std::string::npos) << f.result;
}

TEST(EksFindings, UnsetGateWarnsUnderEksBenchmarksOnly) {
    EXPECT_EQ(check_rotate_server_cert(sources(""), refs()).status, Status::warn);
    bool known = true;
    EXPECT_EQ(check_rotate_server_cert(sources(""), benchmark_refs("cis-1.12", known)).status, Status::pass);
}

TEST(EksFindings, ServerTlsBootstrapFromFileOrFlag) {
    EXPECT_EQ(check_server_tls_bootstrap(sources("", R"({"serverTLSBootstrap": true})")).status, Status::pass);
    EXPECT_EQ(check_server_tls_bootstrap(sources("")).status, Status::fail);
    // A command-line flag wins over the file.
    const auto f =
        check_server_tls_bootstrap(sources("--rotate-server-certificates=false", R"({"serverTLSBootstrap": true})"));
    EXPECT_EQ(f.status, Status::fail);
    EXPECT_NE(f.remediation.find("overrides the config file"), std::string::npos) << f.remediation;
}

TEST(EksFindings, StaticServingCertificateIsInfo) {
    const auto f = check_server_tls_bootstrap(sources("", R"({"tlsCertFile": "/etc/kubelet/server.crt"})"));
    EXPECT_EQ(f.status, Status::info);
    EXPECT_NE(f.result.find("/etc/kubelet/server.crt"), std::string::npos);
}

TEST(EksFindings, ExecCredentialMakesClientRotationNotApplicable) {
    KubeconfigFacts kc;
    kc.path = "/var/lib/kubelet/kubeconfig";
    kc.exists = true;
    kc.user = kubecert::formats::KubeconfigUser{};
    kc.user->exec_command = "aws-iam-authenticator";
    const auto f = check_rotate_client_cert(sources(""), kc, refs());
    EXPECT_EQ(f.status, Status::info);
    EXPECT_NE(f.result.find("aws-iam-authenticator"), std::string::npos);
}

TEST(EksFindings, ClientCertificateWithoutRotationFails) {
    KubeconfigFacts kc;
    kc.path = "/var/lib/kubelet/kubeconfig";
    kc.exists = true;
    kc.user = kubecert::formats::KubeconfigUser{};
    kc.user->client_certificate = "/var/lib/kubelet/pki/kubelet-client-current.pem";
    EXPECT_EQ(check_rotate_client_cert(sources(""), kc, refs()).status, Status::fail);
    EXPECT_EQ(check_rotate_client_cert(sources("", R"({"rotateCertificates": true})"), kc, refs()).status,
              Status::pass);
}

TEST(EksFindings, NoKubeconfigAndNoBootstrapIsNotJudged) {
    KubeconfigFacts kc;
    kc.path = "/var/lib/kubelet/kubeconfig";
    EXPECT_EQ(check_rotate_client_cert(sources(""), kc, refs()).status, Status::info);
    EXPECT_EQ(check_rotate_client_cert(sources("", R"({"rotateCertificates": false})"), kc, refs()).status,
              Status::fail);
}

kubecert::sdk::CertInfo cert_valid_until(std::int64_t not_after) {
    kubecert::sdk::CertInfo c;
    c.subject = "CN=system:node:ip-10-0-1-23";
    c.issuer = "CN=kubernetes";
    c.not_before = 0;
    c.not_after = not_after;
    return c;
}

TEST(EksFindings, CertificateExpiryFollowsTheClock) {
    CertFacts certs;
    certs.cert_dir = "/var/lib/kubelet/pki";
    certs.server_paths = {certs.cert_dir + "/kubelet-server-current.pem"};
    certs.files.push_back({"kubelet-server", certs.server_paths.front(), cert_valid_until(1000 * 86400), ""});
    EXPECT_EQ(check_serving_cert_expiry(certs, Clock{10 * 86400, 30 * 86400}).status, Status::pass);
    EXPECT_EQ(check_serving_cert_expiry(certs, Clock{980 * 86400, 30 * 86400}).status, Status::warn);
    EXPECT_EQ(check_serving_cert_expiry(certs, Clock{1001 * 86400, 30 * 86400}).status, Status::fail);
    certs.files.push_back({"kubelet-client", certs.cert_dir + "/kubelet-client-current.pem", std::nullopt, "bad"});
    EXPECT_EQ(check_serving_cert_expiry(certs, Clock{10 * 86400, 30 * 86400}).status, Status::error);
}

TEST(EksFindings, NoCertificateOnDiskIsInfo) {
    CertFacts certs;
    certs.cert_dir = "/var/lib/kubelet/pki";
    certs.server_paths = {certs.cert_dir + "/kubelet-server-current.pem"};
    const auto f = check_serving_cert_expiry(certs, Clock{});
    EXPECT_EQ(f.status, Status::info);
    EXPECT_EQ(f.result, "no kubelet certificate on disk");
}

TEST(EksFindings, ConfigzThatLagsBehindTheFilesFails) {
    ConfigzFacts live;
    live.state = ConfigzFacts::State::answered;
    live.url = "http://127.0.0.1:8001/api/v1/nodes/n/proxy/configz";
    live.server_tls_bootstrap = false;
    const auto files = sources("", R"({"serverTLSBootstrap": true})");
    EXPECT_TRUE(configz_differs(live, &files));
    const auto f = check_configz(live, &files);
    EXPECT_EQ(f.status, Status::fail);
    EXPECT_NE(f.remediation.find("not restarted"), std::string::npos) << f.remediation;
    live.server_tls_bootstrap = true;
    EXPECT_FALSE(configz_differs(live, &files));
    EXPECT_EQ(check_configz(live, &files).status, Status::pass);
}

TEST(EksFindings, ConfigzNotAskedIsInfo) {
    EXPECT_EQ(check_configz(ConfigzFacts{}, nullptr).status, Status::info);
}

TEST(EksFindings, UnreadableSourcesMakeEveryFileCheckAnError) {
    Facts facts;
    facts.selected = {k_rotate_server_cert, k_configz};
    facts.sources_error = {"/etc/kubernetes/kubelet/kubelet-config.json:3:1", "malformed"};
    const auto found = build_findings(facts, refs(), Clock{});
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(found[0].id, k_rotate_server_cert);
    EXPECT_EQ(found[0].status, Status::error);
    EXPECT_EQ(found[0].evidence.at(0).source, "/etc/kubernetes/kubelet/kubelet-config.json:3:1");
    EXPECT_EQ(found[1].id, k_configz);
}

TEST(EksFindings, EveryCheckIdIsDeclaredOnceWithATitle) {
    for (const auto& c : k_checks) {
        EXPECT_EQ(std::string(c.id).rfind("eks.", 0), 0u) << c.id;
        EXPECT_NE(check_title(c.id), c.id);
    }
}

} // namespace
