// kube::resolve_credentials through a real host in process: a kubeconfig's
// data, its file references (relative to its folder, inside --root), tokens,
// tokenFile, exec credential plugins (v1 and v1beta1, run for real), and what
// kubecert refuses.
#include <kubecert/kube/credentials.hpp>
#include <kubecert/util/base64.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cluster_pki.hpp"
#include "real_host.hpp"

namespace kubecert::test {
namespace {

using kube::resolve_credentials;
using util::base64_encode;

// A kubeconfig of two contexts: ctx (user u1, the current one) and other (u2, a token); `cluster` and
// `user` are the YAML lines under cluster: and u1's user:.
std::string kubeconfig(const std::string& cluster, const std::string& user) {
    return "apiVersion: v1\nkind: Config\nclusters:\n- name: c1\n  cluster:\n" + cluster +
           "contexts:\n- name: ctx\n  context:\n    cluster: c1\n    user: u1\n"
           "- name: other\n  context:\n    cluster: c1\n    user: u2\n"
           "current-context: ctx\nusers:\n- name: u1\n  user:\n" +
           user + "- name: u2\n  user:\n    token: second-user-token\n";
}

std::string ca_data() {
    return cluster_yaml("https://10.0.0.1:6443/", cluster_pki().ca.cert_pem);
}

std::string admin_data() {
    return client_certificate_yaml(cluster_pki().admin);
}

// The message of the sdk::Error `call` throws ("" when it throws none).
template <class Call> std::string error_of(Call&& call) {
    try {
        call();
    } catch (const sdk::Error& e) {
        return e.what();
    }
    return "";
}

TEST(KubeCredentials, EmbeddedDataOfTheCurrentContext) {
    RealHost h;
    write_file(h / "/etc/kubernetes/admin.conf", kubeconfig(ca_data(), admin_data()));
    const auto c = resolve_credentials(h.host(), "/etc/kubernetes/admin.conf");
    EXPECT_EQ(c.server, "https://10.0.0.1:6443") << "without the trailing slash";
    EXPECT_EQ(c.context, "ctx");
    EXPECT_EQ(c.ca_pem, cluster_pki().ca.cert_pem);
    EXPECT_EQ(c.client_cert_pem, cluster_pki().admin.cert_pem);
    EXPECT_EQ(c.client_key_pem, cluster_pki().admin.key_pem);
    EXPECT_TRUE(c.bearer_token.empty());
    EXPECT_EQ(c.user_description, "client certificate CN=kubernetes-admin");
    EXPECT_EQ(c.kubeconfig, "/etc/kubernetes/admin.conf");
}

TEST(KubeCredentials, ANamedContext) {
    RealHost h;
    write_file(h / "/root/.kube/config", kubeconfig(ca_data(), admin_data()));
    const auto c = resolve_credentials(h.host(), "/root/.kube/config", "other");
    EXPECT_EQ(c.context, "other");
    EXPECT_EQ(c.bearer_token, "second-user-token");
    EXPECT_TRUE(c.client_cert_pem.empty());
    EXPECT_EQ(c.user_description, "bearer token from /root/.kube/config");
    EXPECT_NE(error_of([&] { resolve_credentials(h.host(), "/root/.kube/config", "nope"); }).find("\"nope\""),
              std::string::npos);
}

TEST(KubeCredentials, FilesResolveAgainstTheKubeconfigsFolderInsideTheRoot) {
    RealHost h;
    write_file(h / "/etc/kubernetes/pki/ca.crt", cluster_pki().ca.cert_pem);
    write_file(h / "/etc/kubernetes/users/admin.crt", cluster_pki().admin.cert_pem);
    write_file(h / "/var/lib/admin.key", cluster_pki().admin.key_pem, 0600);
    write_file(h / "/etc/kubernetes/conf/admin.conf",
               kubeconfig("    server: https://api.example:6443\n    certificate-authority: ../pki/ca.crt\n"
                          "    tls-server-name: kubernetes\n    proxy-url: http://proxy.example:3128\n",
                          "    client-certificate: ../users/admin.crt\n    client-key: /var/lib/admin.key\n"));
    const auto c = resolve_credentials(h.host(), "/etc/kubernetes/conf/admin.conf");
    EXPECT_EQ(c.ca_pem, cluster_pki().ca.cert_pem);
    EXPECT_EQ(c.client_cert_pem, cluster_pki().admin.cert_pem);
    EXPECT_EQ(c.client_key_pem, cluster_pki().admin.key_pem);
    EXPECT_EQ(c.tls_server_name, "kubernetes");
    EXPECT_EQ(c.proxy_url, "http://proxy.example:3128");
    // A reference that climbs out of the root stays in it (the host resolves inside --root).
    write_file(h / "/etc/kubernetes/conf/escape.conf",
               kubeconfig("    server: https://api.example:6443\n    certificate-authority: ../../../../../../etc/ssl/"
                          "certs/ca-certificates.crt\n",
                          admin_data()));
    const std::string escape = error_of([&] { resolve_credentials(h.host(), "/etc/kubernetes/conf/escape.conf"); });
    EXPECT_NE(escape.find("does not exist"), std::string::npos) << escape;
    // A missing file is named.
    write_file(h / "/etc/kubernetes/conf/missing.conf",
               kubeconfig("    server: https://api.example:6443\n    certificate-authority: gone.crt\n", admin_data()));
    const std::string missing = error_of([&] { resolve_credentials(h.host(), "/etc/kubernetes/conf/missing.conf"); });
    EXPECT_NE(missing.find("/etc/kubernetes/conf/gone.crt"), std::string::npos) << missing;
}

TEST(KubeCredentials, TokenAndTokenFile) {
    RealHost h;
    write_file(h / "/etc/k/token.conf", kubeconfig(ca_data(), "    token: inline-token-1234\n"));
    EXPECT_EQ(resolve_credentials(h.host(), "/etc/k/token.conf").bearer_token, "inline-token-1234");
    write_file(h / "/etc/k/secrets/token", "file-token-5678\n");
    write_file(h / "/etc/k/file.conf", kubeconfig(ca_data(), "    tokenFile: secrets/token\n"));
    const auto c = resolve_credentials(h.host(), "/etc/k/file.conf");
    EXPECT_EQ(c.bearer_token, "file-token-5678") << "without the line break";
    EXPECT_EQ(c.user_description, "bearer token from file /etc/k/secrets/token");
    write_file(h / "/etc/k/secrets/token", "\n");
    EXPECT_NE(error_of([&] { resolve_credentials(h.host(), "/etc/k/file.conf"); }).find("is empty"), std::string::npos);
}

// An exec plugin that records what it was given into `record` and prints `output`.
std::string exec_plugin(const TempDir& dir, const std::string& output) {
    write_script(dir.path(), "get-token",
                 "#!/bin/sh\nprintf '%s\\n' \"$KUBERNETES_EXEC_INFO\" > " + dir.path() +
                     "/info.json\nprintf '%s|' \"$@\" > " + dir.path() + "/args\nprintf '%s' \"$CLUSTER_NAME\" > " +
                     dir.path() + "/env\ncat <<'EOF'\n" + output + "\nEOF\n");
    return dir.path() + "/get-token";
}

std::string exec_user(const std::string& command, const std::string& api_version, const std::string& extra = "") {
    return "    exec:\n      apiVersion: " + api_version + "\n      command: " + command +
           "\n      args: [\"eks\", \"get-token\", \"--cluster-name\", \"prod\"]\n      env:\n"
           "      - name: CLUSTER_NAME\n        value: prod-eu\n      interactiveMode: Never\n" +
           extra;
}

TEST(KubeCredentials, ExecV1TokenAsKubectlRunsIt) {
    RealHost h;
    TempDir plugin;
    const std::string command = exec_plugin(
        plugin,
        R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"k8s-aws-v1.abcdef","expirationTimestamp":"2030-01-01T00:00:00Z"}})");
    write_file(h / "/root/.kube/config", kubeconfig(ca_data(), exec_user(command, "client.authentication.k8s.io/v1",
                                                                         "      provideClusterInfo: true\n")));
    const auto c = resolve_credentials(h.host(), "/root/.kube/config");
    EXPECT_EQ(c.bearer_token, "k8s-aws-v1.abcdef");
    EXPECT_EQ(c.user_description, "bearer token from exec get-token");
    EXPECT_EQ(read_file(plugin.path() + "/args"), "eks|get-token|--cluster-name|prod|");
    EXPECT_EQ(read_file(plugin.path() + "/env"), "prod-eu");
    const auto info = nlohmann::json::parse(read_file(plugin.path() + "/info.json"));
    EXPECT_EQ(info["apiVersion"], "client.authentication.k8s.io/v1");
    EXPECT_EQ(info["kind"], "ExecCredential");
    EXPECT_EQ(info["spec"]["interactive"], false);
    EXPECT_EQ(info["spec"]["cluster"]["server"], "https://10.0.0.1:6443");
    EXPECT_EQ(info["spec"]["cluster"]["certificate-authority-data"], base64_encode(cluster_pki().ca.cert_pem));
}

