// eks.configz against a real HTTP server on 127.0.0.1 standing in for `kubectl proxy`.
#include <chrono>

#include <gtest/gtest.h>

#include "servers.hpp"
#include "test_eks_node.hpp"

using namespace kubecert::test;
using namespace kubecert::test::eks;

namespace {

const std::string k_node = "ip-10-0-1-23.us-west-2.compute.internal";
const std::string k_path = "/api/v1/nodes/" + k_node + "/proxy/configz";

std::string configz(bool gate, bool stb) {
    return std::string(
               "{\"kubeletconfig\":{\"enableServer\":true,\"featureGates\":{\"RotateKubeletServerCertificate\":") +
           (gate ? "true" : "false") + "},\"serverTLSBootstrap\":" + (stb ? "true" : "false") +
           ",\"rotateCertificates\":true}}";
}

nlohmann::json run_configz(const EksNode& node, const HttpServer& server, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--eks-api-proxy", server.url()};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back("audit");
    return finding(report(node.kubecert(args))["findings"], "eks.configz");
}

TEST(EksConfigz, LiveConfigurationWithRotationPasses) {
    EksNode node;
    node.al2();
    HttpServer server(200, configz(true, true));
    auto f = run_configz(node, server);
    EXPECT_EQ(f.value("status", ""), "PASS") << text_of(f);
    ASSERT_EQ(server.request_paths().size(), 1u);
    EXPECT_EQ(server.request_paths()[0], k_path);
}

TEST(EksConfigz, NodeNameOptionIsUsed) {
    EksNode node;
    node.al2();
    HttpServer server(200, configz(true, true));
    auto f = run_configz(node, server, {"--eks-node-name", "worker-1.example"});
    EXPECT_EQ(f.value("status", ""), "PASS");
    ASSERT_EQ(server.request_paths().size(), 1u);
    EXPECT_EQ(server.request_paths()[0], "/api/v1/nodes/worker-1.example/proxy/configz");
}

TEST(EksConfigz, LiveFalseUnderTrueFilesMeansNotRestarted) {
    EksNode node;
    node.al2();
    HttpServer server(200, configz(false, true));
    auto r = node.kubecert({"--eks-api-proxy", server.url(), "audit"});
    auto f = finding(report(r)["findings"], "eks.configz");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(f.value("status", ""), "FAIL");
    EXPECT_NE(f.value("remediation", "").find("not restarted"), std::string::npos) << text_of(f);
    EXPECT_TRUE(f.value("fixable", false));
    // fix restarts the kubelet, and edits nothing.
    auto before = node_files(node);
    auto fix = node.kubecert({"--eks-api-proxy", server.url(), "--check", "eks.configz", "fix", "--yes"});
    EXPECT_EQ(node_files(node), before);
    EXPECT_EQ(node.calls(), k_restart_calls) << fix.out << fix.err;
}

TEST(EksConfigz, ServerTlsBootstrapOffEverywhereFails) {
    EksNode node;
    node.al2();
    node.put(k_config,
             replace_once(node.get(k_config), "\"serverTLSBootstrap\": true", "\"serverTLSBootstrap\": false"));
    HttpServer server(200, configz(true, false));
    auto f = run_configz(node, server);
    EXPECT_EQ(f.value("status", ""), "FAIL");
    EXPECT_FALSE(f.value("fixable", true)) << "the file checks carry the fix";
}

TEST(EksConfigz, NotFoundIsAnError) {
    EksNode node;
    node.al2();
    HttpServer server(404, "{\"kind\":\"Status\",\"message\":\"nodes \\\"x\\\" not found\"}");
    auto r = node.kubecert({"--eks-api-proxy", server.url(), "audit"});
    auto f = finding(report(r)["findings"], "eks.configz");
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(f.value("status", ""), "ERROR");
    EXPECT_NE(text_of(f).find("HTTP 404"), std::string::npos) << text_of(f);
}

TEST(EksConfigz, MalformedAnswerIsAnError) {
    EksNode node;
    node.al2();
    HttpServer server(200, "{\"kubeletconfig\": {\"featureGates\": ");
    auto r = node.kubecert({"--eks-api-proxy", server.url(), "audit"});
    auto f = finding(report(r)["findings"], "eks.configz");
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(f.value("status", ""), "ERROR");
    EXPECT_NE(text_of(f).find("malformed JSON"), std::string::npos) << text_of(f);
}

TEST(EksConfigz, ServerThatNeverAnswersIsBoundedByTheTimeout) {
    EksNode node;
    node.al2();
    HttpServer server(200, "", /*hang=*/true);
    const auto start = std::chrono::steady_clock::now();
    auto r = node.kubecert({"--eks-api-proxy", server.url(), "--eks-timeout", "1s", "audit"});
    const auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count();
    auto f = finding(report(r)["findings"], "eks.configz");
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(f.value("status", ""), "ERROR");
    EXPECT_NE(text_of(f).find("no answer within 1s"), std::string::npos) << text_of(f);
    EXPECT_LT(seconds, 15);
}

TEST(EksConfigz, InvalidNodeNameIsRejectedWithoutARequest) {
    EksNode node;
    node.al2();
    HttpServer server(200, configz(true, true));
    for (const char* bad : {"Node_1", "../../api/v1/secrets?x=", "a..b", "-node"}) {
        auto r = node.kubecert({"--eks-api-proxy", server.url(), "--eks-node-name", bad, "audit"});
        auto f = finding(report(r)["findings"], "eks.configz");
        EXPECT_EQ(r.exit_code, 3) << bad;
        EXPECT_EQ(f.value("status", ""), "ERROR") << bad;
        EXPECT_NE(text_of(f).find("DNS-1123"), std::string::npos) << text_of(f);
    }
    EXPECT_TRUE(server.request_paths().empty());
}

TEST(EksConfigz, WithoutProxyItIsNotChecked) {
    EksNode node;
    node.al2();
    auto f = finding(report(node.kubecert({"audit"}))["findings"], "eks.configz");
    EXPECT_EQ(f.value("status", ""), "INFO");
    EXPECT_NE(f.value("remediation", "").find("--eks-api-proxy"), std::string::npos);
}

} // namespace

// Something answered, but not HTTP: the evidence says so, instead of blaming the proxy's reach.
TEST(EksConfigz, AnAnswerThatIsNotHttpIsLabelledMalformed) {
    EksNode node;
    node.al2();
    RawHttpServer server({"SSH-2.0-OpenSSH_9.2\r\n"});
    auto r = node.kubecert({"--eks-api-proxy", server.url(), "audit"});
    auto f = finding(report(r)["findings"], "eks.configz");
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(f.value("status", ""), "ERROR");
    EXPECT_NE(text_of(f).find("malformed answer: " + server.url()), std::string::npos) << text_of(f);
    EXPECT_EQ(text_of(f).find("unreachable"), std::string::npos) << text_of(f);
    EXPECT_NE(text_of(f).find("not a kubectl proxy"), std::string::npos) << text_of(f);
}
