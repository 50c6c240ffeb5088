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

} // namespace

std::string json_set_in_place(std::string_view text, const std::string& source, const std::vector<std::string>& path,
                              const std::string& literal) {
    formats::parse_json(text, source); // validates, naming line and column
    const Scanner sc(text);
    const std::string nl = text.find("\r\n") != std::string_view::npos ? "\r\n" : "\n";

    size_t root = sc.skip_ws(0);
    if (root >= text.size() || text[root] != '{') {
        auto [l, c] = formats::line_column_at(text, root);
        throw formats::ParseError(source, l, c, "the document is not a JSON object");
    }
    // The indentation unit: how far the top-level members sit from the '{' line.
    std::string unit = "  ";
    {
        const ObjectSpan top = sc.object_at(root);
        if (!top.members.empty())
            if (auto ind = indent_of(text, top.members.front().key_start); ind && !ind->empty()) unit = *ind;
    }

    ObjectSpan obj = sc.object_at(root);
    for (size_t depth = 0; depth < path.size(); ++depth) {
        const Member* found = nullptr;
        for (const auto& m : obj.members)
            if (m.key == path[depth]) found = &m; // a duplicate key: the last one counts, as in parsers
        const bool last = depth + 1 == path.size();
        if (found && last) {
            if (text.substr(found->value_start, found->value_end - found->value_start) == literal)
                return std::string(text);
            std::string out(text);
            out.replace(found->value_start, found->value_end - found->value_start, literal);
            return out;
        }
        if (found) {
            if (text[found->value_start] != '{') {
                auto [l, c] = formats::line_column_at(text, found->value_start);
                throw formats::ParseError(source, l, c, path[depth] + " is not an object");
            }
            obj = sc.object_at(found->value_start);
            continue;
        }
        // Insert the rest of the path as one new member of `obj`.
        std::optional<std::string> member_indent;
        if (!obj.members.empty())
            member_indent = indent_of(text, obj.members.back().key_start);
        else if (auto close_ind = indent_of(text, obj.close))
            member_indent = *close_ind + unit;
        const bool multiline = member_indent.has_value();
        // A minified document gets minified separators.
        const std::string space = text.find("\": ") == std::string_view::npos ? "" : " ";
        const std::string ind = member_indent.value_or("");
        std::string member_text;
        std::string cur_indent = ind;
        std::string tail;
        for (size_t k = depth; k < path.size(); ++k) {
            if (k + 1 == path.size()) {
                member_text += quoted(path[k]) + ":" + space + literal;
            } else if (multiline) {
                member_text += quoted(path[k]) + ": {" + nl + cur_indent + unit;
                tail = nl + cur_indent + "}" + tail;
                cur_indent += unit;
            } else {
                member_text += quoted(path[k]) + ":" + space + "{";
                tail = "}" + tail;
            }
        }
        member_text += tail;
        std::string out(text);
        if (!obj.members.empty()) {
            const size_t at = obj.members.back().value_end;
            out.insert(at, multiline ? "," + nl + ind + member_text : "," + space + member_text);
        } else if (multiline) {
            out.insert(obj.open + 1, nl + ind + member_text);
        } else {
            out.insert(obj.open + 1, member_text);
        }
        return out;
    }
    return std::string(text);
}

} // namespace kubecert::formats::detail
