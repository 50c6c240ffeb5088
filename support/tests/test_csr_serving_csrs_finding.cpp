// The serving-CSR check's JSON (a list as the API server answers it, a Node's addresses, the
// approval's PUT body) and its finding: what an operator reads for each state of a CSR.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <kubecert/csr/csr_json.hpp>
#include <kubecert/csr/serving_csrs.hpp>
#include <kubecert/csr/serving_csrs_finding.hpp>
#include <kubecert/util/base64.hpp>
#include <kubecert/util/time.hpp>

#include "csr_requests.hpp"
#include "real_host.hpp"
#include "test_support.hpp"

using namespace kubecert;
using namespace kubecert::csr;
using nlohmann::json;

namespace {

constexpr std::int64_t k_now = 1'800'000'000;

json csr_json(const std::string& name, const std::string& user, const std::string& pem, std::int64_t created,
              json conditions = json::array(), const std::string& certificate = "") {
    json status = json::object();
    if (!conditions.empty()) status["conditions"] = conditions;
    if (!certificate.empty()) status["certificate"] = certificate;
    return {{"metadata",
             {{"name", name}, {"resourceVersion", "1042"}, {"creationTimestamp", util::format_rfc3339(created)}}},
            {"spec",
             {{"request", util::base64_encode(pem)},
              {"signerName", "kubernetes.io/kubelet-serving"},
              {"usages", {"digital signature", "server auth"}},
              {"username", user},
              {"groups", {"system:nodes", "system:authenticated"}},
              {"expirationSeconds", 86400}}},
            {"status", status}};
}

class ServingCsrsFinding : public ::testing::Test {
protected:
    std::string pem(const std::string& node, const std::string& sans) {
        return test::openssl_csr(m_dir.path(), {"/O=system:nodes/CN=system:node:" + node, sans});
    }
    // `r` judged as the session judges it, its request read by a real host's CSR parser.
    JudgedCsr judge(const CsrRecord& r, const NodeIdentity& node) const {
        return {r, evaluate(r.object, parse_request(m_host.host(), r.request_pem, r.object.name), node, k_now), ""};
    }
    test::TempDir m_dir;
    test::RealHost m_host;
};

} // namespace

TEST_F(ServingCsrsFinding, ReadsAListAsTheApiServerAnswersIt) {
    const json list = {
        {"kind", "CertificateSigningRequestList"},
        {"items",
         {csr_json("csr-a", "system:node:cp-1", pem("cp-1", "DNS:cp-1"), k_now - 60),
          csr_json("csr-b", "system:node:cp-1", pem("cp-1", "DNS:cp-1"), k_now - 7200,
                   {{{"type", "Approved"}, {"status", "True"}, {"reason", "KubectlApprove"}}}, "LS0t")}}};
    const auto records = parse_csr_list(list.dump(), "the list");
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].object.name, "csr-a");
    EXPECT_EQ(records[0].object.created_at, k_now - 60);
    EXPECT_EQ(records[0].object.usages, (std::vector<std::string>{"digital signature", "server auth"}));
    EXPECT_EQ(records[0].object.expiration_seconds, 86400);
    EXPECT_NE(records[0].request_pem.find("BEGIN CERTIFICATE REQUEST"), std::string::npos);
    EXPECT_EQ(state_of(records[1].object), CsrState::issued);
    EXPECT_THROW(parse_csr_list("{\"kind\":\"Status\"}", "the list"), std::runtime_error);
    EXPECT_THROW(parse_csr_list("<html>", "the list"), std::runtime_error);
}

