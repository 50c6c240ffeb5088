#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <chrono>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include "net/tls_probe.hpp"
#include "pki.hpp"
#include "servers.hpp"
#include "test_support.hpp"

namespace kubecert::test {
namespace {

using namespace std::chrono_literals;
using net::fetch_served_certificate;

// A TCP listener on 127.0.0.1 that the test drives by hand.
struct RawListener {
    int fd = -1;
    int port = 0;
    RawListener() { fd = listen_on_loopback(4, &port); }
    ~RawListener() { close(fd); }
    std::string address() const { return "127.0.0.1:" + std::to_string(port); }
};

KeyPair serving_pair(const std::string& cn) {
    std::int64_t now = now_seconds();
    CertSpec spec;
    spec.common_name = cn;
    spec.sans = {"DNS:" + cn, "IP:127.0.0.1"};
    spec.not_before = now - k_day;
    spec.not_after = now + 30 * k_day;
    spec.server_auth = true;
    spec.key_type = "ec";
    return make_self_signed(spec);
}

TEST(NetTlsProbe, ReturnsTheCertificateTheServerServes) {
    TempDir dir;
    KeyPair first = serving_pair("node-1"), second = serving_pair("node-1-renewed");
    write_file(dir / "a.crt", first.cert_pem);
    write_file(dir / "a.key", first.key_pem, 0600);
    write_file(dir / "b.crt", second.cert_pem);
    write_file(dir / "b.key", second.key_pem, 0600);

    TlsServer server(dir / "a.crt", dir / "a.key");
    auto served = fetch_served_certificate(server.address(), 5s);
    ASSERT_TRUE(served.ok()) << served.error().message;
    auto on_disk = x509::parse_certificate(read_file(dir / "a.crt"), "a.crt");
    ASSERT_TRUE(on_disk.ok());
    EXPECT_EQ(served->sha256_fingerprint, on_disk->sha256_fingerprint);
    EXPECT_EQ(served->common_name, "node-1");

    // After a restart with the renewed pair the probe sees the new certificate.
    server.restart(dir / "b.crt", dir / "b.key");
    auto renewed = fetch_served_certificate(server.address(), 5s);
    ASSERT_TRUE(renewed.ok()) << renewed.error().message;
    EXPECT_EQ(renewed->common_name, "node-1-renewed");
    EXPECT_NE(renewed->sha256_fingerprint, served->sha256_fingerprint);

    // A host name goes through the resolver (and SNI) too.
    auto by_name = fetch_served_certificate("localhost:" + std::to_string(server.port()), 5s);
    if (by_name.ok())
        EXPECT_EQ(by_name->common_name, "node-1-renewed");
    else
        EXPECT_EQ(by_name.error().code, util::ErrorCode::unreachable) << by_name.error().message; // ::1 only hosts
}

TEST(NetTlsProbe, ServerRestartedFromAShortLivedThreadKeepsServing) {
    TempDir dir;
    KeyPair first = serving_pair("before"), second = serving_pair("after");
    write_file(dir / "a.crt", first.cert_pem);
    write_file(dir / "a.key", first.key_pem, 0600);
    write_file(dir / "b.crt", second.cert_pem);
    write_file(dir / "b.key", second.key_pem, 0600);
    TlsServer server(dir / "a.crt", dir / "a.key");
    std::thread([&] { server.restart(dir / "b.crt", dir / "b.key"); }).join();
    std::this_thread::sleep_for(200ms); // a server tied to the ended thread would be gone by now
    auto served = fetch_served_certificate(server.address(), 5s);
    ASSERT_TRUE(served.ok()) << served.error().message;
    EXPECT_EQ(served->common_name, "after");
}

TEST(NetTlsProbe, ClosedPortIsUnreachable) {
    std::string address = "127.0.0.1:" + std::to_string(free_port());
    auto r = fetch_served_certificate(address, 2s);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, util::ErrorCode::unreachable);
    EXPECT_NE(r.error().message.find(address), std::string::npos);
    EXPECT_NE(r.error().message.find("Connection refused"), std::string::npos) << r.error().message;
}

TEST(NetTlsProbe, ListenerThatNeverSpeaksTlsTimesOutInTime) {
    RawListener silent; // the kernel completes the connection; nobody ever answers
    auto start = std::chrono::steady_clock::now();
    auto r = fetch_served_certificate(silent.address(), 300ms);
    auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, util::ErrorCode::timeout) << r.error().message;
    EXPECT_GE(elapsed, 250ms);
    EXPECT_LT(elapsed, 2s);
}

TEST(NetTlsProbe, PlainTextAnswerIsAFailedHandshake) {
    RawListener plain;
    std::thread answer([&] {
        int c = accept(plain.fd, nullptr, nullptr);
        if (c < 0) return;
        const char reply[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
        send(c, reply, sizeof reply - 1, MSG_NOSIGNAL);
        std::this_thread::sleep_for(100ms);
        close(c);
    });
    auto r = fetch_served_certificate(plain.address(), 3s);
    answer.join();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, util::ErrorCode::failed);
    EXPECT_NE(r.error().message.find("TLS handshake failed"), std::string::npos) << r.error().message;
}

TEST(NetTlsProbe, MalformedAddressIsInvalid) {
    for (const char* bad : {"no-port", "host:", "[::1]", "a:b:c", "host:https"}) {
        auto r = fetch_served_certificate(bad, 1s);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.error().code, util::ErrorCode::invalid) << bad;
    }
}

} // namespace
} // namespace kubecert::test
