// Through the binary: the host's HTTPS service (kubecert.https.v1 over the
// lazily loaded libcurl module) and CSR parser (kubecert.csr.v1), driven by
// the apiprobe plugin (tests/plugins/apiprobe.cpp) through kube::ApiClient
// and a kubeconfig on the node, against a real HTTPS server on 127.0.0.1
// that verifies client certificates from a test CA.
#include <gtest/gtest.h>

#include <algorithm>

#include <kubecert/plugin.h>

#include "cluster_pki.hpp"
#include "core_fixture.hpp"
#include "servers.hpp"

namespace kubecert::test {
namespace {

// The evidence value `key` of finding `id`, or "" when absent.
std::string evidence_of(const nlohmann::json& findings, const std::string& id, const std::string& key) {
    for (const auto& f : findings)
        if (f["id"] == id)
            for (const auto& e : f["evidence"])
                if (e["key"] == key) return e["actual"];
    return "";
}

// Whether one line of `text` holds every one of `parts`.
bool has_line(const std::string& text, const std::vector<std::string>& parts) {
    size_t start = 0;
    while (start < text.size()) {
        const size_t end = std::min(text.find('\n', start), text.size());
        const std::string line = text.substr(start, end - start);
        bool all = true;
        for (const auto& p : parts) all = all && line.find(p) != std::string::npos;
        if (all) return true;
        start = end + 1;
    }
    return false;
}

std::string result_of(const nlohmann::json& findings, const std::string& id) {
    for (const auto& f : findings)
        if (f["id"] == id) return f.value("result", "");
    return "";
}

// A kubeconfig for the API server at `server` trusting `ca_pem`; `user` is the YAML under `user:`.
std::string kubeconfig(const std::string& server, const std::string& ca_pem, const std::string& user) {
    return kubeconfig_yaml(cluster_yaml(server, ca_pem), user);
}

std::string admin_user() {
    return client_certificate_yaml(cluster_pki().admin);
}

// A fake API: /api answers APIVersions; every other path echoes the method and records it.
HttpsReply api(const HttpsExchange& x) {
    const auto auth = x.headers.find("authorization");
    if ((x.client_cn.empty() && auth == x.headers.end()) ||
        (auth != x.headers.end() && auth->second == "Bearer wrong-token-xyz"))
        return {401, "application/json", R"({"kind":"Status","code":401,"reason":"Unauthorized"})"};
    if (x.target == "/api") return {200, "application/json", R"({"kind":"APIVersions","versions":["v1"]})"};
    return {200, "application/json", R"({"kind":"Probe","method":")" + x.method + "\"}"};
}

struct ApiNode {
    TempDir root;
    TempDir plugins;
    ApiNode() { CoreNode::install_plugin("apiprobe.so", plugins.path(), "apiprobe.so"); }
    void kubeconfig(const std::string& text) const { write_file(root / "/etc/kubernetes/admin.conf", text, 0600); }
    ProcResult run(const std::vector<std::string>& command, const std::vector<std::string>& options = {},
                   const std::map<std::string, std::string>& env = {}) const {
        std::vector<std::string> args{"--root",   root.path(), "--plugin-dir",          plugins.path(),
                                      "--flavor", "apiprobe",  "--apiprobe-kubeconfig", "/etc/kubernetes/admin.conf"};
        args.insert(args.end(), options.begin(), options.end());
        if (std::find(options.begin(), options.end(), "--format") == options.end())
            args.insert(args.end(), {"--format", "json"});
        args.insert(args.end(), command.begin(), command.end());
        std::map<std::string, std::string> all{{"KUBECERT_PLUGIN_PATH", "\x01unset"}};
        all.insert(env.begin(), env.end());
        return run_kubecert(args, all);
    }
};

TEST(HttpsTransport, GetsWithAClientCertificateTheServerVerifies) {
    HttpsServer server(cluster_pki().api_server, cluster_pki().ca.cert_pem, ClientCertificates::required, api);
    ApiNode node;
    node.kubeconfig(kubeconfig(server.url(), cluster_pki().ca.cert_pem, admin_user()));
    const auto r = node.run({"audit"});
    const auto j = parse_report(r.out);
    EXPECT_EQ(status_of(j["findings"], "apiprobe.get"), "PASS") << r.out << r.err;
    EXPECT_EQ(evidence_of(j["findings"], "apiprobe.get", "status"), "200");
    EXPECT_EQ(evidence_of(j["findings"], "apiprobe.get", "content_type"), "application/json");
    EXPECT_EQ(evidence_of(j["findings"], "apiprobe.get", "body"), R"({"kind":"APIVersions","versions":["v1"]})");
    EXPECT_EQ(evidence_of(j["findings"], "apiprobe.get", "user"), "client certificate CN=kubernetes-admin");
    EXPECT_EQ(evidence_of(j["findings"], "apiprobe.get", "server"), server.url());
    const auto seen = server.exchanges();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].method, "GET");
    EXPECT_EQ(seen[0].target, "/api");
    EXPECT_EQ(seen[0].client_cn, "kubernetes-admin") << "the server verified the client certificate";
    EXPECT_EQ(seen[0].headers.at("accept"), "application/json");
    EXPECT_EQ(r.out.find("PRIVATE KEY"), std::string::npos);
    EXPECT_EQ(r.err.find("PRIVATE KEY"), std::string::npos);
}