TEST_F(ServingCsrsFinding, TheApprovalBodyKeepsTheObjectAndAddsTheCondition) {
    const auto item = csr_json("csr-a", "system:node:cp-1", pem("cp-1", "DNS:cp-1"), k_now - 60);
    const json body = json::parse(approval_body(item.dump(), "Approved by kubecert: checks", k_now));
    EXPECT_EQ(body["kind"], "CertificateSigningRequest");
    EXPECT_EQ(body["apiVersion"], "certificates.k8s.io/v1");
    EXPECT_EQ(body["metadata"]["resourceVersion"], "1042"); // a concurrent change gets 409
    EXPECT_EQ(body["spec"], item["spec"]);
    ASSERT_EQ(body["status"]["conditions"].size(), 1u);
    const auto& c = body["status"]["conditions"][0];
    EXPECT_EQ(c["type"], "Approved");
    EXPECT_EQ(c["status"], "True");
    EXPECT_EQ(c["reason"], "KubecertApprove");
    EXPECT_EQ(c["message"], "Approved by kubecert: checks");
    EXPECT_EQ(c["lastUpdateTime"], util::format_rfc3339(k_now));
    EXPECT_EQ(conditions_of(body.dump()).front().reason, "KubecertApprove");
}

TEST(ServingCsrsNode, TakesTheNodeObjectsNamesAndAddresses) {
    NodeIdentity id{"cp-1", {}, {}};
    add_node_addresses(R"({"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.5"},
        {"type":"ExternalIP","address":"203.0.113.7"},{"type":"Hostname","address":"cp-1.lan"},
        {"type":"InternalDNS","address":"ip-10-0-0-5.ec2.internal"}]}})",
                       id);
    EXPECT_EQ(id.ip_addresses, (std::vector<std::string>{"10.0.0.5", "203.0.113.7"}));
    EXPECT_EQ(id.dns_names, (std::vector<std::string>{"cp-1.lan", "ip-10-0-0-5.ec2.internal"}));
    EXPECT_EQ(status_message(R"({"kind":"Status","message":"forbidden: nope","code":403})"), "forbidden: nope");
    EXPECT_EQ(status_message("not json"), "");
}

TEST_F(ServingCsrsFinding, AnApprovableCsrIsAFixableWarningEvenWhenYoung) {
    const NodeIdentity node{"cp-1", {}, {"10.0.0.5"}};
    const json list = {
        {"items", {csr_json("csr-a", "system:node:cp-1", pem("cp-1", "DNS:cp-1,IP:10.0.0.5"), k_now - 5)}}};
    ServingCsrsView view{"cp-1", "https://127.0.0.1:6443", {judge(parse_csr_list(list.dump(), "l")[0], node)}, 300};
    const auto f = serving_csrs_finding("kubeadm.kubelet-serving-csrs", "title", view);
    EXPECT_EQ(f.status, sdk::Status::warn);
    EXPECT_TRUE(f.fixable);
    EXPECT_NE(f.result.find("1 pending, approvable"), std::string::npos) << f.result;
    ASSERT_EQ(f.evidence.size(), 1u);
    EXPECT_EQ(f.evidence[0].source, "CertificateSigningRequest csr-a");
    EXPECT_NE(f.evidence[0].key.find("pending, 5s old"), std::string::npos) << f.evidence[0].key;
    EXPECT_NE(f.evidence[0].key.find("for cp-1, 10.0.0.5"), std::string::npos) << f.evidence[0].key;
    EXPECT_NE(f.evidence[0].actual.find("kubecert fix approves it"), std::string::npos);
    EXPECT_NE(f.remediation.find("kubectl certificate approve"), std::string::npos);
}

TEST_F(ServingCsrsFinding, AnUnapprovableCsrWarnsOnlyOnceItIsOldButAlwaysShowsItsReasons) {
    const NodeIdentity node{"cp-1", {}, {"10.0.0.5"}};
    const auto young = csr_json("csr-x", "system:node:cp-1", pem("cp-1", "DNS:cp-1,DNS:evil.example"), k_now - 10);
    const auto old = csr_json("csr-y", "system:node:cp-1", pem("cp-1", "DNS:cp-1,IP:10.9.9.9"), k_now - 3600);
    const auto other = csr_json("csr-z", "system:node:worker-2", pem("worker-2", "DNS:worker-2"), k_now - 3600);
    const json list = {{"items", {young, old, other}}};
    std::vector<JudgedCsr> judged;
    for (const auto& r : parse_csr_list(list.dump(), "l")) judged.push_back(judge(r, node));
    auto f = serving_csrs_finding("id", "title", {"cp-1", "api", {judged[0], judged[2]}, 300});
    EXPECT_EQ(f.status, sdk::Status::pass) << f.result;
    EXPECT_NE(f.evidence[0].actual.find("left pending, never approved: names not this node's: DNS:evil.example"),
              std::string::npos)
        << f.evidence[0].actual;
    EXPECT_EQ(f.evidence[1].actual, "another node's: never touched");
    f = serving_csrs_finding("id", "title", {"cp-1", "api", judged, 300});
    EXPECT_EQ(f.status, sdk::Status::warn);
    EXPECT_FALSE(f.fixable);
    EXPECT_NE(f.result.find("1 pending, not approvable"), std::string::npos) << f.result;
    EXPECT_NE(f.remediation.find("kubectl certificate deny"), std::string::npos);
}

