#include <kubecert/formats/parse_error.hpp>
#include <kubecert/formats/yaml_edit.hpp>

#include <cctype>
#include <optional>

namespace kubecert::formats {

namespace {

// Where a value token sits: [begin, end) including quotes, [inner_begin,
// inner_end) without them. `implicit` is an empty value ("key:" alone).
struct ValueToken {
    size_t begin = 0;
    size_t end = 0;
    size_t inner_begin = 0;
    size_t inner_end = 0;
    bool implicit = false;
};

struct Entry {
    YAML::Node key;
    YAML::Node value;
};

ParseError error_at(const std::string& source, const YAML::Mark& mark, const std::string& message) {
    if (mark.is_null()) return ParseError(source, 0, 0, message);
    return ParseError(source, mark.line + 1, mark.column + 1, message);
}

bool is_eol(std::string_view text, size_t i) {
    return i >= text.size() || text[i] == '\n' || text[i] == '\r';
}

// End of the line holding `pos`, before its "\r\n" or "\n".
size_t line_end(std::string_view text, size_t pos) {
    while (pos < text.size() && text[pos] != '\n') ++pos;
    if (pos > 0 && pos <= text.size() && text[pos - 1] == '\r' && pos < text.size()) --pos;
    return pos;
}

// Leading spaces of the line starting at `start`; npos for a blank or comment line.
size_t content_indent(std::string_view text, size_t start) {
    size_t i = start;
    while (i < text.size() && text[i] == ' ') ++i;
    if (is_eol(text, i) || text[i] == '#' || text[i] == '\t') return std::string_view::npos;
    return i - start;
}

std::optional<Entry> find_entry(const YAML::Node& mapping, const std::string& key) {
    for (const auto& kv : mapping)
        if (kv.first.IsScalar() && kv.first.Scalar() == key) return Entry{kv.first, kv.second};
    return std::nullopt;
}

// End of a quoted scalar starting at `begin` (the quote), just past the closing quote.
size_t quoted_end(std::string_view text, size_t begin) {
    const char q = text[begin];
    size_t i = begin + 1;
    while (i < text.size()) {
        if (q == '"' && text[i] == '\\') {
            i += 2;
            continue;
        }
        if (text[i] == q) {
            if (q == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
                i += 2;
                continue;
            }
            return i + 1;
        }
        ++i;
    }
    return text.size();
}

// End of the content of one line of a plain scalar: before " #" and trailing blanks.
size_t plain_line_end(std::string_view text, size_t from, bool in_flow) {
    size_t i = from;
    while (!is_eol(text, i)) {
        if (text[i] == '#' && i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t')) break;
        if (in_flow && (text[i] == ',' || text[i] == '}' || text[i] == ']')) break;
        ++i;
    }
    while (i > from && (text[i - 1] == ' ' || text[i - 1] == '\t')) --i;
    return i;
}

// Extends a scalar to the following lines that are indented deeper than
// `parent_indent` (plain continuation lines, block scalar content).
size_t extend_over_deeper_lines(std::string_view text, size_t end, int parent_indent, bool plain) {
    size_t next = text.find('\n', end);
    while (next != std::string_view::npos && next + 1 <= text.size()) {
        const size_t start = next + 1;
        const size_t indent = content_indent(text, start);
        if (indent == std::string_view::npos) {
            // Comment lines end a plain scalar; blank lines may sit inside either kind.
            size_t i = start;
            while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
            if (!is_eol(text, i) && text[i] == '#' && (plain || static_cast<int>(i - start) <= parent_indent)) break;
            next = text.find('\n', start);
            continue;
        }
        if (static_cast<int>(indent) <= parent_indent) break;
        end = plain ? plain_line_end(text, start + indent, false) : line_end(text, start);
        next = text.find('\n', start);
    }
    return end;
}

// The value token of `entry` in `mapping`, found from the key's mark: the
// colon after the key, then either the rest of the line or the value's mark.
ValueToken value_token(std::string_view text, const std::string& source, const YAML::Node& mapping,
                       const Entry& entry) {
    const YAML::Mark km = entry.key.Mark();
    if (km.is_null() || km.pos < 0 || static_cast<size_t>(km.pos) >= text.size())
        throw error_at(source, km, "cannot locate the key in the text");
    const bool in_flow = mapping.Style() == YAML::EmitterStyle::Flow;
    size_t i = static_cast<size_t>(km.pos);
    if (text[i] == '"' || text[i] == '\'') {
        i = quoted_end(text, i);
    } else {
        while (i < text.size() &&
               !(text[i] == ':' && (i + 1 >= text.size() || text[i + 1] == ' ' || text[i + 1] == '\t' ||
                                    text[i + 1] == '\n' || text[i + 1] == '\r' || (in_flow && text[i + 1] == ','))))
            ++i;
    }
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i >= text.size() || text[i] != ':') throw error_at(source, km, "cannot locate the ':' after the key");
    const size_t colon = i;
    ++i;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    ValueToken t;
    const bool rest_empty = is_eol(text, i) || text[i] == '#' || (in_flow && (text[i] == ',' || text[i] == '}'));
    if (entry.value.IsNull() && rest_empty) {
        t.begin = t.end = t.inner_begin = t.inner_end = colon + 1;
        t.implicit = true;
        return t;
    }
    size_t begin = i;
    if (rest_empty) {
        const YAML::Mark vm = entry.value.Mark();
        if (vm.is_null() || vm.pos < 0 || static_cast<size_t>(vm.pos) <= colon ||
            static_cast<size_t>(vm.pos) >= text.size())
            throw error_at(source, km, "cannot locate the value in the text");
        begin = static_cast<size_t>(vm.pos);
    }
    t.begin = t.inner_begin = begin;
    const char c = text[begin];
    if (c == '"' || c == '\'') {
        t.end = quoted_end(text, begin);
        t.inner_begin = begin + 1;
        t.inner_end = t.end > t.inner_begin ? t.end - 1 : t.inner_begin;
    } else if (!in_flow && (c == '|' || c == '>')) {
        t.end = extend_over_deeper_lines(text, line_end(text, begin), km.column, false);
        t.inner_end = t.end;
    } else {
        t.end = plain_line_end(text, begin, in_flow);
        if (!in_flow) t.end = extend_over_deeper_lines(text, t.end, km.column, true);
        t.inner_end = t.end;
    }
    return t;
}

bool same_tree(const YAML::Node& a, const YAML::Node& b) {
    if (a.Type() != b.Type()) return false;
    switch (a.Type()) {
    case YAML::NodeType::Scalar: return a.Scalar() == b.Scalar() && a.Tag() == b.Tag();
    case YAML::NodeType::Sequence: {
        if (a.size() != b.size()) return false;
        for (size_t i = 0; i < a.size(); ++i)
            if (!same_tree(a[i], b[i])) return false;
        return true;
    }
    case YAML::NodeType::Map: {
        if (a.size() != b.size()) return false;
        auto ib = b.begin();
        for (auto ia = a.begin(); ia != a.end(); ++ia, ++ib)
            if (!same_tree(ia->first, ib->first) || !same_tree(ia->second, ib->second)) return false;
        return true;
    }
    default: return true;
    }
}

// True when `now` equals `old` with the scalar at `path`[idx..] set to
// `value` (as parsed), a missing key appended as the last of its mapping.
bool is_expected_edit(const YAML::Node& old, const YAML::Node& now, const std::vector<std::string>& path, size_t idx,
                      const YAML::Node& value) {
    if (idx == path.size()) return same_tree(now, value);
    if (!now.IsMap()) return false;
    const bool old_map = old.IsDefined() && old.IsMap();
    const bool had_key = old_map && find_entry(old, path[idx]).has_value();
    const size_t old_size = old_map ? old.size() : 0;
    if (now.size() != old_size + (had_key ? 0 : 1)) return false;
    auto in = now.begin();
    if (old_map) {
        for (auto io = old.begin(); io != old.end(); ++io, ++in) {
            if (!same_tree(io->first, in->first)) return false;
            const bool on_path = io->first.IsScalar() && io->first.Scalar() == path[idx];
            if (on_path ? !is_expected_edit(io->second, in->second, path, idx + 1, value)
                        : !same_tree(io->second, in->second))
                return false;
        }
    }
    if (had_key) return true;
    return in->first.IsScalar() && in->first.Scalar() == path[idx] &&
           is_expected_edit(YAML::Node(), in->second, path, idx + 1, value);
}

// A key as it is written: plain when that is unambiguous, else double-quoted.
std::string yaml_key(const std::string& key) {
    bool plain = !key.empty();
    for (char c : key)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '/'))
            plain = false;
    if (plain && key[0] != '-') return key;
    std::string out = "\"";
    for (char c : key) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

// The file's usual indentation step: the first indented content line's indent, else 2.
int usual_indent(std::string_view text) {
    size_t start = 0;
    while (start < text.size()) {
        const size_t indent = content_indent(text, start);
        if (indent != std::string_view::npos && indent > 0) return static_cast<int>(indent);
        const size_t nl = text.find('\n', start);
        if (nl == std::string_view::npos) break;
        start = nl + 1;
    }
    return 2;
}

// Lines "key:" nested by `step`, the last "key: value", each after a newline.
std::string block_lines(const std::vector<std::string>& path, size_t from, int indent, int step,
                        const std::string& value, const std::string& newline) {
    std::string out;
    for (size_t j = from; j < path.size(); ++j) {
        out += newline + std::string(static_cast<size_t>(indent + static_cast<int>(j - from) * step), ' ');
        out += yaml_key(path[j]) + ":";
        if (j + 1 == path.size()) out += " " + value;
    }
    return out;
}

// "a: {b: value}" for the remaining path, for flow mappings.
std::string flow_text(const std::vector<std::string>& path, size_t from, const std::string& value) {
    std::string nested = value;
    for (size_t j = path.size() - 1; j > from; --j) nested = "{" + yaml_key(path[j]) + ": " + nested + "}";
    return yaml_key(path[from]) + ": " + nested;
}

// Position of the '}' closing the flow mapping opened at `open`.
size_t flow_close(std::string_view text, size_t open) {
    int depth = 0;
    for (size_t i = open; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"' || c == '\'') {
            i = quoted_end(text, i) - 1;
        } else if (c == '#' && i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n')) {
            while (i < text.size() && text[i] != '\n') ++i;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if (c == '}' || c == ']') {
            if (--depth == 0) return i;
        }
    }
    return std::string_view::npos;
}

// Inserts the rest of `path` into the non-empty mapping `mapping`.
std::string insert_into_mapping(std::string_view text, const std::string& source, const YAML::Node& mapping,
                                const std::optional<YAML::Node>& parent_key, const std::vector<std::string>& path,
                                size_t from, const std::string& value, const std::string& newline) {
    std::string out(text);
    if (mapping.Style() == YAML::EmitterStyle::Flow) {
        const YAML::Mark m = mapping.Mark();
        if (m.is_null() || m.pos < 0 || static_cast<size_t>(m.pos) >= text.size() || text[m.pos] != '{')
            throw error_at(source, m, "cannot locate the flow mapping in the text");
        const size_t close = flow_close(text, static_cast<size_t>(m.pos));
        if (close == std::string_view::npos) throw error_at(source, m, "unterminated flow mapping");
        size_t at = close;
        while (at > static_cast<size_t>(m.pos) + 1 &&
               (text[at - 1] == ' ' || text[at - 1] == '\t' || text[at - 1] == '\n' || text[at - 1] == '\r'))
            --at;
        std::string piece = flow_text(path, from, value);
        if (mapping.size() > 0) piece = (text[at - 1] == ',' ? " " : ", ") + piece;
        out.insert(at, piece);
        return out;
    }
    if (!parent_key) {
        // A new top-level key goes at the very end of the file.
        std::string tail;
        if (!out.empty() && out.back() != '\n') tail += newline;
        tail += block_lines(path, from, 0, usual_indent(text), value, newline).substr(newline.size()) + newline;
        return out + tail;
    }
    // Block mapping: children's column, and the end of its last entry's lines.
    int child_indent = -1;
    size_t last_pos = 0;
    for (const auto& kv : mapping) {
        const YAML::Mark km = kv.first.Mark();
        if (km.is_null()) throw error_at(source, mapping.Mark(), "cannot locate the mapping's keys");
        if (child_indent < 0) child_indent = km.column;
        if (static_cast<size_t>(km.pos) >= last_pos) last_pos = static_cast<size_t>(km.pos);
    }
    const int parent_column = parent_key->Mark().column;
    const int step = child_indent > parent_column ? child_indent - parent_column : usual_indent(text);
    size_t end = line_end(text, last_pos);
    size_t nl = text.find('\n', last_pos);
    while (nl != std::string_view::npos) {
        const size_t start = nl + 1;
        const size_t indent = content_indent(text, start);
        if (indent != std::string_view::npos) {
            const bool deeper = static_cast<int>(indent) > child_indent;
            const bool sequence_item = static_cast<int>(indent) == child_indent && text[start + indent] == '-' &&
                                       (start + indent + 1 >= text.size() || text[start + indent + 1] == ' ' ||
                                        is_eol(text, start + indent + 1));
            if (!deeper && !sequence_item) break;
            end = line_end(text, start);
        }
        nl = text.find('\n', start);
    }
    out.insert(end, block_lines(path, from, child_indent, step, value, newline));
    return out;
}

} // namespace

