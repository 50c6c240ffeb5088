#include <kubecert/formats/json_edit.hpp>
#include <kubecert/formats/parse_error.hpp>

#include "formats/json_text_edit.hpp"

namespace kubecert::formats {

namespace {

using Json = nlohmann::ordered_json;

// How the file is laid out, so a rewrite looks like the original.
struct Layout {
    int indent = -1; // -1: minified
    char indent_char = ' ';
    bool final_newline = false;
    bool crlf = false;
};

Layout detect_layout(std::string_view text) {
    Layout l;
    l.crlf = text.find("\r\n") != std::string_view::npos;
    size_t end = text.size();
    while (end > 0 && (text[end - 1] == ' ' || text[end - 1] == '\t')) --end;
    l.final_newline = end > 0 && text[end - 1] == '\n';
    // The first indented line after a newline gives the unit (depth one).
    size_t nl = text.find('\n');
    while (nl != std::string_view::npos && nl + 1 < text.size()) {
        const size_t start = nl + 1;
        size_t i = start;
        const char c = text[i];
        if (c == ' ' || c == '\t') {
            while (i < text.size() && text[i] == c) ++i;
            if (i < text.size() && text[i] != '\n' && text[i] != '\r') {
                l.indent_char = c;
                l.indent = static_cast<int>(i - start);
                return l;
            }
        }
        nl = text.find('\n', start);
    }
    // Several lines but nothing indented: pretty output with no indentation.
    if (text.find('\n') != std::string_view::npos && text.find('\n') + 1 < end) l.indent = 0;
    return l;
}

std::string render(const Json& j, const Layout& l, const std::string& source) {
    std::string out;
    try {
        out = j.dump(l.indent, l.indent_char);
    } catch (const nlohmann::json::exception& e) {
        throw ParseError(source, 0, 0, e.what());
    }
    if (l.final_newline) out += '\n';
    if (l.crlf) {
        std::string converted;
        converted.reserve(out.size() + out.size() / 16);
        for (char c : out) {
            if (c == '\n') converted += '\r';
            converted += c;
        }
        out = std::move(converted);
    }
    return out;
}

} // namespace

nlohmann::ordered_json parse_json(std::string_view text, const std::string& source) {
    try {
        return Json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::parse_error& e) {
        // e.byte counts the characters read, so the culprit is the one before.
        const size_t offset = e.byte > 0 ? e.byte - 1 : 0;
        const auto [line, column] = line_column_at(text, offset);
        std::string message = e.what();
        // nlohmann's own "[json.exception.parse_error.101] parse error at line 1, column 2: " prefix repeats us.
        const size_t colon = message.find(": ");
        if (colon != std::string::npos && message.rfind("[json.exception", 0) == 0) message = message.substr(colon + 2);
        throw ParseError(source, line, column, message);
    } catch (const nlohmann::json::exception& e) {
        throw ParseError(source, 0, 0, e.what());
    }
}

std::string json_set(std::string_view text, const std::string& source, const std::vector<std::string>& path,
                     const nlohmann::ordered_json& value) {
    if (path.empty()) throw ParseError(source, 0, 0, "empty key path");
    Json root = parse_json(text, source);
    Json* node = &root;
    std::string where;
    for (size_t i = 0; i + 1 < path.size(); ++i) {
        where += "." + path[i];
        if (!node->is_object()) throw ParseError(source, 0, 0, "\"" + where.substr(1) + "\" is not inside an object");
        if (!node->contains(path[i])) (*node)[path[i]] = Json::object();
        node = &(*node)[path[i]];
    }
    if (!node->is_object())
        throw ParseError(source, 0, 0,
                         "\"" + (where.empty() ? std::string("(top)") : where.substr(1)) + "\" is not an object");
    const auto it = node->find(path.back());
    if (it != node->end() && *it == value) return std::string(text);
    (*node)[path.back()] = value;
    // A scalar is edited in place, so everything else stays byte for byte
    // (one-line arrays, escapes); the result must parse to exactly the
    // intended tree, else the whole document is re-rendered in its layout.
    if (!value.is_structured()) {
        try {
            std::string edited = detail::json_set_in_place(text, source, path, value.dump());
            if (Json::parse(edited) == root) return edited;
        } catch (const std::exception&) {
            // fall through to the re-render
        }
    }
    return render(root, detect_layout(text), source);
}

std::string json_erase(std::string_view text, const std::string& source, const std::vector<std::string>& path) {
    if (path.empty()) throw ParseError(source, 0, 0, "empty key path");
    Json root = parse_json(text, source);
    Json* node = &root;
    for (size_t i = 0; i + 1 < path.size(); ++i) {
        if (!node->is_object() || !node->contains(path[i])) return std::string(text);
        node = &(*node)[path[i]];
    }
    if (!node->is_object() || !node->contains(path.back())) return std::string(text);
    node->erase(path.back());
    return render(root, detect_layout(text), source);
}

} // namespace kubecert::formats
