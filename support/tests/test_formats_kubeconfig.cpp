#include <kubecert/formats/kubeconfig.hpp>
#include <kubecert/formats/parse_error.hpp>

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <sstream>

#include "test_support.hpp"

using namespace kubecert::formats;
using kubecert::test::read_file;
using kubecert::test::upstream_fixtures;

namespace {

std::string fixture(const std::string& relative) {
    return read_file(upstream_fixtures() + "/" + relative);
}

std::string base64_decode(const std::string& in) {
    std::string out(in.size() / 4 * 3 + 3, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
    if (n < 0) return {};
    out.resize(static_cast<size_t>(n));
    while (!in.empty() && in.back() == '=' && !out.empty() && out.back() == '\0') out.pop_back();
    return out;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines;
}

} // namespace

TEST(FormatsKubeconfig, KubeadmKubeletWithEmbeddedCert) {
    const auto kc =
        parse_kubeconfig(fixture("kubernetes/kubeadm-testdata-kubelet-with-embedded-cert.yaml"), "kubelet.conf");
    EXPECT_EQ(kc.current_context, "system:node:mynode@kubernetes");
    ASSERT_EQ(kc.clusters.size(), 1u);
    EXPECT_EQ(kc.clusters[0].server, "https://10.0.2.15:6443");
    ASSERT_EQ(kc.contexts.size(), 1u);
    EXPECT_EQ(kc.contexts[0].second.second, "system:node:mynode");
    const auto user = kc.current_user();
    ASSERT_TRUE(user.has_value());
    EXPECT_EQ(user->name, "system:node:mynode");
    EXPECT_TRUE(user->client_key_data.empty());
    const std::string pem = base64_decode(user->client_certificate_data);
    EXPECT_EQ(pem.rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
    EXPECT_EQ(pem, fixture("kubernetes/kubeadm-testdata-mynode.pem"));
    EXPECT_EQ(kc.current_cluster()->name, "kubernetes");
}

TEST(FormatsKubeconfig, KubeadmKubeletWithLinkedCertAndWithoutCert) {
    const auto linked = parse_kubeconfig(fixture("kubernetes/kubeadm-testdata-kubelet-with-linked-cert.yaml"), "a");
    EXPECT_EQ(linked.current_user()->client_certificate, "kubelet.pem");
    EXPECT_TRUE(linked.current_user()->client_certificate_data.empty());
    const auto none = parse_kubeconfig(fixture("kubernetes/kubeadm-testdata-kubelet-without-cert.yaml"), "b");
    ASSERT_TRUE(none.current_user().has_value());
    EXPECT_TRUE(none.current_user()->client_certificate.empty());
    EXPECT_TRUE(none.current_user()->client_certificate_data.empty());
}

TEST(FormatsKubeconfig, DiscoveryKubeconfigHasACaAndNoUsers) {
    const auto kc = parse_kubeconfig(fixture("kubernetes/kubeadm-testdata-discovery-expected-kubeconfig.yaml"), "c");
    EXPECT_TRUE(kc.users.empty());
    EXPECT_FALSE(kc.current_user().has_value());
    ASSERT_TRUE(kc.current_cluster().has_value());
    EXPECT_EQ(kc.current_cluster()->server, "https://127.0.0.1");
    EXPECT_EQ(base64_decode(kc.current_cluster()->certificate_authority_data).rfind("-----BEGIN CERTIFICATE-----", 0),
              0u);
}

TEST(FormatsKubeconfig, EksKubeletUsesExecAuthentication) {
    const auto kc = parse_kubeconfig(fixture("amazon-eks-ami/kubelet-kubeconfig"), "/var/lib/kubelet/kubeconfig");
    const auto user = kc.current_user();
    ASSERT_TRUE(user.has_value());
    EXPECT_EQ(user->exec_command, "/usr/bin/aws-iam-authenticator");
    EXPECT_EQ(user->exec_args, (std::vector<std::string>{"token", "-i", "CLUSTER_NAME", "--region", "AWS_REGION"}));
    EXPECT_TRUE(user->client_certificate_data.empty());
    EXPECT_EQ(kc.current_cluster()->certificate_authority, "/etc/kubernetes/pki/ca.crt");
}

TEST(FormatsKubeconfig, CurrentContextPicksItsUser) {
    const auto kc = parse_kubeconfig("users:\n- name: a\n  user: {client-certificate: /a}\n"
                                     "- name: b\n  user: {client-certificate: /b}\n"
                                     "contexts:\n- name: ctx\n  context: {user: b, cluster: c}\n"
                                     "current-context: ctx\n",
                                     "k");
    EXPECT_EQ(kc.current_user()->client_certificate, "/b");
    EXPECT_FALSE(kc.current_cluster().has_value());
}

TEST(FormatsKubeconfig, MalformedInputNamesThePosition) {
    try {
        parse_kubeconfig("apiVersion: v1\nusers:\n- name: a\n  user: [unclosed\n", "/etc/kubernetes/admin.conf");
        FAIL() << "no error";
    } catch (const ParseError& e) {
        EXPECT_EQ(e.source(), "/etc/kubernetes/admin.conf");
        EXPECT_GE(e.line(), 4);
        EXPECT_GT(e.column(), 0);
    }
    EXPECT_THROW(parse_kubeconfig("just a string\n", "k"), ParseError);
    EXPECT_THROW(parse_kubeconfig("users: {a: b}\n", "k"), ParseError);
    EXPECT_THROW(parse_kubeconfig(std::string(5000, '[') + "\n", "k"), ParseError);
    const char nul[] = "users:\n- name: \0a\n";
    EXPECT_NO_FATAL_FAILURE({
        try {
            parse_kubeconfig(std::string(nul, sizeof nul - 1), "k");
        } catch (const ParseError&) {
        }
    });
}

TEST(FormatsKubeconfig, ReplaceClientCredentialsChangesOnlyTheTwoValues) {
    const std::string original = fixture("kubernetes/kubeadm-testdata-kubelet-with-embedded-cert.yaml") +
                                 "      client-key-data: b2xka2V5  # old\n";
    const std::string edited =
        replace_client_credentials(original, "kubelet.conf", "system:node:mynode", "bmV3Y2VydA==", "bmV3a2V5");
    const auto kc = parse_kubeconfig(edited, "kubelet.conf");
    EXPECT_EQ(kc.users.at(0).client_certificate_data, "bmV3Y2VydA==");
    EXPECT_EQ(kc.users.at(0).client_key_data, "bmV3a2V5");
    EXPECT_EQ(kc.current_context, "system:node:mynode@kubernetes");
    EXPECT_EQ(kc.clusters.at(0).server, "https://10.0.2.15:6443");
    const auto before = lines_of(original);
    const auto after = lines_of(edited);
    ASSERT_EQ(before.size(), after.size());
    std::vector<std::string> changed;
    for (size_t i = 0; i < before.size(); ++i)
        if (before[i] != after[i]) changed.push_back(after[i]);
    EXPECT_EQ(changed, (std::vector<std::string>{"      client-certificate-data: bmV3Y2VydA==",
                                                 "      client-key-data: bmV3a2V5  # old"}));
}

TEST(FormatsKubeconfig, ReplaceClientCredentialsKeepsQuotesAndOtherUsers) {
    const std::string original = "users:\n"
                                 "- name: other\n"
                                 "  user:\n"
                                 "    client-certificate-data: T1RIRVI=\n"
                                 "    client-key-data: T1RIRVJL\n"
                                 "- name: admin\n"
                                 "  user:\n"
                                 "    client-key-data: \"S0VZ\"\n"
                                 "    client-certificate-data: 'Q0VSVA=='\n";
    const std::string edited = replace_client_credentials(original, "admin.conf", "admin", "TkVXQ0VSVA==", "TkVXS0VZ");
    EXPECT_EQ(edited, "users:\n"
                      "- name: other\n"
                      "  user:\n"
                      "    client-certificate-data: T1RIRVI=\n"
                      "    client-key-data: T1RIRVJL\n"
                      "- name: admin\n"
                      "  user:\n"
                      "    client-key-data: \"TkVXS0VZ\"\n"
                      "    client-certificate-data: 'TkVXQ0VSVA=='\n");
}

TEST(FormatsKubeconfig, ReplaceClientCredentialsRefusesMissingUserOrKeys) {
    const std::string embedded = fixture("kubernetes/kubeadm-testdata-kubelet-with-embedded-cert.yaml");
    EXPECT_THROW(replace_client_credentials(embedded, "k", "nobody", "QQ==", "QQ=="), ParseError);
    // No client-key-data in this file: nothing is invented.
    EXPECT_THROW(replace_client_credentials(embedded, "k", "system:node:mynode", "QQ==", "QQ=="), ParseError);
    EXPECT_THROW(
        replace_client_credentials(fixture("amazon-eks-ami/kubelet-kubeconfig"), "k", "kubelet", "QQ==", "QQ=="),
        ParseError);
}

// Embedded values lifted out for speed are found again by their position, so
// no text in a file can stand for another value (issue: a file saying
// "kubecert-elided-0" once took the CA's data).
TEST(Kubeconfig, NoTextInTheFileStandsForAnotherEmbeddedValue) {
    const std::string ca(120, 'C'), cert(120, 'A'), key(120, 'K');
    const std::string text = "clusters:\n- name: c\n  cluster:\n    certificate-authority-data: " + ca +
                             "\n    server: https://x\nusers:\n- name: a\n  user:\n"
                             "    client-certificate-data: kubecert-elided-0\n"
                             "    client-key-data: kubecert-elided-99999999999999999999999\n"
                             "- name: b\n  user:\n    client-certificate-data: " +
                             cert + "\n    client-key-data: " + key +
                             "\n- name: c\n  user:\n    client-certificate-data: 0\n";
    const auto kc = parse_kubeconfig(text, "admin.conf");
    ASSERT_EQ(kc.users.size(), 3u);
    EXPECT_EQ(kc.clusters.at(0).certificate_authority_data, ca);
    EXPECT_EQ(kc.users[0].client_certificate_data, "kubecert-elided-0");
    EXPECT_EQ(kc.users[0].client_key_data, "kubecert-elided-99999999999999999999999");
    EXPECT_EQ(kc.users[1].client_certificate_data, cert);
    EXPECT_EQ(kc.users[1].client_key_data, key);
    EXPECT_EQ(kc.users[2].client_certificate_data, "0");
}
