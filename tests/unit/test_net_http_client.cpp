#include <gtest/gtest.h>
#include <netdb.h>

#include <arpa/inet.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "net/http_client.hpp"
#include "pki.hpp"
#include "servers.hpp"
#include "test_support.hpp"

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
    for (const char* url : {"http://[::1", "ftp://127.0.0.1/file", "file:///etc/passwd", "http://user:pw@127.0.0.1/",
                            "http://127.0.0.1/a b", "http://127.0.0.1/a\r\nX-Injected: 1", "http://", "http://:80/",
                            "http://127.0.0.1:99999/", "http://127.0.0.1:/", "http://[not-v6]/", "127.0.0.1:80/x"}) {
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

TEST(NetHttpClient, SendsPathAndQueryAndTheDocumentedHeaders) {
    RawHttpServer server({"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"});
    auto r = http_get(server.url() + "/api/v1/nodes?labelSelector=a%3Db&limit=1#fragment", 5s);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->body, "{}");
    std::string request = server.request();
    EXPECT_EQ(request.substr(0, request.find("\r\n")), "GET /api/v1/nodes?labelSelector=a%3Db&limit=1 HTTP/1.1");
    EXPECT_NE(request.find("\r\nHost: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"), std::string::npos)
        << request;
    EXPECT_NE(request.find("\r\nUser-Agent: kubecert\r\n"), std::string::npos) << request;
    EXPECT_NE(request.find("\r\nAccept: application/json\r\n"), std::string::npos) << request;
    EXPECT_NE(request.find("\r\nConnection: close\r\n"), std::string::npos) << request;
}

TEST(NetHttpClient, QueryWithoutPathGetsTheRootPath) {
    RawHttpServer server({"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"});
    auto r = http_get(server.url() + "?x=1", 5s);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->body, "");
    std::string request = server.request();
    EXPECT_EQ(request.substr(0, request.find("\r\n")), "GET /?x=1 HTTP/1.1");
}

TEST(NetHttpClient, DecodesAChunkedBody) {
    // Split mid-chunk and mid-size-line; extensions and trailers ignored.
    RawHttpServer server({"HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\nContent-Length: 999\r\n\r\n5\r\nhel",
                          "lo\r\n7;ext=1\r\n, world\r\n1",
                          "0\r\n" + std::string(16, '!') + "\r\n0\r\nX-Trailer: t\r\n\r\n"});
    auto r = http_get(server.url() + "/configz", 5s);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "hello, world" + std::string(16, '!'));
}

TEST(NetHttpClient, BodyWithoutLengthEndsWhenTheServerCloses) {
    RawHttpServer server({"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"kubeletconfig\":",
                          "{\"serverTLSBootstrap\":true}}"});
    auto r = http_get(server.url() + "/configz", 5s);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, R"({"kubeletconfig":{"serverTLSBootstrap":true}})");
}

TEST(NetHttpClient, MalformedResponsesAreErrors) {
    // A peer that answered something else than HTTP is a malformed answer (ErrorCode::parse), not an unreachable one.
    for (const char* reply :
         {"HTTP/1.1 OK\r\n\r\n", "SSH-2.0-OpenSSH_9.2\r\n", "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
          "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", ""}) {
        RawHttpServer server({reply});
        auto r = http_get(server.url() + "/", 5s);
        ASSERT_FALSE(r.ok()) << reply;
        EXPECT_EQ(r.error().code, util::ErrorCode::parse) << reply << ": " << r.error().message;
        EXPECT_NE(r.error().message.find("malformed HTTP response"), std::string::npos) << r.error().message;
        EXPECT_NE(r.error().message.find(server.url()), std::string::npos) << r.error().message;
    }
}

// Serves `count` TLS connections on 127.0.0.1 with `pair`, answering each
// request with `reply`. Gives up after 5 s without a client.
class TlsHttpServer {
public:
    TlsHttpServer(const KeyPair& pair, int count, std::string reply) : m_pair(pair), m_reply(std::move(reply)) {
        m_fd = listen_on_loopback(4, &m_port);
        m_thread = std::thread([this, count] { serve(count); });
    }
    ~TlsHttpServer() {
        m_thread.join();
        close(m_fd);
    }
    int port() const { return m_port; }

private:
    void serve(int count) {
        SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
        BIO* cert = BIO_new_mem_buf(m_pair.cert_pem.data(), static_cast<int>(m_pair.cert_pem.size()));
        BIO* key = BIO_new_mem_buf(m_pair.key_pem.data(), static_cast<int>(m_pair.key_pem.size()));
        X509* x = PEM_read_bio_X509(cert, nullptr, nullptr, nullptr);
        EVP_PKEY* k = PEM_read_bio_PrivateKey(key, nullptr, nullptr, nullptr);
        SSL_CTX_use_certificate(ctx, x);
        SSL_CTX_use_PrivateKey(ctx, k);
        for (int i = 0; i < count; ++i) {
            pollfd p{m_fd, POLLIN, 0};
            if (poll(&p, 1, 5000) != 1) break;
            int client = accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0) break;
            timeval five{5, 0};
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &five, sizeof five);
            SSL* ssl = SSL_new(ctx);
            SSL_set_fd(ssl, client);
            if (SSL_accept(ssl) == 1) {
                std::string request;
                char buf[4096];
                int n = 0;
                while (request.find("\r\n\r\n") == std::string::npos && (n = SSL_read(ssl, buf, sizeof buf)) > 0)
                    request.append(buf, static_cast<std::size_t>(n));
                SSL_write(ssl, m_reply.data(), static_cast<int>(m_reply.size()));
                SSL_shutdown(ssl);
            }
            SSL_free(ssl);
            close(client);
        }
        X509_free(x);
        EVP_PKEY_free(k);
        BIO_free(cert);
        BIO_free(key);
        SSL_CTX_free(ctx);
    }

    KeyPair m_pair;
    std::string m_reply;
    int m_fd = -1;
    int m_port = 0;
    std::thread m_thread;
};

