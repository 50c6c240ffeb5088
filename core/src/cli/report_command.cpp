#include "cli/report_command.hpp"

#include <cstdio>
#include <ctime>
#include <optional>

#include <kubecert/util/time.hpp>

#include "cli/output.hpp"
#include "fleet/fleet.hpp"
#include "report/printable.hpp"

namespace kubecert::cli {

int run_report_command(const Options& o) {
    fleet::MergeSettings settings;
    if (o.now) {
        auto t = util::parse_rfc3339(*o.now);
        if (!t) throw UsageError("--now '" + *o.now + "' is not an RFC 3339 time (e.g. 2026-01-02T15:04:05Z)");
        settings.now = *t;
    } else {
        settings.now = static_cast<std::int64_t>(std::time(nullptr));
    }
    auto max_age = o.max_age == "0" ? std::optional<std::int64_t>(0) : util::parse_duration(o.max_age);
    if (!max_age) throw UsageError("--max-age '" + o.max_age + "' is not a duration (e.g. 24h, 2d; 0 for never)");
    settings.max_age = *max_age;

    fleet::Fleet fleet;
    fleet::read_sources({o.arguments.begin() + 1, o.arguments.end()}, fleet);
    fleet.finish();
    // Each unreadable report is also named on standard error, so a merge
    // whose output goes to a file still tells the person running it.
    for (const auto& u : fleet.unreadable())
        std::fprintf(stderr, "kubecert: error: %s: %s\n", report::printable(u.source).c_str(),
                     report::printable(u.reason).c_str());

    std::string out;
    if (o.format == "json")
        out = fleet::render_json(fleet, settings, KUBECERT_VERSION);
    else if (o.format == "junit")
        out = fleet::render_junit(fleet, settings);
    else if (o.format == "prometheus")
        out = fleet::render_prometheus(fleet, settings);
    else
        out = fleet::render_text(fleet, settings, KUBECERT_VERSION);
    if (auto st = write_output(o.output, out); !st) {
        std::fprintf(stderr, "kubecert: error: %s\n", st.error().message.c_str());
        return 3;
    }
    return fleet::exit_status(fleet, settings);
}

} // namespace kubecert::cli
