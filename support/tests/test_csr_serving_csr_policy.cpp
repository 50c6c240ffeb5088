// The serving-CSR approval policy on requests made now by `openssl req` and read as kubecert reads
// them (csr::parse_request through a real host's CSR parser): only this node's well-formed
// kubelet-serving request is approved, every other one is left pending with every reason, another
// node's is never ours.
#include <gtest/gtest.h>

#include <kubecert/csr/serving_csr_policy.hpp>
#include <kubecert/csr/serving_csrs.hpp>

#include "csr_requests.hpp"
#include "real_host.hpp"
#include "test_support.hpp"

using namespace kubecert;
using namespace kubecert::csr;
using test::CsrSpec;

namespace {

constexpr std::int64_t k_now = 1'800'000'000;
const std::string k_node = "cp-1";
const std::string k_subject = "/O=system:nodes/CN=system:node:cp-1";
const std::string k_sans = "DNS:cp-1,DNS:cp-1.example.internal,IP:10.0.0.5";

NodeIdentity this_node() {
    return {k_node, {"cp-1", "CP-1.example.internal."}, {"10.0.0.5", "2001:db8:0:0::5"}};
}

CsrObject csr_object(const std::string& user = "system:node:cp-1") {
    CsrObject c;
    c.name = "csr-abcde";
    c.signer_name = k_kubelet_serving_signer;
    c.username = user;
    c.groups = {"system:nodes", "system:authenticated"};
    c.usages = {"digital signature", "server auth"};
    c.created_at = k_now - 600;
    return c;
}

class ServingCsrPolicy : public ::testing::Test {
protected:
    RequestInfo request_of(const std::string& pem) const { return parse_request(m_host.host(), pem, "the request"); }
    RequestInfo make(const CsrSpec& spec) const { return request_of(test::openssl_csr(m_dir.path(), spec)); }
    RequestInfo valid() const { return make({k_subject, k_sans}); }
    test::TempDir m_dir;
    test::RealHost m_host;
};

bool any_reason_has(const Evaluation& e, const std::string& text) {
    for (const auto& r : e.reasons)
        if (r.find(text) != std::string::npos) return true;
    return false;
}

std::string reasons(const Evaluation& e) {
    std::string out;
    for (const auto& r : e.reasons) out += r + "\n";
    return out;
}

} // namespace

TEST_F(ServingCsrPolicy, ApprovesThisNodesWellFormedRequestAndSaysWhy) {
    const auto e = evaluate(csr_object(), valid(), this_node(), k_now);
    EXPECT_EQ(e.state, CsrState::pending);
    EXPECT_EQ(e.verdict, Verdict::approve) << reasons(e);
    EXPECT_TRUE(e.reasons.empty());
    EXPECT_EQ(e.age_seconds, 600);
    EXPECT_EQ(e.requested_names, (std::vector<std::string>{"cp-1", "cp-1.example.internal", "10.0.0.5"}));
    const auto message = approval_message(e, "0.3.0");
    EXPECT_NE(message.find("kubecert 0.3.0"), std::string::npos) << message;
    for (const auto* passed : {"signer kubernetes.io/kubelet-serving", "requested by system:node:cp-1 in group",
                               "subject CN=system:node:cp-1, O=system:nodes", "usages digital signature, server auth",
                               "all this node's", "signature valid"})
        EXPECT_NE(message.find(passed), std::string::npos) << passed << " not in: " << message;
}

TEST_F(ServingCsrPolicy, AnRsaKeyMayAlsoAskForKeyEncipherment) {
    auto c = csr_object();
    c.usages = {"digital signature", "key encipherment", "server auth"};
    const auto e = evaluate(c, make({k_subject, k_sans, "rsa:2048"}), this_node(), k_now);
    EXPECT_EQ(e.verdict, Verdict::approve) << reasons(e);
}

TEST_F(ServingCsrPolicy, AnEcKeyMayNotAskForKeyEncipherment) {
    auto c = csr_object();
    c.usages = {"digital signature", "key encipherment", "server auth"};
    const auto e = evaluate(c, valid(), this_node(), k_now);
    EXPECT_EQ(e.verdict, Verdict::leave_pending);
    EXPECT_TRUE(any_reason_has(e, "key encipherment is for RSA keys only, this is EC")) << reasons(e);
}

