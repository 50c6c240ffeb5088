#include <algorithm>
#include <map>
#include <string_view>

#include "report/printable.hpp"
#include "report/writers.hpp"

namespace kubecert::report {
namespace {

// Lines under a finding start below the ID column, so the eye can run down
// the STATUS column undisturbed.
constexpr std::size_t k_status_width = 6; // "STATUS"; "ERROR" is 5
constexpr std::string_view k_column_gap = "  ";
constexpr std::size_t k_detail_indent = k_status_width + 2;
// Remediation text is wrapped so it stays readable in an 80-100 column terminal.
constexpr std::size_t k_wrap_width = 100;

// The ANSI colour of a status word: red for what needs action, green for what holds.
const char* color_of(FindingStatus s) {
    switch (s) {
    case FindingStatus::pass: return "\x1b[32m";
    case FindingStatus::fail: return "\x1b[31m";
    case FindingStatus::warn: return "\x1b[33m";
    case FindingStatus::info: return "\x1b[36m";
    case FindingStatus::error: return "\x1b[1;31m";
    }
    return "";
}
constexpr std::string_view k_reset = "\x1b[0m";

// Pads a cell of `used` visible characters to `width` (escape codes do not count).
void pad(std::string& out, std::size_t width, std::size_t used) {
    if (used < width) out.append(width - used, ' ');
}

// Appends `text` word-wrapped at k_wrap_width, the first line after `first_prefix`,
// the next ones after `indent` spaces; newlines in `text` start new lines.
void append_wrapped(std::string& out, std::string_view first_prefix, std::size_t indent, std::string_view text) {
    // A trailing newline would leave an indented blank line behind.
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    out += first_prefix;
    std::size_t column = first_prefix.size();
    bool line_empty = true;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const std::size_t end = std::min(text.find_first_of(" \n", pos), text.size());
        const std::string_view word = text.substr(pos, end - pos);
        if (!word.empty()) {
            if (!line_empty && column + 1 + word.size() > k_wrap_width) {
                out += '\n';
                out.append(indent, ' ');
                column = indent;
                line_empty = true;
            }
            if (!line_empty) {
                out += ' ';
                ++column;
            }
            out += word;
            column += word.size();
            line_empty = false;
        }
        if (end < text.size() && text[end] == '\n') {
            out += '\n';
            out.append(indent, ' ');
            column = indent;
            line_empty = true;
        }
        pos = end + 1;
    }
    out += '\n';
}

void append_evidence(std::string& out, const Evidence& e) {
    out.append(k_detail_indent, ' ');
    out += evidence_line(e);
    out += '\n';
}

// The STATUS cell, coloured when asked, padded as if it were not.
void append_status(std::string& out, FindingStatus s, const TextOptions& options) {
    const std::string_view word = to_string(s);
    if (options.color) out += color_of(s);
    out += word;
    if (options.color) out += k_reset;
    pad(out, k_status_width, word.size());
}

// Remediations already printed in full, so a second finding with the same one only points at the first.
using SeenRemediations = std::map<std::string, std::string>; // remediation -> id of the first finding

// Whether the details (evidence, benchmark, remediation) of `f` are shown:
// always for FAIL and ERROR, for WARN with -v, never for PASS and INFO.
bool shows_details(const Finding& f, const TextOptions& options) {
    return f.status == FindingStatus::fail || f.status == FindingStatus::error ||
           (f.status == FindingStatus::warn && options.verbose);
}

// "[plugin]" and its STATUS/ID/RESULT table, with the details of what needs attention.
void append_plugin_table(std::string& out, const std::string& plugin, const std::vector<Finding>& findings,
                         const TextOptions& options, SeenRemediations& seen) {
    out += '[';
    out += plugin;
    out += "]\n";
    std::size_t id_width = 2; // "ID"
    std::size_t count = 0;
    for (const Finding& f : findings) {
        if (f.plugin != plugin) continue;
        id_width = std::max(id_width, f.id.size());
        ++count;
    }
    if (count == 0) {
        out += "(no findings)\n";
        return;
    }
    out += "STATUS";
    out += k_column_gap;
    out += "ID";
    pad(out, id_width, 2);
    out += k_column_gap;
    out += "RESULT\n";
    for (const Finding& f : findings) {
        if (f.plugin != plugin) continue;
        append_status(out, f.status, options);
        out += k_column_gap;
        out += f.id;
        pad(out, id_width, f.id.size());
        out += k_column_gap;
        out += result_line(f);
        out += '\n';
        // PASS and INFO need no action, and a WARN's one line says enough unless asked,
        // so their details would only hide the ones that need action now.
        if (!shows_details(f, options)) continue;
        for (const Evidence& e : f.evidence) append_evidence(out, e);
        if (!f.benchmark.empty()) {
            out.append(k_detail_indent, ' ');
            out += "benchmark: ";
            out += f.benchmark;
            out += '\n';
        }
        if (!f.remediation.empty()) {
            const std::string prefix = std::string(k_detail_indent, ' ') + "remediation: ";
            const auto [first, inserted] = seen.emplace(f.remediation, f.id);
            if (inserted)
                append_wrapped(out, prefix, prefix.size(), f.remediation);
            else
                append_wrapped(out, prefix, prefix.size(), "the same as for " + first->second);
        }
    }
}

// One table per plugin, separated by a blank line.
void append_findings(std::string& out, const Report& report, const std::vector<Finding>& findings,
                     const TextOptions& options) {
    const std::vector<std::string> plugins = plugin_order(report, findings);
    SeenRemediations seen;
    for (std::size_t i = 0; i < plugins.size(); ++i) {
        if (i > 0) out += '\n';
        append_plugin_table(out, plugins[i], findings, options, seen);
    }
}

// What the fix did (or would do), one line per action, with its backup and detail.
void append_actions(std::string& out, const Report& report) {
    out += report.dry_run ? "\nactions (dry run, nothing changed):\n" : "\nactions:\n";
    if (report.actions.empty()) {
        out += "  (none: nothing to fix)\n";
        return;
    }
    constexpr std::size_t k_action_status_width = 11; // "rolled_back"
    constexpr std::size_t k_kind_width = 7;           // "command"
    for (const Action& a : report.actions) {
        const std::string_view status = to_string(a.status);
        const std::string_view kind = to_string(a.kind);
        out += "  ";
        out += status;
        pad(out, k_action_status_width, status.size());
        out += k_column_gap;
        out += kind;
        pad(out, k_kind_width, kind.size());
        out += k_column_gap;
        out += a.target;
        if (!a.finding.empty()) {
            out += "  (";
            out += a.finding;
            out += ')';
        }
        out += '\n';
        if (!a.backup.empty()) {
            out += "    backup: ";
            out += a.backup;
            out += '\n';
        }
        // The detail is a diff or a command's output: printed as is so it can
        // be copied or fed to patch(1).
        if (!a.detail.empty()) {
            out += a.detail;
            if (a.detail.back() != '\n') out += '\n';
        }
    }
}

// "summary: N PASS, N FAIL, N WARN, N INFO, N ERROR", the line scripts grep for.
void append_summary(std::string& out, const std::vector<Finding>& findings) {
    const Summary s = summarize(findings);
    out += "summary: ";
    out += std::to_string(s.pass);
    out += " PASS, ";
    out += std::to_string(s.fail);
    out += " FAIL, ";
    out += std::to_string(s.warn);
    out += " WARN, ";
    out += std::to_string(s.info);
    out += " INFO, ";
    out += std::to_string(s.error);
    out += " ERROR\n";
}

// The closing advice: where WARN details are, and the one command that fixes what is fixable.
void append_next_steps(std::string& out, const Report& report, const std::vector<Finding>& findings,
                       const TextOptions& options) {
    std::size_t fixable = 0;
    std::size_t hidden_warn = 0;
    for (const Finding& f : findings)
        if (f.status == FindingStatus::warn && !shows_details(f, options)) ++hidden_warn;
    if (hidden_warn > 0) {
        out += "\n(-v shows the evidence and remediation of the ";
        out += std::to_string(hidden_warn);
        out += hidden_warn == 1 ? " WARN finding)\n" : " WARN findings)\n";
    }
    if (options.fix_command.empty()) return;
    if (report.command == "fix") {
        // After a real fix there is nothing to suggest; a dry run suggests itself without --dry-run.
        if (!report.dry_run || report.actions.empty()) return;
    } else {
        fixable = 0;
        for (const Finding& f : report.findings)
            if (f.fixable && (f.status == FindingStatus::fail || f.status == FindingStatus::warn)) ++fixable;
        if (fixable == 0) return;
    }
    out += '\n';
    if (report.command == "fix") {
        out += "to apply these changes: ";
    } else {
        out += "to fix the ";
        out += std::to_string(fixable);
        out += fixable == 1 ? " fixable finding: " : " fixable findings: ";
    }
    if (options.color) out += "\x1b[1m";
    out += options.fix_command;
    if (options.color) out += k_reset;
    out += '\n';
}

} // namespace

std::string render_text(const Report& raw, const TextOptions& options) {
    const Report report = printable_copy(raw); // hostile bytes shown as \xNN, never raw
    std::string out;
    // Roughly one line per finding plus its details; avoids regrowth in the common case.
    out.reserve(256 + 160 * (report.findings.size() + report.after.size()) + 200 * report.actions.size());
    append_findings(out, report, report.findings, options);
    if (report.command == "fix" || !report.actions.empty()) append_actions(out, report);
    if (report.has_after) {
        // Under --dry-run the after-audit ran on the planned changes, not the node.
        out += report.dry_run ? "\nafter fix (dry-run preview, nothing changed):\n" : "\nafter fix:\n";
        append_findings(out, report, report.after, options);
    }
    append_next_steps(out, report, report.has_after ? report.after : report.findings, options);
    if (!report.errors.empty()) out += '\n';
    for (const std::string& e : report.errors) {
        if (options.color) out += "\x1b[1;31m";
        out += "error:";
        if (options.color) out += k_reset;
        out += ' ';
        out += e;
        out += '\n';
    }
    out += '\n';
    // The summary that decides the exit status: after a fix, the state it left.
    append_summary(out, report.has_after ? report.after : report.findings);
    return out;
}

} // namespace kubecert::report