TEST_F(ServingCsrsFinding, UnissuedDeniedAndFailedCsrsAreReported) {
    const NodeIdentity node{"cp-1", {}, {}};
    const auto p = pem("cp-1", "DNS:cp-1");
    const json approved = {{{"type", "Approved"}, {"status", "True"}}};
    const json denied = {{{"type", "Denied"}, {"status", "True"}, {"reason", "Manual"}, {"message", "no"}}};
    const json list = {{"items",
                        {csr_json("csr-u", "system:node:cp-1", p, k_now - 900, approved),
                         csr_json("csr-d", "system:node:cp-1", p, k_now - 60, denied),
                         csr_json("csr-i", "system:node:cp-1", p, k_now - 60, approved, "LS0t")}}};
    std::vector<JudgedCsr> judged;
    for (const auto& r : parse_csr_list(list.dump(), "l")) judged.push_back(judge(r, node));
    const auto f = serving_csrs_finding("id", "title", {"cp-1", "api", judged, 300});
    EXPECT_EQ(f.status, sdk::Status::warn);
    EXPECT_NE(f.result.find("1 approved but not issued"), std::string::npos) << f.result;
    EXPECT_NE(f.result.find("1 denied or failed"), std::string::npos) << f.result;
    EXPECT_EQ(f.evidence[1].actual, "Denied (Manual): no");
    EXPECT_EQ(f.evidence[2].actual, "issued");
    EXPECT_NE(f.remediation.find("--cluster-signing-cert-file"), std::string::npos);
}

TEST(ServingCsrsScope, ConcernsThisNodeAndOtherNodesPendingServingCsrsOnly) {
    CsrObject c;
    c.username = "system:node:cp-1";
    c.signer_name = "kubernetes.io/kube-apiserver-client-kubelet";
    EXPECT_FALSE(concerns_node(c, "cp-1")); // the client certificate: kube-controller-manager approves it
    c.signer_name = "example.com/other";
    EXPECT_TRUE(concerns_node(c, "cp-1"));
    c.username = "system:node:worker-2";
    EXPECT_FALSE(concerns_node(c, "cp-1"));
    c.signer_name = k_kubelet_serving_signer;
    EXPECT_TRUE(concerns_node(c, "cp-1"));
    c.conditions = {{"Approved", "True", "", "", ""}};
    EXPECT_FALSE(concerns_node(c, "cp-1"));
}

TEST_F(ServingCsrsFinding, OtherNodesCsrsAreShownAFewAtATime) {
    const NodeIdentity node{"cp-1", {}, {}};
    const auto p = pem("worker-2", "DNS:worker-2");
    json items = json::array();
    for (int i = 0; i < 14; ++i)
        items.push_back(csr_json("csr-" + std::to_string(i), "system:node:worker-" + std::to_string(i), p, k_now));
    std::vector<JudgedCsr> judged;
    for (const auto& r : parse_csr_list(json{{"items", items}}.dump(), "l")) judged.push_back(judge(r, node));
    const auto f = serving_csrs_finding("id", "title", {"cp-1", "https://api", judged, 300});
    EXPECT_EQ(f.status, sdk::Status::pass);
    ASSERT_EQ(f.evidence.size(), 11u);
    EXPECT_EQ(f.evidence.back().actual, "4 more, never touched");
}