namespace {

// More nodes than any kubelet config, kubeconfig or cluster.yml has, far
// fewer than alias expansion ("billion laughs") makes: every reader walks the
// tree with aliases expanded, so the walk is bounded once, here.
constexpr std::size_t k_max_expanded_nodes = 200000;

// Counts nodes as a reader would see them (an alias once per use); false past the budget.
bool within_budget(const YAML::Node& node, std::size_t& budget) {
    if (budget == 0) return false;
    --budget;
    if (node.IsSequence()) {
        for (const auto& item : node)
            if (!within_budget(item, budget)) return false;
    } else if (node.IsMap()) {
        for (const auto& kv : node)
            if (!within_budget(kv.first, budget) || !within_budget(kv.second, budget)) return false;
    }
    return true;
}

} // namespace

YAML::Node parse_yaml(std::string_view text, const std::string& source) {
    try {
        YAML::Node root = YAML::Load(std::string(text));
        std::size_t budget = k_max_expanded_nodes;
        if (!within_budget(root, budget))
            throw ParseError(source, 0, 0,
                             "refused: more than " + std::to_string(k_max_expanded_nodes) +
                                 " nodes once aliases are expanded (an alias bomb?)");
        return root;
    } catch (const ParseError&) {
        throw;
    } catch (const YAML::Exception& e) {
        throw error_at(source, e.mark, e.msg);
    } catch (const std::exception& e) {
        throw ParseError(source, 0, 0, e.what());
    }
}

