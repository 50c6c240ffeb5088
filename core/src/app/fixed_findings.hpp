// FixedFindings: the finding ids each plugin's fix() was handed in this run
// and returned success on, in a fix whose changes stand. The orchestrator
// fills it during the fix phase and hands it to the audit after the fix
// through that phase's PhaseContext; kubecert.run.v1 answers from it.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace kubecert::app {

class FixedFindings {
public:
    // `plugin`'s fix() was handed `ids` and returned success.
    void add(const std::string& plugin, const std::vector<std::string>& ids) {
        m_by_plugin[plugin].insert(ids.begin(), ids.end());
    }
    // Whether `plugin` fixed `id` in this run; the ids of another plugin are not its.
    bool contains(std::string_view plugin, std::string_view id) const {
        const auto ids = m_by_plugin.find(plugin);
        return ids != m_by_plugin.end() && ids->second.find(id) != ids->second.end();
    }

private:
    // Plugin names are unique in a run (the loader refuses two plugins of one name).
    std::map<std::string, std::set<std::string, std::less<>>, std::less<>> m_by_plugin;
};

} // namespace kubecert::app
