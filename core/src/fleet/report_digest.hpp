#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "report/model.hpp"
#include "util/result.hpp"

namespace kubecert::fleet {

// What the fleet view keeps of one certificate of a node.
struct CertificateDigest {
    std::string plugin;
    std::string name;
    std::int64_t not_after = 0;
    bool is_authority = false;
};

// What the fleet view keeps of one node's JSON report: a few hundred bytes
// whatever the report's size, so a merge's memory grows with the number of
// nodes and certificates, never with the size of the reports.
struct NodeDigest {
    // Checks kept by id per node; beyond it only the count (failing_total).
    static constexpr std::size_t k_max_failing_ids = 32;

    std::string source; // the file it was read from ("-" for standard input)
    std::string name;   // report.node.name; else the file's name without .json
    std::string flavor; // report.node.flavor; else the plugin names joined with "+"
    std::int64_t generated_at = 0;
    std::string command;
    bool dry_run = false;
    // Findings per status, indexed by report::FindingStatus, of the audit that
    // describes the node now: after a fix the after-audit, else the audit.
    std::array<int, 5> counts{};
    struct Failing {
        std::string id;
        report::FindingStatus status = report::FindingStatus::fail; // FAIL or ERROR
    };
    std::vector<Failing> failing; // the FAIL and ERROR findings, in report order (at most k_max_failing_ids)
    int failing_total = 0;
    int run_errors = 0; // report.errors
    std::vector<CertificateDigest> certificates;

    // The worst status of the node: ERROR (an ERROR finding or a run error),
    // FAIL, WARN, PASS, then INFO (nothing applicable).
    report::FindingStatus status() const;
    // The certificate expiring first, or nullptr when the report has none.
    const CertificateDigest* soonest() const {
        return soonest_index < certificates.size() ? &certificates[soonest_index] : nullptr;
    }
    // Index of soonest() in certificates (set by digest_report; size() or more: none).
    std::size_t soonest_index = static_cast<std::size_t>(-1);
};

// Reads one JSON report (`text`, from `source`) down to its digest. Errors
// (code parse) name the source and say what is wrong: not JSON, truncated,
// not a kubecert/report/v1 report, a missing or malformed field.
util::Result<NodeDigest> digest_report(std::string_view text, const std::string& source);

// Reads every JSON report of `in` (one, or several one after another as
// `cat a.json b.json` gives), calling `on_report` with the digest or the
// error of each. A malformed report ends the stream (nothing after it can be
// trusted to start a report); the error says so.
void digest_stream(std::istream& in, const std::string& source,
                   const std::function<void(util::Result<NodeDigest>)>& on_report);

// The status ranks used to sort and to pick the worst: INFO 0, PASS 1, WARN 2, FAIL 3, ERROR 4.
int severity(report::FindingStatus s);

} // namespace kubecert::fleet