TEST_F(ServingCsrPolicy, AnExtraDnsNameIsLeftPending) {
    const auto e = evaluate(csr_object(), make({k_subject, k_sans + ",DNS:kubernetes.default"}), this_node(), k_now);
    EXPECT_EQ(e.verdict, Verdict::leave_pending);
    EXPECT_TRUE(any_reason_has(e, "names not this node's: DNS:kubernetes.default")) << reasons(e);
    EXPECT_EQ(e.reasons.size(), 1u) << reasons(e);
}

TEST_F(ServingCsrPolicy, AForeignIpAddressIsLeftPending) {
    const auto e = evaluate(csr_object(), make({k_subject, "DNS:cp-1,IP:10.9.9.9"}), this_node(), k_now);
    EXPECT_EQ(e.verdict, Verdict::leave_pending);
    EXPECT_TRUE(any_reason_has(e, "IP:10.9.9.9")) << reasons(e);
}

TEST_F(ServingCsrPolicy, NamesCompareAsTheyMeanNotAsTheyAreSpelled) {
    // DNS without case or a trailing dot, IPv6 in any spelling.
    const auto e =
        evaluate(csr_object(), make({k_subject, "DNS:CP-1.Example.Internal,IP:2001:db8::5"}), this_node(), k_now);
    EXPECT_EQ(e.verdict, Verdict::approve) << reasons(e);
}

TEST_F(ServingCsrPolicy, AnotherNodesRequestIsNeverOurs) {
    const auto other = make({"/O=system:nodes/CN=system:node:worker-2", "DNS:worker-2,IP:10.0.0.6"});
    const auto e = evaluate(csr_object("system:node:worker-2"), other, this_node(), k_now);
    EXPECT_EQ(e.verdict, Verdict::not_ours);
    EXPECT_TRUE(any_reason_has(e, "requested by system:node:worker-2, not by this node")) << reasons(e);
    EXPECT_FALSE(requested_by(csr_object("system:node:worker-2"), k_node));
}

TEST_F(ServingCsrPolicy, ThisNodeAskingForAnotherNodesSubjectIsLeftPending) {
    const auto e =
        evaluate(csr_object(), make({"/O=system:nodes/CN=system:node:worker-2", k_sans}), this_node(), k_now);
    EXPECT_EQ(e.verdict, Verdict::leave_pending);
    EXPECT_TRUE(any_reason_has(e, "not exactly CN=system:node:cp-1, O=system:nodes")) << reasons(e);
}

TEST_F(ServingCsrPolicy, ExtraSubjectAttributesAreLeftPending) {
    const auto e =
        evaluate(csr_object(), make({"/O=system:nodes/OU=ops/CN=system:node:cp-1", k_sans}), this_node(), k_now);
    EXPECT_EQ(e.verdict, Verdict::leave_pending);
    EXPECT_TRUE(any_reason_has(e, "OU=ops")) << reasons(e);
}

TEST_F(ServingCsrPolicy, ClientAuthUsageIsLeftPending) {
    auto c = csr_object();
    c.usages = {"digital signature", "server auth", "client auth"};
    const auto e = evaluate(c, valid(), this_node(), k_now);
    EXPECT_EQ(e.verdict, Verdict::leave_pending);
    EXPECT_TRUE(any_reason_has(e, "not allowed: client auth")) << reasons(e);
}

TEST_F(ServingCsrPolicy, MissingServerAuthIsLeftPending) {
    auto c = csr_object();
    c.usages = {"digital signature"};
    const auto e = evaluate(c, valid(), this_node(), k_now);
    EXPECT_TRUE(any_reason_has(e, "missing: server auth")) << reasons(e);
}

TEST_F(ServingCsrPolicy, AnotherSignerIsLeftPending) {
    auto c = csr_object();
    c.signer_name = "kubernetes.io/kube-apiserver-client";
    const auto e = evaluate(c, valid(), this_node(), k_now);
    EXPECT_EQ(e.verdict, Verdict::leave_pending);
    EXPECT_TRUE(any_reason_has(e, "signer is kubernetes.io/kube-apiserver-client, not kubernetes.io/kubelet-serving"))
        << reasons(e);
}

TEST_F(ServingCsrPolicy, EmailAndUriNamesAreLeftPending) {
    const auto e = evaluate(csr_object(), make({k_subject, k_sans + ",email:ops@example.com,URI:spiffe://cluster/x"}),
                            this_node(), k_now);
    EXPECT_EQ(e.verdict, Verdict::leave_pending);
    EXPECT_TRUE(any_reason_has(e, "email addresses requested: ops@example.com")) << reasons(e);
    EXPECT_TRUE(any_reason_has(e, "URIs requested: spiffe://cluster/x")) << reasons(e);
}