TEST(KubeCredentials, ExecV1beta1ClientCertificate) {
    RealHost h;
    TempDir plugin;
    nlohmann::json answer = {
        {"apiVersion", "client.authentication.k8s.io/v1beta1"},
        {"kind", "ExecCredential"},
        {"status",
         {{"clientCertificateData", cluster_pki().admin.cert_pem}, {"clientKeyData", cluster_pki().admin.key_pem}}}};
    const std::string command = exec_plugin(plugin, answer.dump());
    write_file(h / "/root/.kube/config",
               kubeconfig(ca_data(), exec_user(command, "client.authentication.k8s.io/v1beta1")));
    const auto c = resolve_credentials(h.host(), "/root/.kube/config");
    EXPECT_EQ(c.client_cert_pem, cluster_pki().admin.cert_pem);
    EXPECT_EQ(c.client_key_pem, cluster_pki().admin.key_pem);
    EXPECT_EQ(c.user_description, "client certificate CN=kubernetes-admin from exec get-token");
    const auto info = nlohmann::json::parse(read_file(plugin.path() + "/info.json"));
    EXPECT_EQ(info["apiVersion"], "client.authentication.k8s.io/v1beta1");
    EXPECT_FALSE(info["spec"].contains("cluster")) << "provideClusterInfo was not set";
}

