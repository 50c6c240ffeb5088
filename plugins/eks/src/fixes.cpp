#include "fix.hpp"

#include <algorithm>
#include <set>

#include <kubecert/formats/json_edit.hpp>
#include <kubecert/formats/kubelet_flags.hpp>
#include <kubecert/formats/yaml_edit.hpp>
#include <kubecert/util/time.hpp>

#include "checks.hpp"
#include "flag_edit.hpp"
#include "kubelet_settings.hpp"

namespace kubecert::eks {

namespace {

constexpr std::uint32_t k_command_timeout_ms = 60'000;
// Polls (one second apart) a restarted kubelet must stay active after it first is.
constexpr int k_settle_polls = 3;

bool is_json_text(const std::string& text) {
    const size_t first = text.find_first_not_of(" \t\r\n");
    return first == std::string::npos || text[first] == '{';
}

// Sets a boolean at `path` of a KubeletConfiguration file, JSON or YAML, keeping the rest.
Edit set_config_bool(const std::string& file, const std::vector<std::string>& path, bool value) {
    std::string key;
    for (const auto& k : path)
        key += (key.empty() ? "" : ".") + k;
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

bool command_ok(const sdk::CommandResult& r) {
    return r.ok();
}

std::string command_error(const std::string& what, const sdk::CommandResult& r) {
    std::string s = what + (r.timed_out ? " timed out" : " exited with " + std::to_string(r.exit_code));
    if (!r.err.empty())
        s += ": " + r.err.substr(0, 500);
    else if (!r.out.empty())
        s += ": " + r.out.substr(0, 500);
    return s;
}

// Restarts the kubelet; returns "" when it is active again, else why not.
std::string restart_kubelet(const sdk::Host& host, int tries) {
    auto reload = host.run({"systemctl", "daemon-reload"}, k_command_timeout_ms);
    if (!command_ok(reload)) return command_error("systemctl daemon-reload", reload);
    auto restart = host.run({"systemctl", "restart", "kubelet"}, k_command_timeout_ms);
    if (!command_ok(restart)) return command_error("systemctl restart kubelet", restart);
    if (restart.dry_run) {
        // Listed as a planned step of the restart (not run under --dry-run).
        host.run({"systemctl", "is-active", "kubelet"}, 10'000);
        return "";
    }
    // systemd says `active` as soon as it has started the process of a Type=simple unit, before a
    // kubelet that rejects its configuration exits: it must also stay active for k_settle_polls
    // more polls, one second apart (a restart loop shows `activating` in between).
    std::string state;
    bool was_active = false;
    int streak = 0;
    for (int i = 0; i < tries + k_settle_polls; ++i) {
        auto r = host.run({"systemctl", "is-active", "kubelet"}, 10'000, KUBECERT_CMD_READ_ONLY);
        state = r.out;
        while (!state.empty() && (state.back() == '\n' || state.back() == '\r' || state.back() == ' '))
            state.pop_back();
        if (state == "active") {
            was_active = true;
            if (++streak > k_settle_polls) return "";
        } else {
            streak = 0;
            if (i + 1 >= tries) break;
        }
        host.sleep_ms(1000);
    }
    return std::string(was_active ? "the kubelet did not stay active " : "the kubelet is not active ") +
           std::to_string(tries) +
           "s after the restart (systemctl is-active: " + (state.empty() ? "no answer" : state) + ")";
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

void apply_fix(const sdk::Host& host, const std::vector<std::string>& ids, const std::map<std::string, Plan>& plans) {
    // Group edits by file and apply each file's edits bottom-up, so that a line
    // one edit removes does not shift the line another edit targets.
    struct Pending {
        std::string finding;
        const Edit* edit;
    };
    std::vector<std::string> order;
    std::map<std::string, std::vector<Pending>> by_file;
    bool restart = false;
    std::string first_id;
    for (const auto& id : ids) {
        auto it = plans.find(id);
        if (it == plans.end() || !it->second.possible()) continue;
        if (first_id.empty()) first_id = id;
        if (it->second.restart_only) restart = true;
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
        restart = true;
    }
    if (!restart || host.no_restart()) {
        if (restart) host.warn("--no-restart: the kubelet keeps its old settings until it is restarted");
        return;
    }
    // The kubelet of the machine running kubecert is not this node's: no restart is planned.
    if (const auto live = host.live_system(); !live.live) {
        host.info("not the running system (" + live.reason +
                  "): the kubelet is not restarted; it reads the changed files when the node next starts it");
        return;
    }
    const std::string timeout_text = host.option("restart-timeout").value_or("30s");
    const auto timeout = util::parse_duration(timeout_text);
    if (!timeout || *timeout < 1)
        throw sdk::Error(KUBECERT_ERR_INVALID,
                         "--eks-restart-timeout " + timeout_text + " is not a duration such as 30s");
    host.begin_action(first_id);
    const std::string failure = restart_kubelet(host, static_cast<int>(std::min<std::int64_t>(*timeout, 3600)));
    if (failure.empty()) return;
    host.warn(failure + ": restoring the previous files and restarting the kubelet with them");
    host.rollback();
    const std::string again = restart_kubelet(host, 1);
    throw sdk::Error(KUBECERT_ERR_FAILED,
                     failure + "; the changes were rolled back" +
                         (again.empty() ? std::string(" and the kubelet restarted with the previous files")
                                        : "; restarting with the previous files also failed: " + again));
}

} // namespace kubecert::eks
