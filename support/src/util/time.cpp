#include <kubecert/util/time.hpp>

#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <limits>

namespace kubecert::util {

namespace {

constexpr std::int64_t k_minute = 60;
constexpr std::int64_t k_hour = 60 * k_minute;
constexpr std::int64_t k_day = 24 * k_hour;
constexpr std::int64_t k_year = 365 * k_day;

// 400 Gregorian years: the calendar repeats after them, so whole eras can be set aside and any
// 64-bit instant stays inside the years std::chrono can name.
constexpr std::int64_t k_days_per_era = 146097;
constexpr std::int64_t k_years_per_era = 400;

// Floor division, so that instants before 1970 land on the right day.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    const std::int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// Days since 1970-01-01 of a proleptic Gregorian date (no time zone or libc range limit involved).
std::int64_t days_from_civil(unsigned y, unsigned m, unsigned d) {
    const std::chrono::year_month_day date{std::chrono::year{static_cast<int>(y)}, std::chrono::month{m},
                                           std::chrono::day{d}};
    return std::chrono::sys_days{date}.time_since_epoch().count();
}

struct Civil {
    std::int64_t year;
    unsigned month;
    unsigned day;
    unsigned hour;
    unsigned minute;
    unsigned second;
};

// The date and time of day of unix seconds `t`.
Civil civil_from_unix(std::int64_t t) {
    // Floor division by parts: t - days * k_day could overflow for the earliest instants.
    std::int64_t days = t / k_day;
    std::int64_t rem = t % k_day;
    if (rem < 0) {
        rem += k_day;
        --days;
    }
    const std::int64_t era = floor_div(days, k_days_per_era);
    const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{days - era * k_days_per_era}}};
    return {static_cast<int>(date.year()) + era * k_years_per_era,
            static_cast<unsigned>(date.month()),
            static_cast<unsigned>(date.day()),
            static_cast<unsigned>(rem / k_hour),
            static_cast<unsigned>(rem % k_hour / k_minute),
            static_cast<unsigned>(rem % k_minute)};
}

unsigned days_in_month(unsigned y, unsigned m) {
    const std::chrono::year_month_day_last last{std::chrono::year{static_cast<int>(y)},
                                                std::chrono::month_day_last{std::chrono::month{m}}};
    return static_cast<unsigned>(last.day());
}

// Reads exactly `n` digits at `pos`, advancing it; false when they are not all digits.
bool read_digits(std::string_view text, size_t& pos, size_t n, unsigned& out) {
    if (pos + n > text.size()) return false;
    out = 0;
    for (size_t i = 0; i < n; ++i) {
        const char c = text[pos + i];
        if (c < '0' || c > '9') return false;
        out = out * 10 + static_cast<unsigned>(c - '0');
    }
    pos += n;
    return true;
}

bool expect(std::string_view text, size_t& pos, char c) {
    if (pos >= text.size() || text[pos] != c) return false;
    ++pos;
    return true;
}

// Seconds of one duration unit; 0 when the unit is not one we accept.
std::int64_t unit_seconds(std::string_view unit) {
    if (unit == "s") return 1;
    if (unit == "m") return k_minute;
    if (unit == "h") return k_hour;
    if (unit == "d") return k_day;
    if (unit == "y") return k_year;
    return 0;
}

} // namespace

std::optional<std::int64_t> parse_rfc3339(std::string_view text) {
    size_t pos = 0;
    unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!read_digits(text, pos, 4, year) || !expect(text, pos, '-') || !read_digits(text, pos, 2, month) ||
        !expect(text, pos, '-') || !read_digits(text, pos, 2, day))
        return std::nullopt;
    if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')) return std::nullopt;
    ++pos;
    if (!read_digits(text, pos, 2, hour) || !expect(text, pos, ':') || !read_digits(text, pos, 2, minute) ||
        !expect(text, pos, ':') || !read_digits(text, pos, 2, second))
        return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 || minute > 59 ||
        second > 60)
        return std::nullopt;
    // Fractions are allowed but below our one-second resolution.
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        const size_t start = pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
        if (pos == start) return std::nullopt;
    }
    std::int64_t offset = 0;
    if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
        ++pos;
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        const bool negative = text[pos] == '-';
        ++pos;
        unsigned oh = 0, om = 0;
        if (!read_digits(text, pos, 2, oh) || !expect(text, pos, ':') || !read_digits(text, pos, 2, om) || oh > 23 ||
            om > 59)
            return std::nullopt;
        offset = (negative ? -1 : 1) * (static_cast<std::int64_t>(oh) * k_hour + om * k_minute);
    } else {
        return std::nullopt;
    }
    if (pos != text.size()) return std::nullopt;
    // A leap second (":60") counts as the first second of the next minute.
    return days_from_civil(year, month, day) * k_day + hour * k_hour + minute * k_minute + second - offset;
}