TextSpan yaml_value_span(std::string_view text, const std::string& source, const YAML::Node& mapping,
                         const std::string& key) {
    if (!mapping.IsMap()) throw error_at(source, mapping.Mark(), "expected a mapping");
    const auto entry = find_entry(mapping, key);
    if (!entry) throw error_at(source, mapping.Mark(), "no key \"" + key + "\"");
    if (!entry->value.IsScalar() && !entry->value.IsNull())
        throw error_at(source, entry->value.Mark(), "the value of \"" + key + "\" is not a scalar");
    const ValueToken t = value_token(text, source, mapping, *entry);
    return {t.inner_begin, t.inner_end - t.inner_begin};
}

namespace {

// Where a set path meets a value of the wrong shape ("\"kubelet\" is a scalar, expected a mapping").
ParseError wrong_shape(const std::string& source, const YAML::Node& v, const std::string& key, bool last) {
    return error_at(source, v.Mark(),
                    "\"" + key + "\" is a " +
                        (v.IsMap()        ? "mapping"
                         : v.IsSequence() ? "sequence"
                                          : "scalar") +
                        ", expected " + (last ? "a scalar" : "a mapping"));
}

// `text` with path = value set in the mapping `root`, walking down to where the path ends or
// leaves the document; nullopt when it already says exactly that.
std::optional<std::string> set_in_mapping(std::string_view text, const std::string& source, const YAML::Node& root,
                                          const std::vector<std::string>& path, const std::string& value,
                                          const YAML::Node& wanted, const std::string& newline) {
    YAML::Node node = root;
    std::optional<YAML::Node> parent_key;
    for (size_t i = 0; i < path.size(); ++i) {
        const auto entry = find_entry(node, path[i]);
        if (!entry) return insert_into_mapping(text, source, node, parent_key, path, i, value, newline);
        const YAML::Node& v = entry->value;
        const bool last = i + 1 == path.size();
        if (v.IsMap() && !last) {
            node.reset(v);
            // emplace, not '=': YAML::Node's assignment would overwrite the key node itself.
            parent_key.emplace(entry->key);
            continue;
        }
        if (v.IsSequence() || v.IsMap() || (!last && !v.IsNull())) throw wrong_shape(source, v, path[i], last);
        if (last && same_tree(v, wanted)) return std::nullopt;
        const ValueToken t = value_token(text, source, node, *entry);
        std::string out(text);
        if (last) {
            out.replace(t.begin, t.end - t.begin, t.implicit ? " " + value : value);
        } else if (t.implicit && node.Style() != YAML::EmitterStyle::Flow) {
            // "key:" with nothing: the rest goes below it as a block.
            const int step = usual_indent(text);
            out.insert(line_end(text, t.begin),
                       block_lines(path, i + 1, entry->key.Mark().column + step, step, value, newline));
        } else {
            // An explicit null ("~", "null") or an empty value in a flow mapping.
            out.replace(t.begin, t.end - t.begin, (t.implicit ? " {" : "{") + flow_text(path, i + 1, value) + "}");
        }
        return out;
    }
    return std::nullopt;
}

// Never hand back something that does not say exactly what we meant: `edited` must parse and differ
// from `root` only by path = wanted.
void check_edit(const std::string& edited, const std::string& source, const YAML::Node& root,
                const std::vector<std::string>& path, const YAML::Node& wanted) {
    const YAML::Node now = [&] {
        try {
            return parse_yaml(edited, source);
        } catch (const ParseError& e) {
            throw ParseError(source, 0, 0,
                             "cannot edit this file safely (the edit would not parse: " + e.message() + ")");
        }
    }();
    if (!is_expected_edit(root, now, path, 0, wanted))
        throw ParseError(source, 0, 0, "cannot edit this file safely (its layout is not understood)");
}

} // namespace