TEST(HttpsTransport, AServerCertificateFromAnotherCaFailsVerification) {
    HttpsServer server(cluster_pki().api_server, cluster_pki().ca.cert_pem, ClientCertificates::required, api);
    ApiNode node;
    node.kubeconfig(kubeconfig(server.url(), cluster_pki().other_ca.cert_pem, admin_user()));
    const auto r = node.run({"audit"});
    const auto j = parse_report(r.out);
    EXPECT_EQ(status_of(j["findings"], "apiprobe.get"), "ERROR") << r.out;
    const std::string why = result_of(j["findings"], "apiprobe.get");
    EXPECT_NE(why.find("did not verify"), std::string::npos) << why;
    EXPECT_NE(why.find(server.url() + "/api"), std::string::npos) << "names the URL: " << why;
    EXPECT_TRUE(server.exchanges().empty()) << "nothing was sent to an unverified server";
    EXPECT_EQ(r.exit_code, 3) << "an ERROR finding";
}

TEST(HttpsTransport, TheServerNameMustMatchUnlessTlsServerNameSaysWhich) {
    HttpsServer server(cluster_pki().api_server, cluster_pki().ca.cert_pem, ClientCertificates::required, api);
    ApiNode node;
    // "localhost" resolves to 127.0.0.1, but the certificate names 127.0.0.1 and "kubernetes" only.
    const std::string by_name = "https://localhost:" + std::to_string(server.port());
    node.kubeconfig(kubeconfig(by_name, cluster_pki().ca.cert_pem, admin_user()));
    auto j = parse_report(node.run({"audit"}).out);
    EXPECT_EQ(status_of(j["findings"], "apiprobe.get"), "ERROR");
    EXPECT_NE(result_of(j["findings"], "apiprobe.get").find("localhost"), std::string::npos);
    std::string text = kubeconfig(by_name, cluster_pki().ca.cert_pem, admin_user());
    text.replace(text.find("    certificate-authority-data"), 0, "    tls-server-name: kubernetes\n");
    node.kubeconfig(text);
    j = parse_report(node.run({"audit"}).out);
    EXPECT_EQ(status_of(j["findings"], "apiprobe.get"), "PASS") << j["findings"].dump(2);
}