std::string format_rfc3339(std::int64_t unix_seconds) {
    const Civil c = civil_from_unix(unix_seconds);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02u:%02u:%02uZ", static_cast<long long>(c.year), c.month, c.day,
                  c.hour, c.minute, c.second);
    return buf;
}

std::string format_short_date(std::int64_t unix_seconds) {
    static constexpr std::array<const char*, 12> k_months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const Civil c = civil_from_unix(unix_seconds);
    char buf[64];
    // Go layout "Jan 02, 2006 15:04 MST" in UTC.
    std::snprintf(buf, sizeof buf, "%s %02u, %04lld %02u:%02u UTC", k_months[c.month - 1], c.day,
                  static_cast<long long>(c.year), c.hour, c.minute);
    return buf;
}

std::string format_residual(std::int64_t seconds) {
    // k8s.io/apimachinery/pkg/util/duration.ShortHumanDuration, which kubeadm
    // certs check-expiration prints: up to one second in the past is still
    // "0s" (clock skew), further in the past "<invalid>".
    if (seconds < -1) return "<invalid>";
    if (seconds < 0) return "0s";
    if (seconds < k_minute) return std::to_string(seconds) + "s";
    if (seconds < k_hour) return std::to_string(seconds / k_minute) + "m";
    if (seconds < k_day) return std::to_string(seconds / k_hour) + "h";
    if (seconds < k_year) return std::to_string(seconds / k_day) + "d";
    return std::to_string(seconds / k_year) + "y";
}

std::optional<std::int64_t> parse_duration(std::string_view text) {
    if (text == "0") return 0;
    if (text.empty()) return std::nullopt;
    // Decimal arithmetic in nanoseconds would overflow for years; a long
    // double keeps fractions like "1.5h" exact enough at second resolution.
    long double total = 0;
    size_t pos = 0;
    while (pos < text.size()) {
        const size_t start = pos;
        while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
        const size_t int_end = pos;
        size_t frac_end = pos;
        if (pos < text.size() && text[pos] == '.') {
            ++pos;
            while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
            frac_end = pos;
        }
        if (int_end == start && frac_end <= int_end + 1) return std::nullopt; // no digits at all
        const size_t unit_start = pos;
        while (pos < text.size() && std::isalpha(static_cast<unsigned char>(text[pos]))) ++pos;
        const std::int64_t unit = unit_seconds(text.substr(unit_start, pos - unit_start));
        if (unit == 0) return std::nullopt;
        long double number = 0;
        for (size_t i = start; i < int_end; ++i) number = number * 10 + (text[i] - '0');
        long double scale = 0.1L;
        for (size_t i = int_end + 1; i < frac_end; ++i, scale /= 10) number += (text[i] - '0') * scale;
        total += number * static_cast<long double>(unit);
        if (total > static_cast<long double>(std::numeric_limits<std::int64_t>::max() / 2)) return std::nullopt;
    }
    return static_cast<std::int64_t>(total + 0.5L);
}

std::string format_duration(std::int64_t seconds) {
    if (seconds < 0) {
        // Avoid negating INT64_MIN.
        if (seconds == std::numeric_limits<std::int64_t>::min()) seconds += 1;
        return "-" + format_duration(-seconds);
    }
    // The two most significant adjacent units: enough to act on, short to read.
    static constexpr std::array<std::pair<std::int64_t, const char*>, 4> k_units{
        {{k_day, "d"}, {k_hour, "h"}, {k_minute, "m"}, {1, "s"}}};
    for (size_t i = 0; i < k_units.size(); ++i) {
        const auto [size, name] = k_units[i];
        if (seconds < size && i + 1 < k_units.size()) continue;
        std::string out = std::to_string(seconds / size) + name;
        if (i + 1 < k_units.size()) {
            const auto [next_size, next_name] = k_units[i + 1];
            const std::int64_t next = seconds % size / next_size;
            if (next > 0) out += " " + std::to_string(next) + next_name;
        }
        return out;
    }
    return "0s";
}

} // namespace kubecert::util
