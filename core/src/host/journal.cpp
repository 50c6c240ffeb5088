#include "host/journal.hpp"

namespace kubecert::host {

namespace {

constexpr std::string_view k_header = "kubecert-journal 1";

// A MANIFEST reference must stay inside the backup folder.
bool safe_ref(const std::string& ref) {
    if (ref.empty() || ref[0] == '/' || ref.find('\0') != std::string::npos) return false;
    std::size_t start = 0;
    while (start <= ref.size()) {
        auto end = ref.find('/', start);
        if (end == std::string::npos) end = ref.size();
        if (end - start == 2 && ref.compare(start, 2, "..") == 0) return false;
        start = end + 1;
    }
    return true;
}

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        const auto tab = line.find('\t', start);
        out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
        if (tab == std::string::npos) return out;
        start = tab + 1;
    }
}

bool node_path_ok(const std::string& p) {
    return !p.empty() && p[0] == '/' && p.find('\0') == std::string::npos;
}

} // namespace

std::string format_journal(const Journal& journal) {
    std::string text = std::string(k_header) + "\n";
    for (const auto& e : journal.entries) text += e.node_path + "\t" + e.ref + "\n";
    for (const auto& r : journal.renames) text += "rename\t" + r.temp_path + "\t" + r.target_path + "\n";
    if (journal.state == Journal::State::complete) text += "state\tcomplete\n";
    if (journal.state == Journal::State::rolled_back) text += "state\trolled-back\n";
    return text;
}

util::Result<Journal> parse_journal(std::string_view text, const std::string& label) {
    Journal out;
    out.state = Journal::State::legacy;
    std::size_t start = 0;
    int line_no = 0;
    while (start < text.size()) {
        ++line_no;
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        const std::string line(text.substr(start, end - start));
        start = end + 1;
        if (line.empty()) continue;
        auto bad = [&](const char* expected) {
            return util::make_error(util::ErrorCode::parse,
                                    label + ":" + std::to_string(line_no) + ":1: expected " + expected);
        };
        if (line_no == 1 && line == k_header) {
            out.state = Journal::State::in_progress;
            continue;
        }
        const auto fields = split_tabs(line);
        if (out.state != Journal::State::legacy && fields[0] == "rename") {
            if (fields.size() != 3 || !node_path_ok(fields[1]) || !node_path_ok(fields[2]))
                return bad("\"rename<TAB>TEMP-PATH<TAB>TARGET-PATH\"");
            out.renames.push_back({fields[1], fields[2]});
            continue;
        }
        if (out.state != Journal::State::legacy && fields[0] == "state") {
            if (fields.size() != 2 || (fields[1] != "complete" && fields[1] != "rolled-back"))
                return bad("\"state<TAB>complete or rolled-back\"");
            out.state = fields[1] == "complete" ? Journal::State::complete : Journal::State::rolled_back;
            continue;
        }
        if (fields.size() != 2 || !node_path_ok(fields[0]) || (fields[1] != "-" && !safe_ref(fields[1])))
            return bad("\"NODE-PATH<TAB>BACKUP-FILE or -\"");
        out.entries.push_back({fields[0], fields[1]});
    }
    return out;
}

} // namespace kubecert::host