TEST(HttpsTransport, WithoutAClientCertificateTheHandshakeFailsOrTheServerSays401) {
    ApiNode node;
    {
        HttpsServer server(cluster_pki().api_server, cluster_pki().ca.cert_pem, ClientCertificates::required, api);
        node.kubeconfig(kubeconfig(server.url(), cluster_pki().ca.cert_pem, "    tokenFile: token\n"));
        write_file(node.root / "/etc/kubernetes/token", "not-a-valid-token-at-all\n");
        const auto r = node.run({"audit"});
        const auto j = parse_report(r.out);
        EXPECT_EQ(status_of(j["findings"], "apiprobe.get"), "ERROR") << r.out;
        EXPECT_FALSE(server.handshake_failures().empty());
        EXPECT_EQ(r.out.find("not-a-valid-token-at-all"), std::string::npos) << "the token is never shown";
        EXPECT_EQ(r.err.find("not-a-valid-token-at-all"), std::string::npos);
    }
    HttpsServer server(cluster_pki().api_server, cluster_pki().ca.cert_pem, ClientCertificates::optional, api);
    node.kubeconfig(kubeconfig(server.url(), cluster_pki().ca.cert_pem, "    token: abcdefgh-token-0123\n"));
    const auto j = parse_report(node.run({"audit"}).out);
    EXPECT_EQ(status_of(j["findings"], "apiprobe.get"), "PASS");
    EXPECT_EQ(evidence_of(j["findings"], "apiprobe.get", "user"), "bearer token from /etc/kubernetes/admin.conf");
    ASSERT_EQ(server.exchanges().size(), 1u);
    EXPECT_EQ(server.exchanges()[0].headers.at("authorization"), "Bearer abcdefgh-token-0123");
    // A token the server rejects: the 401 is an answer, returned to the plugin, not an error.
    node.kubeconfig(kubeconfig(server.url(), cluster_pki().ca.cert_pem, "    token: wrong-token-xyz\n"));
    const auto rejected = parse_report(node.run({"audit"}).out);
    EXPECT_EQ(status_of(rejected["findings"], "apiprobe.get"), "PASS");
    EXPECT_EQ(evidence_of(rejected["findings"], "apiprobe.get", "status"), "401");
}

TEST(HttpsTransport, AChangeIsRefusedInAuditPlannedUnderDryRunAndSentInAFix) {
    HttpsServer server(cluster_pki().api_server, cluster_pki().ca.cert_pem, ClientCertificates::required, api);
    ApiNode node;
    node.kubeconfig(kubeconfig(server.url(), cluster_pki().ca.cert_pem, admin_user()));
    const std::vector<std::string> change{"--apiprobe-change-path", "/apis/example.io/v1/probes/p1"};
    auto j = parse_report(node.run({"audit"}, change).out);
    EXPECT_EQ(status_of(j["findings"], "apiprobe.change-in-audit"), "PASS");
    const std::string refusal = result_of(j["findings"], "apiprobe.change-in-audit");
    EXPECT_NE(refusal.find("PUT " + server.url() + "/apis/example.io/v1/probes/p1"), std::string::npos) << refusal;
    EXPECT_NE(refusal.find("audit()"), std::string::npos) << refusal;
    for (const auto& x : server.exchanges()) EXPECT_EQ(x.method, "GET") << "audit sent only GETs";

    const size_t before_dry_run = server.exchanges().size();
    const auto dry = node.run({"fix", "--dry-run"}, change);
    j = parse_report(dry.out);
    ASSERT_EQ(j["actions"].size(), 2u) << j.dump(2);
    EXPECT_EQ(j["actions"][0]["kind"], "request");
    EXPECT_EQ(j["actions"][0]["status"], "planned");
    EXPECT_EQ(j["actions"][0]["finding"], "apiprobe.change");
    EXPECT_EQ(j["actions"][0]["target"], "PUT " + server.url() + "/apis/example.io/v1/probes/p1");
    EXPECT_NE(j["actions"][0]["detail"].get<std::string>().find("would PUT"), std::string::npos);
    EXPECT_NE(j["actions"][0]["detail"].get<std::string>().find("31 bytes"), std::string::npos);
    EXPECT_EQ(j["actions"][0]["detail"].get<std::string>().find("Probe"), std::string::npos) << "no body content";
    EXPECT_EQ(j["actions"][1]["target"], "PATCH " + server.url() + "/apis/example.io/v1/probes/p1");
    for (size_t i = before_dry_run; i < server.exchanges().size(); ++i)
        EXPECT_EQ(server.exchanges()[i].method, "GET") << "a dry run sends no change";
    EXPECT_NE(dry.err.find("PUT answered 0 (dry run)"), std::string::npos) << dry.err;
    // The text and JUnit reports list it too.
    const auto text = node.run({"fix", "--dry-run"}, {"--format", "text", "--apiprobe-change-path", "/x"});
    EXPECT_TRUE(has_line(text.out, {"planned", "request", "PUT " + server.url() + "/x  (apiprobe.change)"}))
        << text.out;
    const auto junit = node.run({"fix", "--dry-run"}, {"--format", "junit", "--apiprobe-change-path", "/x"});
    EXPECT_NE(junit.out.find("planned request: PUT " + server.url() + "/x"), std::string::npos) << junit.out;

    const size_t before_fix = server.exchanges().size();
    const auto fixed = node.run({"fix", "--yes"}, change);
    j = parse_report(fixed.out);
    ASSERT_EQ(j["actions"].size(), 2u) << j.dump(2);
    EXPECT_EQ(j["actions"][0]["status"], "applied");
    EXPECT_NE(j["actions"][0]["detail"].get<std::string>().find("HTTP 200"), std::string::npos);
    std::vector<HttpsExchange> changes;
    for (size_t i = before_fix; i < server.exchanges().size(); ++i)
        if (server.exchanges()[i].method != "GET") changes.push_back(server.exchanges()[i]);
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_EQ(changes[0].method, "PUT");
    EXPECT_EQ(changes[0].body, R"({"kind":"Probe","spec":{"n":1}})");
    EXPECT_EQ(changes[0].headers.at("content-type"), "application/json");
    EXPECT_EQ(changes[1].method, "PATCH");
    EXPECT_EQ(changes[1].headers.at("content-type"), "application/merge-patch+json");
    EXPECT_EQ(changes[1].client_cn, "kubernetes-admin");
}

