#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "fleet/report_digest.hpp"

namespace kubecert::fleet {

// A report that could not be read or is not a kubecert report.
struct Unreadable {
    std::string source;
    std::string reason; // one line
};

// How the fleet view judges the reports.
struct MergeSettings {
    std::int64_t now = 0;     // the instant days left and ages are counted from
    std::int64_t max_age = 0; // a report older than this is stale (0: none is)
};

// The fleet view: one digest per node (the newest report when a node sent
// several), the reports that could not be read, and the counts.
class Fleet {
public:
    // Adds one report's digest; a second report of the same node name keeps
    // the newer one (by generated_at) and counts the other as superseded.
    void add(NodeDigest digest);
    // Counts and names a report that could not be read.
    void add_unreadable(std::string source, std::string reason);
    // Sorts the nodes by their soonest expiring certificate (nodes without a
    // certificate last; ties: the worse status first, then the name) and the
    // unreadable reports by source. Call once, after the last add.
    void finish();

    const std::vector<NodeDigest>& nodes() const { return m_nodes; }
    const std::vector<Unreadable>& unreadable() const { return m_unreadable; }
    int reports() const { return m_reports; }
    int superseded() const { return m_superseded; }

private:
    std::vector<NodeDigest> m_nodes;
    std::unordered_map<std::string, std::size_t> m_by_name;
    std::vector<Unreadable> m_unreadable;
    int m_reports = 0;
    int m_superseded = 0;
};

// Reads every source into `fleet` (the files on a few threads, added in the
// order given): a file, a folder (every *.json file below
// it, in name order) or "-" (standard input, one or more reports one after
// another). A missing, unreadable or malformed report is added as unreadable
// and the merge goes on; it never throws for a report's content.
void read_sources(const std::vector<std::string>& sources, Fleet& fleet);

// Whether `node`'s report is older than the settings allow.
bool is_stale(const NodeDigest& node, const MergeSettings& settings);

// Exit status over the whole fleet, like `audit` on one node: 3 when a
// report is unreadable or stale, a node has an ERROR (finding or run
// error), or there is no report at all; else 1 when a node has a FAIL; else 0.
int exit_status(const Fleet& fleet, const MergeSettings& settings);

// The fleet view in each format (docs/fleet.schema.json for JSON).
std::string render_text(const Fleet& fleet, const MergeSettings& settings, const std::string& tool_version);
std::string render_json(const Fleet& fleet, const MergeSettings& settings, const std::string& tool_version);
std::string render_junit(const Fleet& fleet, const MergeSettings& settings);
std::string render_prometheus(const Fleet& fleet, const MergeSettings& settings);

} // namespace kubecert::fleet
