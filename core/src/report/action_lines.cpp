#include "report/action_lines.hpp"

namespace kubecert::report {

std::string action_lines(const Report& report, const std::string& plugin) {
    std::string out;
    for (const Action& a : report.actions) {
        if (a.plugin != plugin) continue;
        out += std::string(to_string(a.status)) + " " + to_string(a.kind) + ": " + a.target;
        if (!a.finding.empty()) out += " (for " + a.finding + ")";
        out += '\n';
    }
    if (out.empty()) return out;
    return (report.dry_run ? "actions (dry run, nothing changed):\n" : "actions:\n") + out;
}

} // namespace kubecert::report