TEST(HttpsTransport, InsecureSkipTlsVerifyIsRefused) {
    ApiNode node;
    std::string text = kubeconfig("https://127.0.0.1:1", cluster_pki().ca.cert_pem, admin_user());
    text.replace(text.find("    certificate-authority-data"), 0, "    insecure-skip-tls-verify: true\n");
    node.kubeconfig(text);
    const auto j = parse_report(node.run({"audit"}).out);
    EXPECT_EQ(status_of(j["findings"], "apiprobe.get"), "ERROR");
    const std::string why = result_of(j["findings"], "apiprobe.get");
    EXPECT_NE(why.find("insecure-skip-tls-verify"), std::string::npos) << why;
    EXPECT_NE(why.find("/etc/kubernetes/admin.conf"), std::string::npos) << why;
}

TEST(HttpsTransport, AnUnreachableServerIsAnErrorNamingTheUrl) {
    ApiNode node;
    const std::string url = "https://127.0.0.1:" + std::to_string(free_port());
    node.kubeconfig(kubeconfig(url, cluster_pki().ca.cert_pem, admin_user()));
    const auto j = parse_report(node.run({"audit"}).out);
    EXPECT_EQ(status_of(j["findings"], "apiprobe.get"), "ERROR");
    EXPECT_EQ(evidence_of(j["findings"], "apiprobe.get", "error_status"), std::to_string(KUBECERT_ERR_UNREACHABLE));
    EXPECT_NE(result_of(j["findings"], "apiprobe.get").find(url + "/api"), std::string::npos);
}

TEST(HttpsTransport, AProxyInTheEnvironmentIsNotUsed) {
    HttpsServer server(cluster_pki().api_server, cluster_pki().ca.cert_pem, ClientCertificates::required, api);
    ApiNode node;
    node.kubeconfig(kubeconfig(server.url(), cluster_pki().ca.cert_pem, admin_user()));
    const std::string nowhere = "http://127.0.0.1:" + std::to_string(free_port());
    const auto r =
        node.run({"audit"}, {}, {{"https_proxy", nowhere}, {"HTTPS_PROXY", nowhere}, {"ALL_PROXY", nowhere}});
    EXPECT_EQ(status_of(parse_report(r.out)["findings"], "apiprobe.get"), "PASS") << r.out;
}

