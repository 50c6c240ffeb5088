#include "report/model.hpp"

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

} // namespace kubecert::report
