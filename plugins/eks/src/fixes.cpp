#include "fixes.hpp"

#include <algorithm>
#include <set>

#include <kubecert/formats/json_edit.hpp>
#include <kubecert/formats/kubelet_flags.hpp>
#include <kubecert/formats/yaml_edit.hpp>
#include <kubecert/kubelet/restart.hpp>
#include <kubecert/util/plugin_options.hpp>

#include "check_ids.hpp"
#include "findings.hpp"
#include "flag_edit.hpp"

namespace kubecert::eks {

namespace {

bool is_json_text(const std::string& text) {
    const size_t first = text.find_first_not_of(" \t\r\n");
    return first == std::string::npos || text[first] == '{';
}

// Sets a boolean at `path` of a KubeletConfiguration file, JSON or YAML, keeping the rest.
Edit set_config_bool(const std::string& file, const std::vector<std::string>& path, bool value) {
    std::string key;
    for (const auto& k : path) key += (key.empty() ? "" : ".") + k;
    return {file, 0, "set " + key + " to " + (value ? "true" : "false"), [file, path, value](const std::string& text) {
                if (is_json_text(text)) return formats::json_set(text, file, path, value);
                return formats::yaml_set_scalar(text, file, path, value ? "true" : "false");
            }};
}

// An edit of the entry holding `word` (its file and line), by `op` on that entry's range.
Edit edit_word(const ArgWord& word, const std::string& what,
               std::function<std::string(std::string_view, std::pair<size_t, size_t>)> op) {
    const WordOrigin o = word.origin;
    return {o.file, o.line, what, [o, op](const std::string& text) {
                int line = o.line;
                if (line <= 0) throw sdk::Error(KUBECERT_ERR_FAILED, "cannot locate the entry in " + o.file);
                auto range = entry_range(text, line);
                if (range.first == std::string_view::npos)
                    throw sdk::Error(KUBECERT_ERR_FAILED, o.describe() + ": the line is gone");
                return op(text, range);
            }};
}

// The config document a field's new value goes to: the last drop-in that sets
// it (it wins over the file), else the --config file; nullptr when neither.
const ConfigDoc* config_target(const KubeletSources& s, const Setting& st) {
    for (auto it = st.layers.rbegin(); it != st.layers.rend(); ++it)
        if (it->rank == Rank::config_dropin)
            for (const auto& d : s.dropins)
                if (d.path == it->source) return &d;
    return s.config ? &*s.config : nullptr;
}

// The unit's ExecStart entry, to append a flag to when no config file exists.
std::optional<ArgWord> exec_anchor(const KubeletSources& s) {
    if (!s.unit) return std::nullopt;
    for (const auto& a : s.unit->args)
        if (a.origin.variable.empty() && !a.origin.file.empty()) return a;
    return std::nullopt;
}

std::string only_process_blocker(const KubeletSources& s, const std::string& what) {
    return what + " is on the running kubelet's command line (" + (s.process ? s.process->source : "") +
           ") and no kubelet.service or drop-in that kubecert found sets it, so it cannot be edited (a process "
           "cannot be changed): change whatever starts the kubelet, then restart it.";
}

// Edits that flip `--flag=false` to true wherever the unit sets it.
void flip_false_flags(const KubeletSources& s, const std::string& flag, Plan& plan) {
    bool on_process = false;
    if (s.process)
        for (const auto& h : find_flags(*s.process, flag))
            if (h.value && formats::parse_go_bool(*h.value) == false) on_process = true;
    bool on_unit = false;
    if (s.unit)
        for (const auto& h : find_flags(*s.unit, flag))
            if (h.value && formats::parse_go_bool(*h.value) == false) {
                on_unit = true;
                plan.edits.push_back(edit_word(
                    s.unit->args[h.index], "set --" + flag + "=true",
                    [flag](std::string_view t, std::pair<size_t, size_t> r) { return set_flag(t, r, flag, "true"); }));
            }
    if (on_process && !on_unit) {
        if (s.unit)
            plan.restart_only = true; // the unit no longer says it: the running kubelet is stale
        else
            plan.blocker = only_process_blocker(s, "--" + flag + "=false");
    }
}

// Brings a boolean config field to true where it wins, and flips false flags.
Plan plan_bool_field(const KubeletSources& s, const std::vector<std::string>& path, const std::string& flag,
                     bool only_when_set_false) {
    Plan plan;
    const Setting st = resolve_field(s, path, flag);
    bool config_says_false = false;
    for (const auto& l : st.layers)
        if (l.rank != Rank::flag && l.value == false) config_says_false = true;
    if (const ConfigDoc* doc = config_target(s, st)) {
        if (!only_when_set_false || config_says_false) plan.edits.push_back(set_config_bool(doc->path, path, true));
    } else if (!only_when_set_false && st.effective_bool() != true) {
        bool flag_on_unit = s.unit && !find_flags(*s.unit, flag).empty();
        if (!flag_on_unit) {
            if (auto anchor = exec_anchor(s))
                plan.edits.push_back(edit_word(*anchor, "add --" + flag + "=true",
                                               [flag](std::string_view t, std::pair<size_t, size_t> r) {
                                                   return append_flag(t, r, "--" + flag + "=true");
                                               }));
            else
                plan.blocker = "no kubelet config file and no kubelet.service ExecStart to add --" + flag + "=true to";
        }
    }
    flip_false_flags(s, flag, plan);
    return plan;
}

} // namespace

Plan plan_rotate_server_cert(const KubeletSources& s) {
    Plan plan;
    const Setting gate = resolve_feature_gate(s, k_gate);
    if (gate.effective_bool() != true) {
        if (const ConfigDoc* doc = config_target(s, gate)) {
            plan.edits.push_back(set_config_bool(doc->path, {"featureGates", k_gate}, true));
        } else if (auto anchor = exec_anchor(s)) {
            plan.edits.push_back(edit_word(*anchor, "add --feature-gates=RotateKubeletServerCertificate=true",
                                           [](std::string_view t, std::pair<size_t, size_t> r) {
                                               return append_flag(
                                                   t, r, "--feature-gates=RotateKubeletServerCertificate=true");
                                           }));
        } else {
            plan.blocker = "no kubelet config file and no kubelet.service ExecStart to set the gate in";
        }
    }
    // A false among the command-line gates, and the bogus flag, wherever the unit has them.
    bool process_only = false;
    if (s.unit) {
        for (const auto& h : find_flags(*s.unit, "feature-gates")) {
            const ArgWord& word = s.unit->args[h.index];
            const auto gates = formats::parse_feature_gates(h.value.value_or(""), word.origin.describe());
            if (auto g = gates.find(k_gate); g == gates.end() || g->second) continue;
            plan.edits.push_back(edit_word(
                s.unit->args[h.index], "remove RotateKubeletServerCertificate=false from --feature-gates",
                [](std::string_view t, std::pair<size_t, size_t> r) { return drop_false_feature_gate(t, r, k_gate); }));
        }
        for (const auto& h : find_flags(*s.unit, k_bogus_flag))
            plan.edits.push_back(edit_word(
                s.unit->args[h.index], "remove --rotate-kubelet-server-certificate (not a kubelet flag)",
                [](std::string_view t, std::pair<size_t, size_t> r) { return remove_flag(t, r, k_bogus_flag); }));
    } else if (s.process) {
        process_only = !find_flags(*s.process, k_bogus_flag).empty();
        for (const auto& h : find_flags(*s.process, "feature-gates"))
            if (h.value && h.value->find(k_gate + std::string("=f")) != std::string::npos) process_only = true;
    }
    if (process_only) plan.blocker = only_process_blocker(s, "--rotate-kubelet-server-certificate or a false gate");
    if (s.unit && s.process && !find_flags(*s.process, k_bogus_flag).empty() &&
        find_flags(*s.unit, k_bogus_flag).empty())
        plan.restart_only = true; // the unit no longer has it: the running kubelet is stale
    return plan;
}

Plan plan_server_tls_bootstrap(const KubeletSources& s) {
    return plan_bool_field(s, {"serverTLSBootstrap"}, "rotate-server-certificates", false);
}

Plan plan_rotate_client_cert(const KubeletSources& s) {
    // Only called when the kubelet authenticates with a client certificate that does not rotate:
    // rotateCertificates must end up true, also where no source sets it (the default is false).
    return plan_bool_field(s, {"rotateCertificates"}, "rotate-certificates", false);
}

std::map<std::string, Plan> plan_fixes(const Facts& facts, const std::vector<sdk::Finding>& findings) {
    std::map<std::string, Plan> plans;
    for (const auto& f : findings) {
        if (f.status != sdk::Status::fail && f.status != sdk::Status::warn) continue;
        if (f.id == k_configz) {
            if (f.status == sdk::Status::fail &&
                configz_differs(facts.configz, facts.sources ? &*facts.sources : nullptr)) {
                Plan restart;
                restart.restart_only = true;
                plans[f.id] = restart;
            }
            continue;
        }
        if (!facts.sources) continue;
        if (f.id == k_rotate_server_cert)
            plans[f.id] = plan_rotate_server_cert(*facts.sources);
        else if (f.id == k_server_tls_bootstrap)
            plans[f.id] = plan_server_tls_bootstrap(*facts.sources);
        else if (f.id == k_rotate_client_cert)
            plans[f.id] = plan_rotate_client_cert(*facts.sources);
    }
    return plans;
}

void offer_fixes(std::vector<sdk::Finding>& findings, const std::map<std::string, Plan>& plans, const Facts& facts) {
    for (auto& f : findings) {
        const auto plan = plans.find(f.id);
        if (plan == plans.end()) continue;
        f.fixable = plan->second.possible();
        if (f.id == k_configz) continue;
        if (!plan->second.blocker.empty()) f.remediation += "\nNot fixed automatically: " + plan->second.blocker;
        if (facts.sources && is_nodeadm(*facts.sources))
            f.remediation +=
                "\nThis is an AL2023 node: nodeadm rewrites /etc/kubernetes/kubelet/config.json and its "
                "config.json.d/40-nodeadm.conf drop-in from the NodeConfig in the instance's user data at every "
                "boot, so an edit here (kubecert's fix included) lasts until the next reboot. Make the lasting "
                "change in the NodeConfig (spec.kubelet.config, or spec.kubelet.flags) of the launch template.";
    }
}

namespace {

// What writing the planned edits did: whether the kubelet must restart, and the finding the
// restart is recorded under.
struct Written {
    bool restart = false;
    std::string first_id;
};

// Writes the edits of the plans of `ids`, grouped by file, each file's edits applied bottom-up so
// that a line one edit removes does not shift the line another edit targets.
Written write_planned_edits(const sdk::Host& host, const std::vector<std::string>& ids,
                            const std::map<std::string, Plan>& plans) {
    struct Pending {
        std::string finding;
        const Edit* edit;
    };
    Written written;
    std::vector<std::string> order;
    std::map<std::string, std::vector<Pending>> by_file;
    for (const auto& id : ids) {
        auto it = plans.find(id);
        if (it == plans.end() || !it->second.possible()) continue;
        if (written.first_id.empty()) written.first_id = id;
        if (it->second.restart_only) written.restart = true;
        for (const auto& e : it->second.edits) {
            if (!by_file.count(e.path)) order.push_back(e.path);
            by_file[e.path].push_back({id, &e});
        }
    }
    for (const auto& path : order) {
        auto& edits = by_file[path];
        std::stable_sort(edits.begin(), edits.end(),
                         [](const Pending& a, const Pending& b) { return a.edit->line > b.edit->line; });
        auto text = host.read_file(path);
        if (!text) throw sdk::Error(KUBECERT_ERR_NOT_FOUND, path + " disappeared since the audit");
        std::string updated = *text;
        for (const auto& p : edits) {
            std::string next = p.edit->apply(updated);
            if (next != updated) host.info(p.finding + ": " + path + ": " + p.edit->what);
            updated = std::move(next);
        }
        if (updated == *text) continue;
        host.begin_action(edits.front().finding);
        host.write_file(path, updated);
        written.restart = true;
    }
    return written;
}

// Restarts the kubelet on the new files; one that does not come back is rolled back and restarted
// on the previous files, and the fix fails.
void restart_or_roll_back(const sdk::Host& host, const std::string& finding) {
    const auto timeout =
        util::PluginOptions(host, "eks").duration_or("restart-timeout", util::k_one_second, util::k_one_day, 30);
    host.begin_action(finding);
    const std::string failure = kubelet::restart_systemd_kubelet(host, timeout);
    if (failure.empty()) return;
    host.warn(failure + ": restoring the previous files and restarting the kubelet with them");
    host.rollback();
    const std::string again = kubelet::restart_systemd_kubelet(host, 1);
    throw sdk::Error(KUBECERT_ERR_FAILED,
                     failure + "; the changes were rolled back" +
                         (again.empty() ? std::string(" and the kubelet restarted with the previous files")
                                        : "; restarting with the previous files also failed: " + again));
}

} // namespace

void apply_fix(const sdk::Host& host, const std::vector<std::string>& ids, const std::map<std::string, Plan>& plans) {
    const Written written = write_planned_edits(host, ids, plans);
    if (!written.restart || host.no_restart()) {
        if (written.restart) host.warn("--no-restart: the kubelet keeps its old settings until it is restarted");
        return;
    }
    // The kubelet of the machine running kubecert is not this node's: no restart is planned.
    if (const auto live = host.live_system(); !live.live) {
        host.info("not the running system (" + live.reason +
                  "): the kubelet is not restarted; it reads the changed files when the node next starts it");
        return;
    }
    restart_or_roll_back(host, written.first_id);
}

} // namespace kubecert::eks
