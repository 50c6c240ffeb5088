#include <gtest/gtest.h>

#include <string>

#include "net/http_response.hpp"

// The response parser on bytes (the socket half is test_net_http_client.cpp).
namespace kubecert::test {
namespace {

using net::parse_http_response;

TEST(NetHttpResponse, ContentLengthBody) {
    auto r = parse_http_response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", "peer");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "hello");
}

TEST(NetHttpResponse, ChunkedBodyAfterAnInterimAnswer) {
    auto r = parse_http_response("HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n"
                                 "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n"
                                 "3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nTrailer: x\r\n\r\n",
                                 "peer");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->status, 404);
    EXPECT_EQ(r->body, "abcde");
}

TEST(NetHttpResponse, BodyWithoutFramingEndsAtTheClose) {
    auto r = parse_http_response("HTTP/1.0 200 OK\n\n{\"a\":1}", "peer");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->body, "{\"a\":1}");
}

TEST(NetHttpResponse, MalformedAndTruncatedAnswersAreParseErrors) {
    for (const char* bad :
         {"", "HTTP/1.1 2000 OK\r\n\r\n", "SSH-2.0-OpenSSH\r\n\r\n",
          "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "HTTP/1.1 200 OK\r\nno colon\r\n\r\n"}) {
        auto r = parse_http_response(bad, "peer");
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.error().code, util::ErrorCode::parse) << bad;
        EXPECT_NE(r.error().message.find("peer: malformed HTTP response"), std::string::npos) << r.error().message;
    }
}

TEST(NetHttpResponse, OversizedBodyIsRefused) {
    auto r = parse_http_response("HTTP/1.1 200 OK\r\nContent-Length: 999999999\r\n\r\n", "peer");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, util::ErrorCode::parse);
    EXPECT_NE(r.error().message.find("oversized"), std::string::npos) << r.error().message;
}

} // namespace
} // namespace kubecert::test
