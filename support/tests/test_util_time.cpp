#include <kubecert/util/time.hpp>

#include <gtest/gtest.h>

using namespace kubecert::util;

namespace {
constexpr std::int64_t k_day = 86400;
constexpr std::int64_t k_feb23_2025_0946 = 1740303960; // date -ud 2025-02-23T09:46:00Z +%s
} // namespace

TEST(UtilTime, ParsesRfc3339InUtcWithOffsetsAndFractions) {
    EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
    EXPECT_EQ(parse_rfc3339("2025-02-23T09:46:00Z"), k_feb23_2025_0946);
    EXPECT_EQ(parse_rfc3339("2025-02-23t09:46:00z"), k_feb23_2025_0946);
    EXPECT_EQ(parse_rfc3339("2025-02-23T09:46:00.123456789Z"), k_feb23_2025_0946);
    EXPECT_EQ(parse_rfc3339("2025-02-23T11:46:00+02:00"), k_feb23_2025_0946);
    EXPECT_EQ(parse_rfc3339("2025-02-23T04:16:00-05:30"), k_feb23_2025_0946);
    EXPECT_EQ(parse_rfc3339("2024-02-29T00:00:00Z"), 1709164800);
    EXPECT_EQ(parse_rfc3339("1969-12-31T23:59:59Z"), -1);
}

TEST(UtilTime, RejectsMalformedRfc3339) {
    for (const char* bad :
         {"", "2025-02-23", "2025-02-23T09:46:00", "2025-02-23T09:46Z", "2025-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
          "2025-02-23T24:00:00Z", "2025-02-23T09:46:00+0200", "2025-02-23T09:46:00.Z", "2025-02-23T09:46:00Zjunk",
          "yesterday", "2025-02-23 09:46:00 UTC"}) {
        EXPECT_FALSE(parse_rfc3339(bad).has_value()) << bad;
    }
    EXPECT_FALSE(parse_rfc3339(std::string_view("2025-02-23T09:46:00Z\0", 21)).has_value());
}

TEST(UtilTime, FormatsRfc3339AndRoundTrips) {
    EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
    EXPECT_EQ(format_rfc3339(k_feb23_2025_0946), "2025-02-23T09:46:00Z");
    EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59Z");
    for (std::int64_t t : {std::int64_t{0}, std::int64_t{951782400}, std::int64_t{4102444799}, k_feb23_2025_0946 + 59})
        EXPECT_EQ(parse_rfc3339(format_rfc3339(t)), t);
}

TEST(UtilTime, FormatsDatesLikeKubeadmCheckExpiration) {
    EXPECT_EQ(format_short_date(k_feb23_2025_0946), "Feb 23, 2025 09:46 UTC");
    EXPECT_EQ(format_short_date(k_feb23_2025_0946 + 59), "Feb 23, 2025 09:46 UTC"); // minutes, not rounded
    EXPECT_EQ(format_short_date(*parse_rfc3339("2026-01-05T23:05:00Z")), "Jan 05, 2026 23:05 UTC");
}

TEST(UtilTime, ResidualFollowsShortHumanDuration) {
    // k8s.io/apimachinery/pkg/util/duration.ShortHumanDuration as printed by kubeadm.
    EXPECT_EQ(format_residual(-2), "<invalid>");
    EXPECT_EQ(format_residual(-3 * k_day), "<invalid>");
    EXPECT_EQ(format_residual(-1), "0s");
    EXPECT_EQ(format_residual(0), "0s");
    EXPECT_EQ(format_residual(59), "59s");
    EXPECT_EQ(format_residual(60), "1m");
    EXPECT_EQ(format_residual(3599), "59m");
    EXPECT_EQ(format_residual(3600), "1h");
    EXPECT_EQ(format_residual(k_day - 1), "23h");
    EXPECT_EQ(format_residual(k_day), "1d");
    EXPECT_EQ(format_residual(354 * k_day + 5000), "354d");
    EXPECT_EQ(format_residual(364 * k_day + 86399), "364d");
    EXPECT_EQ(format_residual(365 * k_day), "1y");
    EXPECT_EQ(format_residual(9 * 365 * k_day + 300 * k_day), "9y");
}

TEST(UtilTime, ParsesDurations) {
    EXPECT_EQ(parse_duration("0"), 0);
    EXPECT_EQ(parse_duration("90s"), 90);
    EXPECT_EQ(parse_duration("720h"), 720 * 3600);
    EXPECT_EQ(parse_duration("1h30m"), 5400);
    EXPECT_EQ(parse_duration("2h0m0s"), 7200);
    EXPECT_EQ(parse_duration("30d"), 30 * k_day);
    EXPECT_EQ(parse_duration("1y"), 365 * k_day);
    EXPECT_EQ(parse_duration("1.5h"), 5400);
    EXPECT_EQ(parse_duration("1d12h"), 36 * 3600);
}

TEST(UtilTime, RejectsMalformedDurations) {
    for (const char* bad : {"", "30", "-5m", "h", "5x", "1h 30m", " 5m", "5m ", ".h", "1e3s", "99999999999999999999y"})
        EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
}

TEST(UtilTime, FormatsDurationsShortly) {
    EXPECT_EQ(format_duration(0), "0s");
    EXPECT_EQ(format_duration(40), "40s");
    EXPECT_EQ(format_duration(125), "2m 5s");
    EXPECT_EQ(format_duration(2 * 3600 + 5 * 60 + 7), "2h 5m");
    EXPECT_EQ(format_duration(3 * k_day + 4 * 3600 + 59), "3d 4h");
    EXPECT_EQ(format_duration(30 * k_day), "30d");
    EXPECT_EQ(format_duration(-3 * k_day), "-3d");
    EXPECT_EQ(format_duration(-(3 * k_day + 2 * 3600)), "-3d 2h");
}
