#include <kubecert/formats/parse_error.hpp>
#include <kubecert/formats/systemd_unit.hpp>

#include <cctype>
#include <optional>

namespace kubecert::formats {

namespace {

constexpr std::string_view k_blanks = " \t\r\n";

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view s) {
    const size_t b = s.find_first_not_of(k_blanks);
    if (b == std::string_view::npos) return {};
    const size_t e = s.find_last_not_of(k_blanks);
    return s.substr(b, e - b + 1);
}

// Physical lines without their line ending; a final line without '\n' counts too.
std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        start = end + 1;
    }
    return lines;
}

bool is_comment(std::string_view line) {
    const size_t b = line.find_first_not_of(" \t");
    return b != std::string_view::npos && (line[b] == '#' || line[b] == ';');
}

// systemd's LONG_LINE_MAX: it refuses longer (logical) lines.
constexpr size_t k_long_line_max = 1u << 20;

// True when `s` ends with a backslash that is not itself escaped (systemd counts the parity).
bool ends_with_continuation(std::string_view s) {
    size_t n = 0;
    while (n < s.size() && s[s.size() - 1 - n] == '\\') ++n;
    return n % 2 == 1;
}

bool valid_env_name(std::string_view name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
    return true;
}

// The C escape after a backslash, as systemd's cunescape knows them; other
// characters stand for themselves (systemd's relaxed mode).
char unescape_char(char c) {
    switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case 'a': return '\a';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'v': return '\v';
    case 's': return ' ';
    default: return c;
    }
}

// systemd's extract_first_word with UNQUOTE|CUNESCAPE: blanks separate,
// quotes (single or double, anywhere in a word) group, backslash escapes in
// and out of quotes. `c_escapes` off gives the shell-like split_words rule.
std::vector<std::string> split_quoted(std::string_view text, bool c_escapes) {
    std::vector<std::string> words;
    size_t i = 0;
    while (true) {
        while (i < text.size() && is_blank(text[i])) ++i;
        if (i >= text.size()) break;
        std::string word;
        char quote = 0;
        bool quoted = false; // "" is an empty word, a lone trailing backslash is none
        for (; i < text.size(); ++i) {
            const char c = text[i];
            if (quote == 0 && is_blank(c)) break;
            if (c == '\\' && !(quote == '\'' && !c_escapes)) {
                if (i + 1 >= text.size()) { // a lone trailing backslash is dropped
                    i = text.size();
                    break;
                }
                const char next = text[++i];
                if (c_escapes) {
                    word += unescape_char(next);
                } else if (quote == '"' && next != '"' && next != '\\' && next != '$' && next != '`') {
                    word += '\\'; // the shell keeps a backslash before ordinary characters in "..."
                    word += next;
                } else {
                    word += next;
                }
            } else if (quote != 0 && c == quote) {
                quote = 0;
            } else if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
                quoted = true;
            } else {
                word += c;
            }
        }
        if (!word.empty() || quoted) words.push_back(std::move(word));
    }
    return words;
}

// Replaces every "${NAME}" in `word` and "$$" by "$"; unknown names give "".
std::string expand_braced(const std::string& word, const std::map<std::string, std::string>& env) {
    std::string out;
    for (size_t i = 0; i < word.size(); ++i) {
        if (word[i] == '$' && i + 1 < word.size() && word[i + 1] == '$') {
            out += '$';
            ++i;
        } else if (word[i] == '$' && i + 1 < word.size() && word[i + 1] == '{') {
            const size_t close = word.find('}', i + 2);
            if (close == std::string::npos) {
                out += word.substr(i);
                break;
            }
            const auto it = env.find(word.substr(i + 2, close - i - 2));
            if (it != env.end()) out += it->second;
            i = close;
        } else {
            out += word[i];
        }
    }
    return out;
}

} // namespace

