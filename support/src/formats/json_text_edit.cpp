#include "formats/json_text_edit.hpp"

#include <optional>

#include <kubecert/formats/json_edit.hpp>
#include <kubecert/formats/parse_error.hpp>

namespace kubecert::formats::detail {

namespace {

// Byte positions of one object member in the text.
struct Member {
    std::string key;
    size_t key_start = 0;
    size_t value_start = 0;
    size_t value_end = 0;
};

struct ObjectSpan {
    size_t open = 0;  // the '{'
    size_t close = 0; // the '}'
    std::vector<Member> members;
};

// A scanner over text already validated by formats::parse_json.
class Scanner {
public:
    explicit Scanner(std::string_view t) : m_t(t) {}

    size_t skip_ws(size_t p) const {
        while (p < m_t.size() && (m_t[p] == ' ' || m_t[p] == '\t' || m_t[p] == '\n' || m_t[p] == '\r')) ++p;
        return p;
    }
    // End (one past) of the string starting at the '"' at p.
    size_t string_end(size_t p) const {
        for (++p; p < m_t.size(); ++p) {
            if (m_t[p] == '\\')
                ++p;
            else if (m_t[p] == '"')
                return p + 1;
        }
        return m_t.size();
    }
    // End (one past) of the value starting at p.
    size_t value_end(size_t p) const {
        if (p >= m_t.size()) return p;
        if (m_t[p] == '"') return string_end(p);
        if (m_t[p] == '{' || m_t[p] == '[') {
            int depth = 0;
            for (; p < m_t.size(); ++p) {
                const char c = m_t[p];
                if (c == '"')
                    p = string_end(p) - 1;
                else if (c == '{' || c == '[')
                    ++depth;
                else if ((c == '}' || c == ']') && --depth == 0)
                    return p + 1;
            }
            return m_t.size();
        }
        while (p < m_t.size() && std::string_view(",}] \t\r\n").find(m_t[p]) == std::string_view::npos) ++p;
        return p;
    }
    ObjectSpan object_at(size_t p) const {
        ObjectSpan o;
        o.open = p;
        p = skip_ws(p + 1);
        while (p < m_t.size() && m_t[p] != '}') {
            Member m;
            m.key_start = p;
            const size_t ke = string_end(p);
            m.key = std::string(m_t.substr(p + 1, ke - p - 2)); // keys here are plain names
            p = skip_ws(skip_ws(ke) + 1);                       // past ':'
            m.value_start = p;
            m.value_end = value_end(p);
            o.members.push_back(m);
            p = skip_ws(m.value_end);
            if (p < m_t.size() && m_t[p] == ',') p = skip_ws(p + 1);
        }
        o.close = p;
        return o;
    }

private:
    std::string_view m_t;
};

// The blanks before position p on its line, when only blanks precede it; nullopt otherwise.
std::optional<std::string> indent_of(std::string_view t, size_t p) {
    size_t ls = t.rfind('\n', p == 0 ? 0 : p - 1);
    ls = ls == std::string_view::npos ? 0 : ls + 1;
    std::string_view before = t.substr(ls, p - ls);
    if (before.find_first_not_of(" \t") != std::string_view::npos) return std::nullopt;
    return std::string(before);
}

std::string quoted(const std::string& key) {
    return "\"" + key + "\"";
}

// How the document is laid out, so an inserted member looks like its neighbours.
struct Layout {
    std::string nl = "\n";   // the document's line ending
    std::string unit = "  "; // one level of indentation
    std::string space = " "; // after ':' (none in a minified document)
};

Layout layout_of(std::string_view text, const Scanner& sc, size_t root) {
    Layout l;
    if (text.find("\r\n") != std::string_view::npos) l.nl = "\r\n";
    // The indentation unit: how far the top-level members sit from the '{' line.
    const ObjectSpan top = sc.object_at(root);
    if (!top.members.empty())
        if (auto ind = indent_of(text, top.members.front().key_start); ind && !ind->empty()) l.unit = *ind;
    if (text.find("\": ") == std::string_view::npos) l.space = "";
    return l;
}

// path[from..] as the text of one member holding `literal` at its end, nested objects opened on
// lines of their own when `multiline` (members indented from `ind`).
std::string nested_member(const std::vector<std::string>& path, size_t from, const std::string& literal,
                          const Layout& layout, bool multiline, const std::string& ind) {
    std::string member_text;
    std::string cur_indent = ind;
    std::string tail;
    for (size_t k = from; k < path.size(); ++k) {
        if (k + 1 == path.size()) {
            member_text += quoted(path[k]) + ":" + layout.space + literal;
        } else if (multiline) {
            member_text += quoted(path[k]) + ": {" + layout.nl + cur_indent + layout.unit;
            tail = layout.nl + cur_indent + "}" + tail;
            cur_indent += layout.unit;
        } else {
            member_text += quoted(path[k]) + ":" + layout.space + "{";
            tail = "}" + tail;
        }
    }
    return member_text + tail;
}

// `text` with path[from..] = literal inserted as a new member of `obj`.
std::string insert_member(std::string_view text, const ObjectSpan& obj, const std::vector<std::string>& path,
                          size_t from, const std::string& literal, const Layout& layout) {
    std::optional<std::string> member_indent;
    if (!obj.members.empty())
        member_indent = indent_of(text, obj.members.back().key_start);
    else if (auto close_ind = indent_of(text, obj.close))
        member_indent = *close_ind + layout.unit;
    const bool multiline = member_indent.has_value();
    const std::string ind = member_indent.value_or("");
    const std::string member_text = nested_member(path, from, literal, layout, multiline, ind);
    std::string out(text);
    if (!obj.members.empty()) {
        const size_t at = obj.members.back().value_end;
        out.insert(at, multiline ? "," + layout.nl + ind + member_text : "," + layout.space + member_text);
    } else if (multiline) {
        out.insert(obj.open + 1, layout.nl + ind + member_text);
    } else {
        out.insert(obj.open + 1, member_text);
    }
    return out;
}

} // namespace

std::string json_set_in_place(std::string_view text, const std::string& source, const std::vector<std::string>& path,
                              const std::string& literal) {
    formats::parse_json(text, source); // validates, naming line and column
    const Scanner sc(text);
    const size_t root = sc.skip_ws(0);
    if (root >= text.size() || text[root] != '{') {
        auto [l, c] = formats::line_column_at(text, root);
        throw formats::ParseError(source, l, c, "the document is not a JSON object");
    }
    const Layout layout = layout_of(text, sc, root);
    ObjectSpan obj = sc.object_at(root);
    for (size_t depth = 0; depth < path.size(); ++depth) {
        const Member* found = nullptr;
        for (const auto& m : obj.members)
            if (m.key == path[depth]) found = &m; // a duplicate key: the last one counts, as in parsers
        if (!found) return insert_member(text, obj, path, depth, literal, layout);
        if (depth + 1 == path.size()) {
            if (text.substr(found->value_start, found->value_end - found->value_start) == literal)
                return std::string(text);
            std::string out(text);
            out.replace(found->value_start, found->value_end - found->value_start, literal);
            return out;
        }
        if (text[found->value_start] != '{') {
            auto [l, c] = formats::line_column_at(text, found->value_start);
            throw formats::ParseError(source, l, c, path[depth] + " is not an object");
        }
        obj = sc.object_at(found->value_start);
    }
    return std::string(text);
}

} // namespace kubecert::formats::detail
