#include <kubecert/util/plugin_options.hpp>

#include <kubecert/util/time.hpp>

namespace kubecert::util {

std::string PluginOptions::spelling(std::string_view name) const {
    return "--" + m_plugin + "-" + std::string(name);
}

std::optional<std::string> PluginOptions::text(std::string_view name) const {
    auto value = m_host.option(std::string(name));
    if (value && value->empty()) return std::nullopt;
    return value;
}

std::optional<std::int64_t> PluginOptions::duration(std::string_view name, std::int64_t min_seconds,
                                                    std::int64_t max_seconds) const {
    const auto value = text(name);
    if (!value) return std::nullopt;
    const auto seconds = parse_duration(*value);
    if (!seconds || *seconds < min_seconds || *seconds > max_seconds)
        throw sdk::Error(KUBECERT_ERR_INVALID, spelling(name) + " \"" + *value + "\": not a duration between " +
                                                   format_duration(min_seconds) + " and " +
                                                   format_duration(max_seconds) + " (such as 30s, 2m, 1h)");
    return seconds;
}

std::int64_t PluginOptions::duration_or(std::string_view name, std::int64_t min_seconds, std::int64_t max_seconds,
                                        std::int64_t fallback_seconds) const {
    return duration(name, min_seconds, max_seconds).value_or(fallback_seconds);
}

} // namespace kubecert::util