TEST(KubeCredentials, ExecFailuresAreErrorsNamingTheKubeconfigAndPlugin) {
    RealHost h;
    TempDir plugin;
    // An answer of another apiVersion than the kubeconfig asked for.
    std::string command = exec_plugin(
        plugin,
        R"({"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"x"}})");
    write_file(h / "/root/.kube/config", kubeconfig(ca_data(), exec_user(command, "client.authentication.k8s.io/v1")));
    std::string why = error_of([&] { resolve_credentials(h.host(), "/root/.kube/config"); });
    EXPECT_NE(why.find("/root/.kube/config: exec plugin " + command), std::string::npos) << why;
    EXPECT_NE(why.find("apiVersion"), std::string::npos) << why;
    // Not JSON.
    exec_plugin(plugin, "hello");
    why = error_of([&] { resolve_credentials(h.host(), "/root/.kube/config"); });
    EXPECT_NE(why.find("not a JSON object"), std::string::npos) << why;
    // A failing plugin: its exit code and standard error.
    write_script(plugin.path(), "get-token", "#!/bin/sh\necho 'Unable to locate credentials' >&2\nexit 255\n");
    why = error_of([&] { resolve_credentials(h.host(), "/root/.kube/config"); });
    EXPECT_NE(why.find("exit code 255: Unable to locate credentials"), std::string::npos) << why;
    // interactiveMode Always needs a terminal kubecert does not have.
    write_file(h / "/root/.kube/config",
               kubeconfig(ca_data(), "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: " +
                                         command + "\n      interactiveMode: Always\n"));
    why = error_of([&] { resolve_credentials(h.host(), "/root/.kube/config"); });
    EXPECT_NE(why.find("interactiveMode Always"), std::string::npos) << why;
    // An unknown apiVersion.
    write_file(h / "/root/.kube/config",
               kubeconfig(ca_data(), exec_user(command, "client.authentication.k8s.io/v1alpha1")));
    why = error_of([&] { resolve_credentials(h.host(), "/root/.kube/config"); });
    EXPECT_NE(why.find("v1alpha1\" is not supported"), std::string::npos) << why;
}

