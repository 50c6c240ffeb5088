#include "report/model.hpp"

#include <algorithm>

namespace kubecert::report {

const char* to_string(FindingStatus s) {
    switch (s) {
    case FindingStatus::pass: return "PASS";
    case FindingStatus::fail: return "FAIL";
    case FindingStatus::warn: return "WARN";
    case FindingStatus::info: return "INFO";
    case FindingStatus::error: return "ERROR";
    }
    // An out-of-range value can only come from a cast; reporting it as ERROR
    // keeps the exit status honest instead of passing silently.
    return "ERROR";
}

const char* to_string(ActionKind k) {
    switch (k) {
    case ActionKind::edit: return "edit";
    case ActionKind::command: return "command";
    case ActionKind::request: return "request";
    }
    return "edit";
}

const char* to_string(ActionStatus s) {
    switch (s) {
    case ActionStatus::planned: return "planned";
    case ActionStatus::applied: return "applied";
    case ActionStatus::failed: return "failed";
    case ActionStatus::rolled_back: return "rolled_back";
    }
    return "failed";
}

Summary summarize(const std::vector<Finding>& findings) {
    Summary s;
    for (const Finding& f : findings) {
        switch (f.status) {
        case FindingStatus::pass: ++s.pass; break;
        case FindingStatus::fail: ++s.fail; break;
        case FindingStatus::warn: ++s.warn; break;
        case FindingStatus::info: ++s.info; break;
        case FindingStatus::error: ++s.error; break;
        }
    }
    return s;
}

std::vector<std::string> plugin_order(const Report& report, const std::vector<Finding>& findings) {
    std::vector<std::string> names;
    names.reserve(report.plugins.size());
    for (const PluginRef& p : report.plugins) {
        if (std::find(names.begin(), names.end(), p.name) == names.end()) names.push_back(p.name);
    }
    for (const Finding& f : findings) {
        if (std::find(names.begin(), names.end(), f.plugin) == names.end()) names.push_back(f.plugin);
    }
    return names;
}

namespace {
void append_one_line(std::string& out, const std::string& value) {
    std::size_t end = value.size();
    while (end > 0 && (value[end - 1] == '\n' || value[end - 1] == '\r')) --end;
    for (std::size_t i = 0; i < end; ++i) {
        if (value[i] == '\n')
            out += "\\n";
        else if (value[i] != '\r')
            out += value[i];
    }
}
} // namespace

std::string evidence_line(const Evidence& e) {
    std::string out;
    out.reserve(e.source.size() + e.key.size() + e.actual.size() + e.expected.size() + 20);
    if (!e.source.empty()) {
        out += e.source;
        out += ": ";
    }
    out += e.key;
    out += " = ";
    append_one_line(out, e.actual);
    if (!e.expected.empty()) {
        out += " (expected: ";
        append_one_line(out, e.expected);
        out += ')';
    }
    return out;
}

std::string result_line(const Finding& f) {
    if (!f.result.empty()) {
        std::string out;
        append_one_line(out, f.result);
        return out;
    }
    // A plugin without results (ABI < 1.3): what differs from what the check wants says it best.
    if (f.status != FindingStatus::pass && f.status != FindingStatus::info) {
        // Multi-line values (file contents, command output) make no one-line result.
        for (const Evidence& e : f.evidence)
            if (!e.expected.empty() && e.actual != e.expected && e.actual.find('\n') == std::string::npos)
                return evidence_line(e);
    }
    return f.title;
}

} // namespace kubecert::report
