// kube::ApiClient through a real host in process and the real transport
// module, against an HTTPS server on 127.0.0.1 that requires a client
// certificate: answers of any status are returned, time and size are bounded,
// a change is refused outside fix().
#include <kubecert/kube/api_client.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "cluster_pki.hpp"
#include "real_host.hpp"
#include "servers.hpp"

namespace kubecert::test {
namespace {

HttpsReply api(const HttpsExchange& x) {
    if (x.target == "/slow") std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    if (x.target == "/big") return {200, "application/json", std::string(4096, 'x')};
    if (x.target.rfind("/api/v1/namespaces/default/configmaps/missing", 0) == 0)
        return {404, "application/json", R"({"kind":"Status","code":404,"reason":"NotFound"})"};
    return {200, "application/json", R"({"kind":"APIVersions"})"};
}

kube::ApiClient client(const RealHost& h, const HttpsServer& server) {
    write_file(h / "/etc/kubernetes/admin.conf", kubeconfig_yaml(cluster_yaml(server.url(), cluster_pki().ca.cert_pem),
                                                                 client_certificate_yaml(cluster_pki().admin)));
    return kube::ApiClient::from_kubeconfig(h.host(), "/etc/kubernetes/admin.conf");
}

TEST(KubeApiClient, AnswersOfAnyStatusAreReturned) {
    HttpsServer server(cluster_pki().api_server, cluster_pki().ca.cert_pem, ClientCertificates::required, api);
    RealHost h;
    const auto api_client = client(h, server);
    EXPECT_EQ(api_client.server(), server.url());
    EXPECT_EQ(api_client.user_description(), "client certificate CN=kubernetes-admin");
    const auto ok = api_client.get("/api");
    EXPECT_EQ(ok.status, 200);
    EXPECT_EQ(ok.body, R"({"kind":"APIVersions"})");
    EXPECT_EQ(ok.content_type, "application/json");
    EXPECT_FALSE(ok.dry_run);
    const auto missing = api_client.get("/api/v1/namespaces/default/configmaps/missing?resourceVersion=0");
    EXPECT_EQ(missing.status, 404) << "returned for the caller to map, not thrown";
    ASSERT_EQ(server.exchanges().size(), 2u);
    EXPECT_EQ(server.exchanges()[1].target, "/api/v1/namespaces/default/configmaps/missing?resourceVersion=0");
    EXPECT_EQ(server.exchanges()[1].client_cn, "kubernetes-admin");
}

TEST(KubeApiClient, TimeAndSizeAreBounded) {
    HttpsServer server(cluster_pki().api_server, cluster_pki().ca.cert_pem, ClientCertificates::required, api);
    RealHost h;
    auto api_client = client(h, server);
    api_client.set_max_response_bytes(1024);
    try {
        api_client.get("/big");
        ADD_FAILURE() << "an answer over the limit was accepted";
    } catch (const sdk::Error& e) {
        EXPECT_EQ(e.status(), KUBECERT_ERR_FAILED);
        EXPECT_NE(std::string(e.what()).find("larger than 1024 bytes"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(server.url() + "/big"), std::string::npos) << e.what();
    }
    api_client.set_timeout(std::chrono::milliseconds(300));
    const auto start = std::chrono::steady_clock::now();
    try {
        api_client.get("/slow");
        ADD_FAILURE() << "a slow answer did not time out";
    } catch (const sdk::Error& e) {
        EXPECT_EQ(e.status(), KUBECERT_ERR_TIMEOUT) << e.what();
        EXPECT_NE(std::string(e.what()).find(server.url() + "/slow"), std::string::npos) << e.what();
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1400));
}

TEST(KubeApiClient, ChangesAreRefusedOutsideFix) {
    HttpsServer server(cluster_pki().api_server, cluster_pki().ca.cert_pem, ClientCertificates::required, api);
    RealHost h; // bound to an audit
    const auto api_client = client(h, server);
    for (const auto& send : {+[](const kube::ApiClient& c) { c.put_json("/api/v1/x", "{}"); },
                             +[](const kube::ApiClient& c) { c.patch_json("/api/v1/x", "{}"); }}) {
        try {
            send(api_client);
            ADD_FAILURE() << "a change was sent during audit";
        } catch (const sdk::Error& e) {
            EXPECT_EQ(e.status(), KUBECERT_ERR_DENIED);
            EXPECT_NE(std::string(e.what()).find("refused during audit()"), std::string::npos) << e.what();
        }
    }
    EXPECT_TRUE(server.exchanges().empty());
}

} // namespace
} // namespace kubecert::test
