#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kubecert::util {

// Parses RFC 3339 ("2025-02-23T09:46:00Z", offsets, fractions) to unix seconds.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);
// Formats unix seconds as "2025-02-23T09:46:00Z".
std::string format_rfc3339(std::int64_t unix_seconds);
// Formats as kubeadm's check-expiration does: "Feb 23, 2025 09:46 UTC".
std::string format_short_date(std::int64_t unix_seconds);
// kubeadm's residual time (apimachinery duration.ShortHumanDuration):
// "<invalid>" below -1s, "0s" for -1s..0s (clock skew), else "59s", "59m",
// "23h", "354d" (< 365d), "9y".
std::string format_residual(std::int64_t seconds);

// Parses a duration: Go style ("720h", "1h30m", "90s") plus "d" (days) and
// "y" (365 days) units ("30d", "1y"). Nullopt when malformed or negative.
std::optional<std::int64_t> parse_duration(std::string_view text);
// A short human form: "3d 4h", "2h 5m", "40s", "-3d" (negative: ago).
std::string format_duration(std::int64_t seconds);

} // namespace kubecert::util
