#include "flag_edit.hpp"

#include <vector>

#include <kubecert/formats/kubelet_flags.hpp>

namespace kubecert::eks {

namespace {

constexpr std::string_view k_word_end = " \t\r\n\"'\\";

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

// One "--name[=value]" occurrence: [start, end) covers the flag and its value.
struct Token {
    size_t start = 0;
    size_t name_end = 0;    // just after the name
    size_t value_start = 0; // value text (inside quotes when quoted)
    size_t value_end = 0;
    size_t end = 0;
    bool has_value = false;
    bool next_word = false; // the value is the following word ("--name value")
};

size_t word_end(std::string_view text, size_t pos, size_t limit) {
    while (pos < limit && k_word_end.find(text[pos]) == std::string_view::npos) ++pos;
    return pos;
}

std::vector<Token> find_tokens(std::string_view text, std::pair<size_t, size_t> range, std::string_view name,
                               bool take_next_word_value) {
    std::vector<Token> tokens;
    const std::string needle = "--" + std::string(name);
    const size_t limit = std::min(range.second, text.size());
    size_t pos = range.first;
    while ((pos = text.find(needle, pos)) != std::string_view::npos && pos + needle.size() <= limit) {
        const size_t after = pos + needle.size();
        const bool starts_word =
            pos == 0 || std::string_view(" \t\n\"'=").find(text[pos - 1]) != std::string_view::npos;
        const bool ends_name =
            after == limit || std::string_view("= \t\r\n\"'\\").find(text[after]) != std::string_view::npos;
        if (!starts_word || !ends_name) {
            pos = after;
            continue;
        }
        Token t;
        t.start = pos;
        t.name_end = after;
        t.end = after;
        if (after < limit && text[after] == '=') {
            t.has_value = true;
            if (after + 1 < limit && text[after + 1] == '"') {
                size_t close = text.find('"', after + 2);
                if (close == std::string_view::npos || close >= limit) close = limit - 1;
                t.value_start = after + 2;
                t.value_end = close;
                t.end = close + 1;
            } else {
                t.value_start = after + 1;
                t.value_end = word_end(text, after + 1, limit);
                t.end = t.value_end;
            }
        } else if (take_next_word_value) {
            size_t p = after;
            while (p < limit && is_blank(text[p])) ++p;
            const size_t e = word_end(text, p, limit);
            if (e > p) {
                t.has_value = true;
                t.next_word = true;
                t.value_start = p;
                t.value_end = e;
                t.end = e;
            }
        }
        tokens.push_back(t);
        pos = t.end;
    }
    return tokens;
}

size_t line_start(std::string_view text, size_t pos) {
    size_t nl = pos == 0 ? std::string_view::npos : text.rfind('\n', pos - 1);
    return nl == std::string_view::npos ? 0 : nl + 1;
}

size_t line_end(std::string_view text, size_t pos) {
    size_t nl = text.find('\n', pos);
    return nl == std::string_view::npos ? text.size() : nl;
}

bool only_blanks(std::string_view s) {
    return s.find_first_not_of(" \t\r") == std::string_view::npos;
}

// Removes text[start, end) and the blanks that separated it from its neighbours.
std::string remove_span(std::string_view text, size_t start, size_t end) {
    const size_t ls = line_start(text, start);
    const size_t le = line_end(text, end);
    std::string_view before = text.substr(ls, start - ls);
    std::string_view rest = text.substr(end, le - end);
    std::string_view rest_trim = rest;
    while (!rest_trim.empty() && (is_blank(rest_trim.back()) || rest_trim.back() == '\r')) rest_trim.remove_suffix(1);
    const bool rest_is_continuation = only_blanks(rest) || (only_blanks(rest_trim.substr(0, rest_trim.size() - 1)) &&
                                                            !rest_trim.empty() && rest_trim.back() == '\\');
    std::string out(text);
    if (only_blanks(before) && rest_is_continuation) {
        // The flag has a line of its own: drop the line.
        const bool ends_entry = only_blanks(rest);
        size_t cut_end = le < text.size() ? le + 1 : le;
        out.erase(ls, cut_end - ls);
        if (ends_entry && ls > 0) {
            // The previous line continued onto this one: end the entry there instead.
            size_t prev_end = ls - 1; // the '\n'
            size_t p = prev_end;
            while (p > 0 && (is_blank(out[p - 1]) || out[p - 1] == '\r')) --p;
            if (p > 0 && out[p - 1] == '\\') {
                size_t q = p - 1;
                while (q > 0 && is_blank(out[q - 1])) --q;
                out.erase(q, p - q);
            }
        }
        return out;
    }
    size_t s = start, e = end;
    if (s > ls && is_blank(text[s - 1])) {
        while (s > ls && is_blank(text[s - 1])) --s;
    } else {
        while (e < le && is_blank(text[e])) ++e;
    }
    out.erase(s, e - s);
    return out;
}

} // namespace

std::pair<size_t, size_t> entry_range(std::string_view text, int line) {
    constexpr auto npos = std::string_view::npos;
    if (line < 1) return {npos, npos};
    size_t pos = 0;
    for (int l = 1; l < line; ++l) {
        pos = text.find('\n', pos);
        if (pos == npos) return {npos, npos};
        ++pos;
    }
    const size_t begin = pos;
    while (true) {
        const size_t le = line_end(text, pos);
        std::string_view l = text.substr(pos, le - pos);
        while (!l.empty() && (is_blank(l.back()) || l.back() == '\r')) l.remove_suffix(1);
        if (le == text.size()) return {begin, text.size()};
        if (l.empty() || l.back() != '\\') return {begin, le + 1};
        pos = le + 1;
    }
}

std::string set_flag(std::string_view text, std::pair<size_t, size_t> range, std::string_view name,
                     std::string_view value) {
    std::string out(text);
    auto tokens = find_tokens(text, range, name, false);
    for (auto it = tokens.rbegin(); it != tokens.rend(); ++it)
        out.replace(it->name_end, it->end - it->name_end, "=" + std::string(value));
    return out;
}

std::string remove_flag(std::string_view text, std::pair<size_t, size_t> range, std::string_view name) {
    std::string out(text);
    auto tokens = find_tokens(text, range, name, true);
    for (auto it = tokens.rbegin(); it != tokens.rend(); ++it) {
        Token t = *it;
        // "--name word": drop the word only when it is this flag's boolean value.
        if (t.next_word &&
            !formats::parse_go_bool(std::string_view(text).substr(t.value_start, t.value_end - t.value_start)))
            t.end = t.name_end;
        out = remove_span(out, t.start, t.end);
    }
    return out;
}

std::string drop_false_feature_gate(std::string_view text, std::pair<size_t, size_t> range, std::string_view gate) {
    std::string out(text);
    auto tokens = find_tokens(text, range, "feature-gates", true);
    for (auto it = tokens.rbegin(); it != tokens.rend(); ++it) {
        if (!it->has_value) continue;
        std::string_view value = std::string_view(text).substr(it->value_start, it->value_end - it->value_start);
        std::string kept;
        bool dropped = false;
        size_t pos = 0;
        while (pos <= value.size()) {
            size_t comma = value.find(',', pos);
            if (comma == std::string_view::npos) comma = value.size();
            std::string_view pair = value.substr(pos, comma - pos);
            size_t eq = pair.find('=');
            auto trimmed = [](std::string_view s) {
                while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
                while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
                return s;
            };
            bool drop = eq != std::string_view::npos && trimmed(pair.substr(0, eq)) == gate &&
                        formats::parse_go_bool(trimmed(pair.substr(eq + 1))) == false;
            if (drop) {
                dropped = true;
            } else if (!trimmed(pair).empty()) {
                kept += (kept.empty() ? "" : ",") + std::string(pair);
            }
            pos = comma + 1;
        }
        if (!dropped) continue;
        if (kept.empty())
            out = remove_span(out, it->start, it->end);
        else
            out.replace(it->value_start, it->value_end - it->value_start, kept);
    }
    return out;
}

std::string append_flag(std::string_view text, std::pair<size_t, size_t> range, std::string_view flag_word) {
    size_t end = std::min(range.second, text.size());
    size_t p = end;
    while (p > range.first && (text[p - 1] == '\n' || text[p - 1] == '\r' || is_blank(text[p - 1]))) --p;
    std::string out(text);
    out.insert(p, " " + std::string(flag_word));
    return out;
}

} // namespace kubecert::eks
