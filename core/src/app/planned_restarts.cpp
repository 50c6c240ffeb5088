#include "app/planned_restarts.hpp"

#include <set>

namespace kubecert::app {

namespace {

std::string base_name(const std::string& path) {
    return path.substr(path.find_last_of('/') + 1);
}

} // namespace

std::vector<std::string> restarted_by(const std::vector<std::string>& argv) {
    if (argv.size() < 3) return {};
    const std::string tool = base_name(argv[0]);
    static const std::set<std::string> systemctl_verbs = {"restart", "try-restart", "reload-or-restart",
                                                          "try-reload-or-restart"};
    std::vector<std::string> names;
    if (tool == "systemctl" && systemctl_verbs.count(argv[1])) {
        for (size_t i = 2; i < argv.size(); ++i) {
            if (argv[i].empty() || argv[i][0] == '-') continue;
            std::string unit = argv[i];
            if (unit.size() > 8 && unit.ends_with(".service")) unit.resize(unit.size() - 8);
            names.push_back(unit);
        }
    } else if ((tool == "docker" || tool == "crictl" || tool == "nerdctl") && argv[1] == "restart") {
        for (size_t i = 2; i < argv.size(); ++i)
            if (!argv[i].empty() && argv[i][0] != '-') names.push_back(argv[i]);
    }
    return names;
}

} // namespace kubecert::app