TEST_F(ServingCsrPolicy, ARequestWithoutNamesIsLeftPending) {
    const auto e = evaluate(csr_object(), make({k_subject, ""}), this_node(), k_now);
    EXPECT_TRUE(any_reason_has(e, "no DNS name or IP address")) << reasons(e);
}

TEST_F(ServingCsrPolicy, ARequesterOutsideSystemNodesIsLeftPending) {
    auto c = csr_object();
    c.groups = {"system:authenticated"};
    const auto e = evaluate(c, valid(), this_node(), k_now);
    EXPECT_EQ(e.verdict, Verdict::leave_pending);
    EXPECT_TRUE(any_reason_has(e, "not in group system:nodes")) << reasons(e);
}

TEST_F(ServingCsrPolicy, TheRequestedDurationIsBounded) {
    auto c = csr_object();
    c.expiration_seconds = 2 * 365 * 24 * 3600;
    auto e = evaluate(c, valid(), this_node(), k_now);
    EXPECT_EQ(e.verdict, Verdict::leave_pending);
    EXPECT_TRUE(any_reason_has(e, "above the bound")) << reasons(e);
    c.expiration_seconds = 30 * 24 * 3600;
    e = evaluate(c, valid(), this_node(), k_now);
    EXPECT_EQ(e.verdict, Verdict::approve) << reasons(e);
    EXPECT_NE(approval_message(e, "").find("duration 30d"), std::string::npos) << approval_message(e, "");
}

TEST_F(ServingCsrPolicy, ABrokenSignatureIsLeftPending) {
    const auto pem = test::corrupt_csr_signature(test::openssl_csr(m_dir.path(), {k_subject, k_sans}));
    const auto e = evaluate(csr_object(), request_of(pem), this_node(), k_now);
    EXPECT_EQ(e.verdict, Verdict::leave_pending);
    EXPECT_TRUE(any_reason_has(e, "signature does not verify")) << reasons(e);
}

TEST_F(ServingCsrPolicy, AWeakRsaKeyIsLeftPending) {
    auto c = csr_object();
    c.usages = {"digital signature", "key encipherment", "server auth"};
    const auto e = evaluate(c, make({k_subject, k_sans, "rsa:1024"}), this_node(), k_now);
    EXPECT_TRUE(any_reason_has(e, "RSA key of 1024 bits")) << reasons(e);
}

TEST_F(ServingCsrPolicy, EveryReasonIsGivenNotOnlyTheFirst) {
    auto c = csr_object();
    c.signer_name = "example.com/custom";
    c.usages = {"client auth"};
    const auto e = evaluate(c, make({"/CN=someone", "DNS:elsewhere,email:x@y"}), this_node(), k_now);
    EXPECT_EQ(e.verdict, Verdict::leave_pending);
    EXPECT_EQ(e.reasons.size(), 5u) << reasons(e); // signer, subject, usages, names, email
}

TEST(ServingCsrState, FollowsTheConditionsAndTheCertificate) {
    CsrObject c;
    EXPECT_EQ(state_of(c), CsrState::pending);
    c.conditions = {{"Approved", "True", "KubectlApprove", "", ""}};
    EXPECT_EQ(state_of(c), CsrState::approved_unissued);
    c.has_certificate = true;
    EXPECT_EQ(state_of(c), CsrState::issued);
    c.conditions.push_back({"Failed", "True", "SignerValidationFailure", "", ""});
    EXPECT_EQ(state_of(c), CsrState::failed);
    c.conditions = {{"Denied", "True", "", "", ""}};
    EXPECT_EQ(state_of(c), CsrState::denied);
    EXPECT_EQ(state_text(CsrState::approved_unissued), "approved, not issued");
}

TEST(ServingCsrState, ASettledRequestGetsNoVerdict) {
    CsrObject c;
    c.username = "system:node:cp-1";
    c.conditions = {{"Denied", "True", "", "", ""}};
    c.created_at = k_now - 7200;
    const auto e = evaluate(c, {}, this_node(), k_now);
    EXPECT_EQ(e.verdict, Verdict::settled);
    EXPECT_EQ(e.age_seconds, 7200);
}
