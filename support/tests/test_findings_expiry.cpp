#include <kubecert/findings/expiry.hpp>

#include <gtest/gtest.h>

using kubecert::findings::expiry_evidence;
using kubecert::findings::expiry_status;
using kubecert::sdk::Status;

namespace {
constexpr std::int64_t k_day = 86400;
constexpr std::int64_t k_now = 1740303960; // 2025-02-23T09:46:00Z
constexpr std::int64_t k_window = 30 * k_day;

const kubecert::sdk::Evidence* row(const std::vector<kubecert::sdk::Evidence>& rows, const std::string& key) {
    for (const auto& r : rows)
        if (r.key == key) return &r;
    return nullptr;
}
} // namespace

TEST(ChecksExpiry, StatusBoundaries) {
    const std::int64_t nb = k_now - 300 * k_day;
    EXPECT_EQ(expiry_status(nb, k_now, k_now, k_window), Status::fail);     // expires this very second
    EXPECT_EQ(expiry_status(nb, k_now - 1, k_now, k_window), Status::fail); // expired
    EXPECT_EQ(expiry_status(nb, k_now + 1, k_now, k_window), Status::warn);
    EXPECT_EQ(expiry_status(nb, k_now + k_window, k_now, k_window), Status::warn); // on the window's edge
    EXPECT_EQ(expiry_status(nb, k_now + k_window + 1, k_now, k_window), Status::pass);
    EXPECT_EQ(expiry_status(k_now + 1, k_now + 365 * k_day, k_now, k_window), Status::fail); // not yet valid
    EXPECT_EQ(expiry_status(k_now, k_now + 365 * k_day, k_now, k_window), Status::pass);
    EXPECT_EQ(expiry_status(nb, k_now + 10 * k_day, k_now, 0), Status::pass);
}

TEST(ChecksExpiry, EvidenceOfAValidCertificate) {
    kubecert::sdk::CertInfo cert;
    cert.subject = "CN=kubelet";
    cert.issuer = "CN=kubernetes";
    cert.not_before = k_now - k_day;
    cert.not_after = k_now + 29 * k_day + 4 * 3600 + 120;
    const auto rows = expiry_evidence("/var/lib/kubelet/pki/kubelet-server-current.pem", cert, k_now, k_window);
    for (const auto& r : rows) EXPECT_EQ(r.source, "/var/lib/kubelet/pki/kubelet-server-current.pem");
    ASSERT_NE(row(rows, "subject"), nullptr);
    EXPECT_EQ(row(rows, "subject")->actual, "CN=kubelet");
    EXPECT_EQ(row(rows, "issuer")->actual, "CN=kubernetes");
    EXPECT_EQ(row(rows, "not_after")->actual, "2025-03-24T13:48:00Z");
    ASSERT_NE(row(rows, "residual"), nullptr);
    EXPECT_EQ(row(rows, "residual")->actual, "expires in 29d 4h");
    EXPECT_EQ(row(rows, "residual")->expected, "more than 30d");
    EXPECT_EQ(row(rows, "not_before"), nullptr);
}

TEST(ChecksExpiry, EvidenceOfExpiredAndNotYetValidCertificates) {
    kubecert::sdk::CertInfo cert;
    cert.not_before = k_now - 400 * k_day;
    cert.not_after = k_now - 3 * k_day - 2 * 3600;
    EXPECT_EQ(row(expiry_evidence("/p", cert, k_now, k_window), "residual")->actual, "expired 3d 2h ago");
    cert.not_before = k_now + 2 * k_day;
    cert.not_after = k_now + 400 * k_day;
    const auto rows = expiry_evidence("/p", cert, k_now, 7 * k_day);
    EXPECT_EQ(row(rows, "residual")->actual, "not valid for 2d yet");
    EXPECT_EQ(row(rows, "residual")->expected, "more than 7d");
    ASSERT_NE(row(rows, "not_before"), nullptr);
    EXPECT_EQ(row(rows, "not_before")->actual, "2025-02-25T09:46:00Z");
}