TEST(HttpsTransport, ParsesACsrMadeByOpenssl) {
    ApiNode node;
    TempDir work;
    const std::string csr = work.path() + "/node.csr";
    const auto made =
        run({"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
             work.path() + "/node.key", "-out", csr, "-subj", "/O=system:nodes/CN=system:node:worker-1", "-addext",
             "subjectAltName=DNS:worker-1,DNS:worker-1.example,IP:10.0.0.5,IP:fd00::5,"
             "email:ops@example.com,URI:spiffe://cluster/node"});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    write_file(node.root / "/var/tmp/node.csr", read_file(csr));
    node.kubeconfig(kubeconfig("https://127.0.0.1:1", cluster_pki().ca.cert_pem, admin_user()));
    const auto r = node.run({"audit"}, {"--apiprobe-csr", "/var/tmp/node.csr"});
    const auto j = parse_report(r.out);
    ASSERT_EQ(status_of(j["findings"], "apiprobe.csr"), "PASS") << r.out;
    const auto subject = run({"openssl", "req", "-in", csr, "-noout", "-subject", "-nameopt", "RFC2253"});
    EXPECT_EQ("subject=" + evidence_of(j["findings"], "apiprobe.csr", "subject") + "\n", subject.out);
    EXPECT_EQ(evidence_of(j["findings"], "apiprobe.csr", "common_name"), "system:node:worker-1");
    EXPECT_EQ(evidence_of(j["findings"], "apiprobe.csr", "organizations"), "system:nodes");
    EXPECT_EQ(evidence_of(j["findings"], "apiprobe.csr", "other_subject_attributes"), "false");
    EXPECT_EQ(evidence_of(j["findings"], "apiprobe.csr", "dns_names"), "worker-1,worker-1.example");
    EXPECT_EQ(evidence_of(j["findings"], "apiprobe.csr", "ip_addresses"), "10.0.0.5,fd00::5");
    EXPECT_EQ(evidence_of(j["findings"], "apiprobe.csr", "email_addresses"), "ops@example.com");
    EXPECT_EQ(evidence_of(j["findings"], "apiprobe.csr", "uris"), "spiffe://cluster/node");
    EXPECT_EQ(evidence_of(j["findings"], "apiprobe.csr", "key_type"), "EC");
    EXPECT_EQ(evidence_of(j["findings"], "apiprobe.csr", "key_bits"), "256");
    EXPECT_EQ(evidence_of(j["findings"], "apiprobe.csr", "signature_valid"), "true");
    const auto verified = run({"openssl", "req", "-in", csr, "-noout", "-verify"});
    EXPECT_NE((verified.out + verified.err).find("verify OK"), std::string::npos) << "openssl agrees";

    write_file(node.root / "/var/tmp/node.csr",
               "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n");
    const auto bad = parse_report(node.run({"audit"}, {"--apiprobe-csr", "/var/tmp/node.csr"}).out);
    EXPECT_EQ(status_of(bad["findings"], "apiprobe.csr"), "ERROR");
    EXPECT_NE(result_of(bad["findings"], "apiprobe.csr").find("/var/tmp/node.csr"), std::string::npos);
}

} // namespace
} // namespace kubecert::test

namespace kubecert::test {
namespace {

// The transport is loaded on the first HTTPS request only: an audit that
// makes none never maps libcurl (the dynamic loader's own log says what it loaded).
TEST(HttpsTransport, AnAuditWithoutHttpsNeverLoadsLibcurl) {
    CoreNode plain;
    plain.write_confs("a\n", "b\n", "c\n");
    const auto quiet = plain.kubecert({"--format", "json", "audit"}, {{"LD_DEBUG", "libs"}});
    EXPECT_NE(quiet.err.find("libcrypto"), std::string::npos) << "LD_DEBUG=libs logs what is loaded";
    EXPECT_EQ(quiet.err.find("libcurl"), std::string::npos) << "an audit without HTTPS loaded libcurl";
    EXPECT_EQ(quiet.err.find("kubecert-https.so"), std::string::npos);

    ApiNode node; // the same audit making one HTTPS request loads both
    node.kubeconfig(kubeconfig("https://127.0.0.1:1", cluster_pki().ca.cert_pem, admin_user()));
    const auto api = node.run({"audit"}, {}, {{"LD_DEBUG", "libs"}});
    EXPECT_NE(api.err.find("kubecert-https.so"), std::string::npos);
    EXPECT_NE(api.err.find("libcurl.so"), std::string::npos);
}

} // namespace
} // namespace kubecert::test
