// ActionLog: report actions derived from the transaction's records and the commands that ran.
#include "app/action_log.hpp"

#include <algorithm>
#include <cstdlib>
#include <string_view>

namespace kubecert::app {

namespace {

constexpr std::string_view k_ran = "ran ";

report::ActionStatus edit_status(const host::EditRecord& record, bool dry_run) {
    if (dry_run) return report::ActionStatus::planned;
    if (record.rolled_back) return report::ActionStatus::rolled_back;
    return record.applied ? report::ActionStatus::applied : report::ActionStatus::failed;
}

report::Action edit_action(const report::Action& attribution, const host::EditRecord& record,
                           const host::Transaction& transaction) {
    report::Action a = attribution;
    a.kind = report::ActionKind::edit;
    a.target = record.node_path;
    a.status = edit_status(record, transaction.dry_run());
    if (record.parked) {
        a.detail = "moved into " + transaction.backup_dir() + "/parked until put back";
    } else {
        a.backup = record.backup_path;
        a.detail = record.diff;
    }
    return a;
}

} // namespace

void ActionLog::note_edit(std::uint64_t record_id, const std::string& finding, const std::string& plugin) {
    const bool listed =
        std::any_of(m_entries.begin(), m_entries.end(), [&](const Entry& e) { return e.record_id == record_id; });
    if (listed) return;
    Entry e;
    e.record_id = record_id;
    e.action.finding = finding;
    e.action.plugin = plugin;
    m_entries.push_back(std::move(e));
}

void ActionLog::add_command(report::Action action) {
    action.kind = report::ActionKind::command;
    m_entries.push_back({0, std::move(action)});
}

void ActionLog::add_request(report::Action action) {
    action.kind = report::ActionKind::request;
    m_entries.push_back({0, std::move(action)});
}

void ActionLog::add_poll(const std::string& finding, const std::string& plugin, const std::string& line,
                         const std::string& answer) {
    int count = 1;
    if (m_poll_open && !m_entries.empty()) {
        const auto& last = m_entries.back();
        if (last.record_id == 0 && last.action.target == line && last.action.plugin == plugin &&
            last.action.detail.rfind(k_ran, 0) == 0) {
            count = std::atoi(last.action.detail.c_str() + k_ran.size()) + 1;
            m_entries.pop_back();
        }
    }
    report::Action a;
    a.finding = finding;
    a.plugin = plugin;
    a.target = line;
    a.status = report::ActionStatus::applied;
    a.detail = std::string(k_ran) + std::to_string(count) + (count == 1 ? " time" : " times") + ", last " + answer;
    add_command(std::move(a));
    m_poll_open = true;
}

std::vector<report::Action> ActionLog::derive(const host::Transaction* transaction) const {
    std::vector<report::Action> actions;
    for (const auto& e : m_entries) {
        if (e.record_id == 0) {
            actions.push_back(e.action);
            continue;
        }
        const host::EditRecord* record = transaction ? transaction->record(e.record_id) : nullptr;
        if (record) actions.push_back(edit_action(e.action, *record, *transaction));
    }
    return actions;
}

} // namespace kubecert::app