SystemdUnit parse_systemd_unit(std::string_view text, const std::string& source) {
    SystemdUnit unit;
    std::string section;
    // The logical line grows in place: appending keeps a long continuation linear.
    std::string logical;
    bool continuing = false;
    int continuation_line = 0;
    const auto lines = split_lines(text);
    for (size_t n = 0; n < lines.size(); ++n) {
        const int line_no = static_cast<int>(n) + 1;
        std::string_view raw = lines[n];
        // systemd drops comment lines first, also in the middle of a continuation.
        if (is_comment(raw)) continue;
        if (continuing) {
            logical.append(raw);
        } else {
            logical.assign(raw);
            continuation_line = line_no;
        }
        if (logical.size() > k_long_line_max)
            throw ParseError(source, continuation_line, 1, "line longer than systemd's limit of 1 MiB");
        if (ends_with_continuation(logical)) {
            logical.back() = ' ';
            continuing = true;
            continue;
        }
        continuing = false;
        const std::string_view l = trim(logical);
        if (l.empty()) continue;
        if (l.front() == '[') {
            if (l.back() != ']' || l.size() < 3)
                throw ParseError(source, continuation_line, 1, "malformed section header: " + std::string(l));
            section = std::string(l.substr(1, l.size() - 2));
            continue;
        }
        const size_t eq = l.find('=');
        if (eq == std::string_view::npos || trim(l.substr(0, eq)).empty())
            throw ParseError(source, continuation_line, 1, "expected Key=Value, a [Section] or a comment");
        if (section.empty()) throw ParseError(source, continuation_line, 1, "assignment outside of any [Section]");
        UnitEntry e;
        e.section = section;
        e.key = std::string(trim(l.substr(0, eq)));
        e.value = std::string(trim(l.substr(eq + 1)));
        e.line = continuation_line;
        e.source = source;
        unit.entries.push_back(std::move(e));
    }
    // A file ending inside a continuation: systemd still takes the line as is.
    if (continuing) {
        const std::string_view l = trim(logical);
        const size_t eq = l.find('=');
        if (!l.empty() && l.front() != '[') {
            if (eq == std::string_view::npos || section.empty())
                throw ParseError(source, continuation_line, 1, "expected Key=Value, a [Section] or a comment");
            unit.entries.push_back({section, std::string(trim(l.substr(0, eq))), std::string(trim(l.substr(eq + 1))),
                                    continuation_line, source});
        }
    }
    return unit;
}

std::vector<UnitEntry> effective_values(const std::vector<SystemdUnit>& unit_and_dropins, const std::string& section,
                                        const std::string& key) {
    std::vector<UnitEntry> values;
    for (const auto& unit : unit_and_dropins) {
        for (const auto& e : unit.entries) {
            if (e.section != section || e.key != key) continue;
            if (e.value.empty())
                values.clear();
            else
                values.push_back(e);
        }
    }
    return values;
}

std::vector<std::pair<std::string, std::string>> parse_environment_assignments(std::string_view value) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& word : split_quoted(value, true)) {
        const size_t eq = word.find('=');
        // systemd ignores (with a warning) words that are not valid assignments.
        if (eq == std::string::npos || !valid_env_name(std::string_view(word).substr(0, eq))) continue;
        out.emplace_back(word.substr(0, eq), word.substr(eq + 1));
    }
    return out;
}

namespace {

// A position in an environment file, with its line for the errors.
struct EnvCursor {
    std::string_view text;
    size_t i = 0;
    int line = 1;

