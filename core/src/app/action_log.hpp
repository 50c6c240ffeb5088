// ActionLog: the order in which a run's actions happened and whom each is
// for. Commands are recorded here as they run; an edit is only a reference to
// the transaction's record, so its target, diff, backup and status (planned,
// applied, rolled back) are read from the transaction once, in derive().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host/transaction.hpp"
#include "report/model.hpp"

namespace kubecert::app {

class ActionLog {
public:
    // The transaction's record `record_id` changed, for `finding` of `plugin`
    // (listed once, where it first changed).
    void note_edit(std::uint64_t record_id, const std::string& finding, const std::string& plugin);
    // A command that ran, failed or was planned.
    void add_command(report::Action action);
    // A request to the cluster's API that was sent, failed or was planned.
    void add_request(report::Action action);
    // One poll of a fix's wait (`line` answered `answer`): further polls of the same
    // command, while the wait is open, add to its count instead of a line each.
    void add_poll(const std::string& finding, const std::string& plugin, const std::string& line,
                  const std::string& answer);
    // The next poll starts another wait (a file was put back in between).
    void close_poll() { m_poll_open = false; }

    // The report's actions in the order they happened; edits as `transaction`
    // records them (null: there was no fix, so there are no edits).
    std::vector<report::Action> derive(const host::Transaction* transaction) const;

private:
    struct Entry {
        std::uint64_t record_id = 0; // an edit when not 0
        report::Action action;       // a command, or the edit's finding and plugin
    };
    std::vector<Entry> m_entries;
    bool m_poll_open = false;
};

} // namespace kubecert::app
