#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <kubecert/sdk.hpp>

// A plugin's --<plugin>-<name> options, read through the host and checked in one place, so every
// plugin parses, bounds and names its options the same way.
namespace kubecert::util {

// Seconds of common bounds.
inline constexpr std::int64_t k_one_second = 1;
inline constexpr std::int64_t k_one_hour = 3600;
inline constexpr std::int64_t k_one_day = 24 * k_one_hour;

// The typed options of plugin `plugin` ("eks", ...): the host gives each option's value, or its
// declared default when the user gave none.
class PluginOptions {
public:
    PluginOptions(const sdk::Host& host, std::string_view plugin) : m_host(host), m_plugin(plugin) {}

    // The duration `name` in seconds, between `min_seconds` and `max_seconds`; nullopt when neither
    // the user nor the declaration gives it. Throws sdk::Error (KUBECERT_ERR_INVALID) naming
    // --<plugin>-<name> and the value when it is not a duration or out of bounds.
    std::optional<std::int64_t> duration(std::string_view name, std::int64_t min_seconds,
                                         std::int64_t max_seconds) const;

    // duration(), with `fallback_seconds` when the option has no value.
    std::int64_t duration_or(std::string_view name, std::int64_t min_seconds, std::int64_t max_seconds,
                             std::int64_t fallback_seconds) const;

    // The text of option `name`; nullopt when not given or empty (a path, an address, a binary).
    std::optional<std::string> text(std::string_view name) const;

    // The boolean option `name`: true when given without a value or as true, yes or 1.
    bool flag(std::string_view name) const { return m_host.flag(std::string(name)); }

    // "--<plugin>-<name>", as the user types it.
    std::string spelling(std::string_view name) const;

private:
    const sdk::Host& m_host;
    std::string m_plugin;
};

} // namespace kubecert::util
