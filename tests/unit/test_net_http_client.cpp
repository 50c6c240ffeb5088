#include <gtest/gtest.h>

#include <chrono>

#include "net/http_client.hpp"
#include "servers.hpp"

namespace kubecert::test {
namespace {

using namespace std::chrono_literals;
using net::http_get;

TEST(NetHttpClient, ReturnsStatusAndBody) {
    HttpServer server(200, R"({"kubeletconfig":{"serverTLSBootstrap":true}})");
    auto r = http_get(server.url() + "/api/v1/nodes/node-1/proxy/configz", 5s);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, R"({"kubeletconfig":{"serverTLSBootstrap":true}})");
    EXPECT_EQ(server.request_paths(), std::vector<std::string>{"/api/v1/nodes/node-1/proxy/configz"});
}

TEST(NetHttpClient, AnyHttpStatusIsAnAnswer) {
    HttpServer not_found(404, "no such node");
    auto r = http_get(not_found.url() + "/missing", 5s);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->status, 404);
    EXPECT_EQ(r->body, "no such node");

    // Redirects are reported, not followed.
    HttpServer redirect(302, "");
    auto moved = http_get(redirect.url() + "/x", 5s);
    ASSERT_TRUE(moved.ok()) << moved.error().message;
    EXPECT_EQ(moved->status, 302);
}

TEST(NetHttpClient, ServerThatNeverAnswersTimesOutInTime) {
    HttpServer hang(200, "never sent", true);
    auto start = std::chrono::steady_clock::now();
    auto r = http_get(hang.url() + "/configz", 400ms);
    auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, util::ErrorCode::timeout) << r.error().message;
    EXPECT_GE(elapsed, 350ms);
    EXPECT_LT(elapsed, 3s);
}

TEST(NetHttpClient, ClosedPortIsUnreachable) {
    std::string url = "http://127.0.0.1:" + std::to_string(free_port()) + "/configz";
    auto r = http_get(url, 2s);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, util::ErrorCode::unreachable) << r.error().message;
    EXPECT_NE(r.error().message.find(url), std::string::npos);
}

TEST(NetHttpClient, BadUrlIsInvalid) {
    for (const char* url : {"http://[::1", "ftp://127.0.0.1/file", "file:///etc/passwd"}) {
        auto r = http_get(url, 1s);
        ASSERT_FALSE(r.ok()) << url;
        EXPECT_EQ(r.error().code, util::ErrorCode::invalid) << url << ": " << r.error().message;
    }
}

TEST(NetHttpClient, BodyLargerThanTheCapIsRefused) {
    HttpServer huge(200, std::string(16u * 1024u * 1024u + 1u, 'x'));
    auto r = http_get(huge.url() + "/", 10s);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("16 MiB"), std::string::npos) << r.error().message;
}

} // namespace
} // namespace kubecert::test
