// The kubeadm plugin's certificate verdicts, judged from in-memory facts (no node, no host).
#include <gtest/gtest.h>

#include "check_ids.hpp"
#include "findings.hpp"

namespace {

using namespace kubecert::kubeadm;
using kubecert::sdk::Status;

constexpr std::int64_t k_day = 86400;

kubecert::sdk::CertInfo valid(std::int64_t from, std::int64_t until, const std::string& subject) {
    kubecert::sdk::CertInfo c;
    c.subject = subject;
    c.issuer = "CN=kubernetes";
    c.not_before = from;
    c.not_after = until;
    c.pem = "-----BEGIN CERTIFICATE-----\n" + subject + "\n-----END CERTIFICATE-----\n";
    return c;
}

// A control plane's cluster CA (with its key) and its apiserver leaf valid until `leaf_until`.
PkiState pki_with_apiserver(std::int64_t leaf_until) {
    const Layout layout = kubeadm_layout("/etc/kubernetes/pki", "/etc/kubernetes");
    PkiState pki;
    AuthorityState ca;
    ca.spec = *layout.authority("ca");
    ca.cert.state = LoadState::loaded;
    ca.cert.path = ca.spec.cert_path;
    ca.cert.info = valid(0, 3650 * k_day, "CN=kubernetes");
    ca.key = "ca key";
    pki.authorities.push_back(ca);
    for (const auto& spec : layout.leaves)
        if (spec.name == "apiserver") {
            LeafState leaf;
            leaf.spec = spec;
            leaf.cert.state = LoadState::loaded;
            leaf.cert.path = spec.cert_path;
            leaf.cert.key_path = spec.key_path;
            leaf.cert.key = "leaf key";
            leaf.cert.info = valid(0, leaf_until, "CN=kube-apiserver");
            leaf.checks.chain = kubecert::sdk::VerifyResult{true, ""};
            leaf.checks.key_matches = true;
            pki.leaves.push_back(leaf);
        }
    return pki;
}

TEST(KubeadmFindings, LeafFollowsTheClock) {
    const auto pki = pki_with_apiserver(365 * k_day);
    const auto& leaf = pki.leaves.at(0);
    const auto ok = leaf_finding(leaf, pki, Clock{10 * k_day, 30 * k_day});
    EXPECT_EQ(ok.id, std::string(k_cert_expiry_prefix) + "apiserver");
    EXPECT_EQ(ok.status, Status::pass);
    EXPECT_FALSE(ok.fixable);
    const auto due = leaf_finding(leaf, pki, Clock{350 * k_day, 30 * k_day});
    EXPECT_EQ(due.status, Status::warn);
    EXPECT_TRUE(due.fixable) << due.remediation;
    EXPECT_EQ(leaf_finding(leaf, pki, Clock{400 * k_day, 30 * k_day}).status, Status::fail);
}

TEST(KubeadmFindings, KeyThatDoesNotMatchFailsAndIsRenewable) {
    auto pki = pki_with_apiserver(365 * k_day);
    pki.leaves[0].checks.key_matches = false;
    const auto f = leaf_finding(pki.leaves[0], pki, Clock{10 * k_day, 30 * k_day});
    EXPECT_EQ(f.status, Status::fail);
    EXPECT_NE(f.result.find("does not match"), std::string::npos) << f.result;
    EXPECT_TRUE(f.fixable);
}

TEST(KubeadmFindings, ForeignChainFailsButExpiryDoesNotCount) {
    auto pki = pki_with_apiserver(365 * k_day);
    pki.leaves[0].checks.chain = kubecert::sdk::VerifyResult{false, "unable to get local issuer certificate"};
    EXPECT_EQ(leaf_finding(pki.leaves[0], pki, Clock{10 * k_day, 30 * k_day}).status, Status::fail);
    pki.leaves[0].checks.chain = kubecert::sdk::VerifyResult{false, "certificate has expired"};
    EXPECT_EQ(leaf_finding(pki.leaves[0], pki, Clock{10 * k_day, 30 * k_day}).status, Status::pass);
}

TEST(KubeadmFindings, UnreadableKeyIsAnErrorNotAFix) {
    auto pki = pki_with_apiserver(365 * k_day);
    pki.leaves[0].checks.key_error = "malformed key";
    const auto f = leaf_finding(pki.leaves[0], pki, Clock{400 * k_day, 30 * k_day});
    EXPECT_EQ(f.status, Status::error);
    EXPECT_FALSE(f.fixable);
}

TEST(KubeadmFindings, LeafOfAnExternallyManagedCaIsNotRenewedHere) {
    auto pki = pki_with_apiserver(365 * k_day);
    pki.authorities[0].key.clear();
    pki.authorities[0].cannot_sign = "its CA is externally managed";
    const auto f = leaf_finding(pki.leaves[0], pki, Clock{400 * k_day, 30 * k_day});
    EXPECT_EQ(f.status, Status::fail);
    EXPECT_FALSE(f.fixable);
    EXPECT_NE(f.remediation.find("cannot be renewed on this node"), std::string::npos) << f.remediation;
    const auto rows = certificate_rows(pki);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_TRUE(rows[1].externally_managed);
}

TEST(KubeadmFindings, AbsentLeafIsInfo) {
    auto pki = pki_with_apiserver(365 * k_day);
    pki.leaves[0].cert.state = LoadState::absent;
    EXPECT_EQ(leaf_finding(pki.leaves[0], pki, Clock{}).status, Status::info);
}

TEST(KubeadmFindings, ExpiringCaWarnsAndIsNeverFixable) {
    const auto pki = pki_with_apiserver(365 * k_day);
    const auto f = authority_finding(pki.authorities[0], Clock{3640 * k_day, 30 * k_day});
    EXPECT_EQ(f.id, std::string(k_ca_expiry_prefix) + "ca");
    EXPECT_EQ(f.status, Status::warn);
    EXPECT_FALSE(f.fixable);
}

TEST(KubeadmFindings, RenewAllIsARequestUntilDone) {
    const auto pki = pki_with_apiserver(365 * k_day);
    const auto asked = renew_all_request(pki, false);
    EXPECT_EQ(asked.id, k_renew_all);
    EXPECT_EQ(asked.status, Status::warn);
    EXPECT_TRUE(asked.fixable);
    EXPECT_EQ(renew_all_request(pki, true).status, Status::pass);
}

// The kubelet's client certificate is judged from what facts read: the link it is behind, the CA's verdict.
TEST(KubeadmFindings, KubeletClientFromItsFacts) {
    const auto pki = pki_with_apiserver(365 * k_day);
    KubeletClientState client;
    client.kubelet_conf = "/etc/kubernetes/kubelet.conf";
    EXPECT_EQ(audit_kubelet_client(client, pki, Clock{}).status, Status::info); // not joined yet
    client.cert.state = LoadState::loaded;
    client.cert.path = "/var/lib/kubelet/pki/kubelet-client-current.pem";
    client.cert.info = valid(0, 365 * k_day, "CN=system:node:cp-1");
    client.link_target = "/var/lib/kubelet/pki/kubelet-client-2026-01-01-00-00-00.pem";
    client.chain = kubecert::sdk::VerifyResult{true, ""};
    const auto ok = audit_kubelet_client(client, pki, Clock{10 * k_day, 30 * k_day});
    EXPECT_EQ(ok.id, k_kubelet_client_expiry);
    EXPECT_EQ(ok.status, Status::pass);
    std::string evidence;
    for (const auto& e : ok.evidence) evidence += e.source + " " + e.key + " " + e.actual + "\n";
    EXPECT_NE(evidence.find("symlink to /var/lib/kubelet/pki/kubelet-client-2026-01-01-00-00-00.pem"),
              std::string::npos)
        << evidence;
    client.chain = kubecert::sdk::VerifyResult{false, "unable to get local issuer certificate"};
    const auto foreign = audit_kubelet_client(client, pki, Clock{10 * k_day, 30 * k_day});
    EXPECT_EQ(foreign.status, Status::fail);
    EXPECT_NE(foreign.result.find("not signed by /etc/kubernetes/pki/ca.crt"), std::string::npos) << foreign.result;
}

TEST(KubeadmFindings, UserKubeconfigsFromWhatWasRead) {
    UserKubeconfigs users;
    users.admin_path = "/etc/kubernetes/admin.conf";
    EXPECT_EQ(audit_user_kubeconfigs(users).status, Status::info); // nothing to compare with
    users.admin_readable = true;
    EXPECT_EQ(audit_user_kubeconfigs(users).status, Status::info); // no user kubeconfig
    UserKubeconfigCopy current{"/root/.kube/config", "", "kubernetes-admin", "admin.conf", false, "same as admin.conf"};
    users.files.push_back({"/root/.kube/config", current, "", ""});
    EXPECT_EQ(audit_user_kubeconfigs(users).status, Status::pass);
    UserKubeconfigCopy stale = current;
    stale.path = "/home/alice/.kube/config";
    stale.stale = true;
    stale.description = "an older copy of admin.conf";
    users.files.push_back({stale.path, stale, "", ""});
    const auto f = audit_user_kubeconfigs(users);
    EXPECT_EQ(f.status, Status::fail);
    EXPECT_TRUE(f.fixable);
    EXPECT_NE(f.result.find("/home/alice/.kube/config"), std::string::npos) << f.result;
    users.files.push_back({"/home/bob/.kube/config", std::nullopt, "/home/bob/.kube/config:3:1: bad", ""});
    const auto broken = audit_user_kubeconfigs(users);
    EXPECT_EQ(broken.status, Status::error);
    EXPECT_FALSE(broken.fixable);
}

} // namespace