TEST(KubeCredentials, ExecIsNotRunOnANodeThatIsNotTheRunningSystem) {
    RealHost h(false);
    TempDir plugin;
    const std::string command = exec_plugin(plugin, "{}");
    write_file(h / "/root/.kube/config", kubeconfig(ca_data(), exec_user(command, "client.authentication.k8s.io/v1")));
    const std::string why = error_of([&] { resolve_credentials(h.host(), "/root/.kube/config"); });
    EXPECT_NE(why.find("not the running system"), std::string::npos) << why;
    EXPECT_FALSE(file_exists(plugin.path() + "/args")) << "the plugin did not run";
}

TEST(KubeCredentials, WhatKubecertRefuses) {
    RealHost h;
    const auto refusal = [&](const std::string& cluster, const std::string& user) {
        write_file(h / "/etc/kubernetes/admin.conf", kubeconfig(cluster, user));
        return error_of([&] { resolve_credentials(h.host(), "/etc/kubernetes/admin.conf"); });
    };
    std::string why = refusal(ca_data() + "    insecure-skip-tls-verify: true\n", admin_data());
    EXPECT_NE(why.find("insecure-skip-tls-verify"), std::string::npos) << why;
    EXPECT_NE(why.find("/etc/kubernetes/admin.conf"), std::string::npos) << why;
    why = refusal("    server: https://10.0.0.1:6443\n", admin_data());
    EXPECT_NE(why.find("/etc/kubernetes/admin.conf: cluster \"c1\" has no certificate-authority-data"),
              std::string::npos)
        << why;
    why = refusal(cluster_yaml("http://10.0.0.1:8080", cluster_pki().ca.cert_pem), admin_data());
    EXPECT_NE(why.find("https:// only"), std::string::npos) << why;
    why = refusal(ca_data(), "    username: admin\n    password: secret\n");
    EXPECT_NE(why.find("username/password"), std::string::npos) << why;
    why = refusal(ca_data(), "    client-certificate-data: " + base64_encode(cluster_pki().admin.cert_pem) + "\n");
    EXPECT_NE(why.find("no client key"), std::string::npos) << why;
    why = refusal(ca_data(), "    {}\n");
    EXPECT_NE(why.find("has no client certificate, token, tokenFile or exec plugin"), std::string::npos) << why;
    EXPECT_EQ(why.find("PRIVATE KEY"), std::string::npos);
    EXPECT_NE(error_of([&] { resolve_credentials(h.host(), "/etc/kubernetes/none.conf"); }).find("no such kubeconfig"),
              std::string::npos);
    write_file(h / "/etc/kubernetes/admin.conf", "clusters: [unclosed\n");
    why = error_of([&] { resolve_credentials(h.host(), "/etc/kubernetes/admin.conf"); });
    EXPECT_NE(why.find("/etc/kubernetes/admin.conf"), std::string::npos) << why;
}

} // namespace
} // namespace kubecert::test