    bool at_end() const { return i >= text.size(); }
    char peek() const { return text[i]; }
    void skip_rest_of_line() {
        while (i < text.size() && text[i] != '\n') ++i;
    }
    // Skips leading blanks, blank lines and comments up to the next assignment; false at the end.
    bool to_next_assignment() {
        while (true) {
            while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r')) ++i;
            if (at_end()) return false;
            if (text[i] == '\n') {
                ++i;
                ++line;
            } else if (text[i] == '#' || text[i] == ';') {
                skip_rest_of_line();
            } else {
                return true;
            }
        }
    }
};

// NAME (after an optional "export ") and the '=' after it.
std::string_view read_env_name(EnvCursor& c, const std::string& source) {
    const size_t start = c.i;
    while (!c.at_end() && c.peek() != '=' && c.peek() != '\n') ++c.i;
    std::string_view key = trim(c.text.substr(start, c.i - start));
    if (key.substr(0, 7) == "export " || key.substr(0, 7) == "export\t") key = trim(key.substr(7));
    if (c.at_end() || c.peek() != '=' || !valid_env_name(key)) {
        const auto [l, col] = line_column_at(c.text, start);
        throw ParseError(source, l, col, "expected NAME=value");
    }
    ++c.i; // '='
    return key;
}

// A backslash outside quotes escapes the next character; before a newline it continues the line.
void read_unquoted_escape(EnvCursor& c, std::string& value) {
    const char next = c.text[c.i + 1];
    c.i += 2;
    if (next == '\n')
        ++c.line; // continuation: the newline disappears
    else
        value += next;
}

// Inside double quotes a backslash escapes only " \ ` $ and a newline; before anything else it stays.
void read_double_quoted_escape(EnvCursor& c, std::string& value) {
    const char next = c.text[c.i + 1];
    c.i += 2;
    if (next == '\n') {
        ++c.line;
    } else if (next == '"' || next == '\\' || next == '`' || next == '$') {
        value += next;
    } else {
        value += '\\';
        value += next;
    }
}

// The value up to the end of its (continued) line: quotes removed, escapes applied, unquoted
// trailing blanks trimmed.
std::string read_env_value(EnvCursor& c, const std::string& source, int key_line, std::string_view key) {
    while (!c.at_end() && (c.peek() == ' ' || c.peek() == '\t')) ++c.i;
    std::string value;
    size_t trailing_blanks = 0;
    char quote = 0;
    while (!c.at_end()) {
        const char ch = c.peek();
        const bool has_next = c.i + 1 < c.text.size();
        if (quote == 0) {
            if (ch == '\n' || (ch == '\r' && (!has_next || c.text[c.i + 1] == '\n'))) break;
            if (ch == '\\' && has_next) {
                read_unquoted_escape(c, value);
                trailing_blanks = 0;
                continue;
            }
            if (ch == '"' || ch == '\'') {
                quote = ch;
            } else {
                value += ch;
                trailing_blanks = (ch == ' ' || ch == '\t') ? trailing_blanks + 1 : 0;
            }
        } else if (ch == quote) {
            quote = 0;
            trailing_blanks = 0;
        } else if (quote == '"' && ch == '\\' && has_next) {
            read_double_quoted_escape(c, value);
            continue;
        } else {
            if (ch == '\n') ++c.line;
            value += ch;
        }
        ++c.i;
    }
    if (quote != 0) throw ParseError(source, key_line, 1, "unterminated quote in the value of " + std::string(key));
    value.resize(value.size() - trailing_blanks);
    return value;
}

} // namespace

std::map<std::string, std::string> parse_env_file(std::string_view text, const std::string& source) {
    std::map<std::string, std::string> env;
    EnvCursor c{text};
    while (c.to_next_assignment()) {
        const int key_line = c.line;
        const std::string_view key = read_env_name(c, source);
        env[std::string(key)] = read_env_value(c, source, key_line, key);
    }
    return env;
}

std::vector<std::string> split_exec_line(std::string_view line, const std::map<std::string, std::string>& env) {
    std::string_view l = trim(line);
    // Prefixes that change how systemd runs the command, not what it runs.
    while (!l.empty() &&
           (l.front() == '-' || l.front() == '@' || l.front() == '+' || l.front() == '!' || l.front() == ':'))
        l.remove_prefix(1);
    std::vector<std::string> words;
    for (const auto& word : split_quoted(l, true)) {
        const bool whole_variable = word.size() > 1 && word[0] == '$' && word[1] != '{' && word[1] != '$' &&
                                    valid_env_name(std::string_view(word).substr(1));
        if (whole_variable) {
            // "$NAME" as a word of its own: the value split at blanks, zero or more words.
            const auto it = env.find(word.substr(1));
            if (it != env.end())
                for (auto& w : split_quoted(it->second, false)) words.push_back(std::move(w));
            continue;
        }
        words.push_back(expand_braced(word, env));
    }
    return words;
}

std::vector<std::string> split_words(std::string_view text) {
    return split_quoted(text, false);
}

} // namespace kubecert::formats