// Runs in a fresh process (a gtest death test re-executes the binary), so
// the client's trust store is read from SSL_CERT_FILE set here. Returns how
// many expectations failed, each printed to stderr.
int https_checks_in_child() {
    TempDir dir;
    CertSpec spec;
    spec.common_name = "localhost";
    spec.sans = {"DNS:localhost", "IP:127.0.0.1"};
    spec.not_before = now_seconds() - k_day;
    spec.not_after = now_seconds() + k_day;
    spec.server_auth = true;
    spec.key_type = "ec";
    KeyPair for_localhost = make_self_signed(spec);
    spec.common_name = "other.example";
    spec.sans = {"DNS:other.example"};
    KeyPair for_other = make_self_signed(spec);
    // Both trusted: only the name check can refuse the second one.
    write_file(dir / "trust.pem", for_localhost.cert_pem + for_other.cert_pem);
    setenv("SSL_CERT_FILE", (dir / "trust.pem").c_str(), 1);
    setenv("SSL_CERT_DIR", dir.path().c_str(), 1);

    int failures = 0;
    auto expect = [&](bool ok, const std::string& what) {
        if (!ok) {
            std::fprintf(stderr, "FAILED: %s\n", what.c_str());
            ++failures;
        }
    };
    {
        // By name too where "localhost" resolves (a minimal chroot may have no /etc/hosts).
        addrinfo* found = nullptr;
        const bool by_name = getaddrinfo("localhost", nullptr, nullptr, &found) == 0;
        if (found) freeaddrinfo(found);
        TlsHttpServer server(for_localhost, by_name ? 2 : 1, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n{ok}");
        std::string port = std::to_string(server.port());
        std::vector<std::string> urls{"https://127.0.0.1:" + port + "/configz"};
        if (by_name) urls.push_back("https://localhost:" + port + "/configz");
        for (const std::string& url : urls) {
            auto r = http_get(url, 5s);
            expect(r.ok() && r->status == 200 && r->body == "{ok}",
                   url + ": " + (r.ok() ? r->body : r.error().message));
        }
    }
    {
        TlsHttpServer server(for_other, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        auto r = http_get("https://127.0.0.1:" + std::to_string(server.port()) + "/", 5s);
        expect(!r.ok() && r.error().code == util::ErrorCode::failed &&
                   r.error().message.find("mismatch") != std::string::npos,
               "certificate for another name: " + (r.ok() ? std::string("accepted") : r.error().message));
    }
    std::fflush(stderr);
    return failures;
}

TEST(NetHttpClient, HttpsSucceedsWithATrustedCertificateForTheName) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(std::_Exit(https_checks_in_child() == 0 ? 0 : 1), testing::ExitedWithCode(0), "");
}

TEST(NetHttpClient, HttpsVerifiesTheServerCertificate) {
    TempDir dir;
    CertSpec spec;
    spec.common_name = "localhost";
    spec.sans = {"DNS:localhost", "IP:127.0.0.1"};
    spec.not_before = now_seconds() - k_day;
    spec.not_after = now_seconds() + k_day;
    spec.server_auth = true;
    spec.key_type = "ec";
    KeyPair pair = make_self_signed(spec);
    write_file(dir / "s.crt", pair.cert_pem);
    write_file(dir / "s.key", pair.key_pem, 0600);
    TlsServer server(dir / "s.crt", dir / "s.key");

    // Signed by nobody the system trusts: refused before any request is sent.
    auto r = http_get("https://" + server.address() + "/configz", 5s);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, util::ErrorCode::failed) << r.error().message;
    EXPECT_NE(r.error().message.find("certificate verify failed"), std::string::npos) << r.error().message;
}

} // namespace
} // namespace kubecert::test