std::string yaml_set_scalar(std::string_view text, const std::string& source, const std::vector<std::string>& path,
                            const std::string& value) {
    if (path.empty()) throw ParseError(source, 0, 0, "empty key path");
    const YAML::Node root = parse_yaml(text, source);
    if (!root.IsMap() && !root.IsNull()) throw error_at(source, root.Mark(), "the document is not a mapping");
    // What `value` means once written ("true" the boolean, "\"true\"" the string).
    const YAML::Node wanted = parse_yaml(value, "the new value");
    if (!wanted.IsScalar() || value.find_first_of("\r\n") != std::string::npos)
        throw ParseError(source, 0, 0, "the new value must be a one-line scalar: " + value);
    const std::string newline = text.find("\r\n") != std::string_view::npos ? "\r\n" : "\n";
    std::string out;
    if (root.IsNull()) {
        // Empty (or comments only): the whole path is appended.
        out = std::string(text);
        if (!out.empty() && out.back() != '\n') out += newline;
        out += block_lines(path, 0, 0, usual_indent(text), value, newline).substr(newline.size()) + newline;
    } else if (auto edited = set_in_mapping(text, source, root, path, value, wanted, newline)) {
        out = std::move(*edited);
    } else {
        return std::string(text);
    }
    check_edit(out, source, root, path, wanted);
    return out;
}

} // namespace kubecert::formats
