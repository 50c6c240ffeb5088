#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "host/transaction.hpp"

namespace kubecert::host {

namespace {

constexpr std::size_t k_context = 3;
// Above this many cells the middle is shown as removed-then-added: still a
// correct diff, just not a minimal one, and no quadratic memory.
constexpr std::size_t k_max_table = 16u * 1024u * 1024u;

// Lines keep their "\n", so a last line without one differs from the same
// text with one, as diff(1) sees it.
std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        end = end == std::string::npos ? text.size() : end + 1;
        lines.push_back(text.substr(start, end - start));
        start = end;
    }
    return lines;
}

struct Op {
    char kind;     // ' ', '-', '+'
    std::size_t a; // lines of `before` consumed before this op
    std::size_t b; // lines of `after` consumed before this op
};

std::vector<Op> edit_script(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    std::size_t prefix = 0;
    while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
    std::size_t suffix = 0;
    while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
           a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
        ++suffix;

    std::vector<Op> ops;
    for (std::size_t i = 0; i < prefix; ++i) ops.push_back({' ', i, i});
    const std::size_t n = a.size() - prefix - suffix;
    const std::size_t m = b.size() - prefix - suffix;
    std::size_t i = 0, j = 0;
    if (n > 0 && m > 0 && (n + 1) * (m + 1) <= k_max_table) {
        // Longest common subsequence of the middle, filled from the end.
        std::vector<std::uint32_t> table((n + 1) * (m + 1), 0);
        auto at = [&](std::size_t x, std::size_t y) -> std::uint32_t& { return table[x * (m + 1) + y]; };
        for (std::size_t x = n; x-- > 0;)
            for (std::size_t y = m; y-- > 0;)
                at(x, y) = a[prefix + x] == b[prefix + y] ? at(x + 1, y + 1) + 1 : std::max(at(x + 1, y), at(x, y + 1));
        while (i < n && j < m) {
            if (a[prefix + i] == b[prefix + j]) {
                ops.push_back({' ', prefix + i, prefix + j});
                ++i, ++j;
            } else if (at(i + 1, j) >= at(i, j + 1)) {
                ops.push_back({'-', prefix + i, prefix + j});
                ++i;
            } else {
                ops.push_back({'+', prefix + i, prefix + j});
                ++j;
            }
        }
    }
    for (; i < n; ++i) ops.push_back({'-', prefix + i, prefix + j});
    for (; j < m; ++j) ops.push_back({'+', prefix + n, prefix + j});
    for (std::size_t k = 0; k < suffix; ++k) ops.push_back({' ', prefix + n + k, prefix + m + k});
    return ops;
}

// "l,n" as diff(1) writes it: ",1" left out, and an empty range names the line before it.
std::string range(std::size_t first, std::size_t count) {
    if (count == 0) return std::to_string(first) + ",0";
    if (count == 1) return std::to_string(first + 1);
    return std::to_string(first + 1) + "," + std::to_string(count);
}

std::string diff_lines(const std::string& old_label, const std::string& new_label, const std::string& before,
                       const std::string& after) {
    if (before == after) return "";
    const auto a = split_lines(before);
    const auto b = split_lines(after);
    const auto ops = edit_script(a, b);

    std::string out = "--- " + old_label + "\n+++ " + new_label + "\n";
    std::size_t k = 0;
    while (k < ops.size()) {
        while (k < ops.size() && ops[k].kind == ' ') ++k;
        if (k == ops.size()) break;
        const std::size_t start = k >= k_context ? k - k_context : 0;
        std::size_t end = k + 1; // one past the last change of the hunk
        for (;;) {
            std::size_t next = end;
            while (next < ops.size() && ops[next].kind == ' ') ++next;
            // Changes closer than two contexts share a hunk, as diff -u does.
            if (next == ops.size() || next - end > 2 * k_context) break;
            end = next + 1;
        }
        const std::size_t stop = std::min(ops.size(), end + k_context);
        std::size_t old_count = 0, new_count = 0;
        for (std::size_t x = start; x < stop; ++x) {
            if (ops[x].kind != '+') ++old_count;
            if (ops[x].kind != '-') ++new_count;
        }
        out += "@@ -" + range(ops[start].a, old_count) + " +" + range(ops[start].b, new_count) + " @@\n";
        for (std::size_t x = start; x < stop; ++x) {
            const std::string& line = ops[x].kind == '+' ? b[ops[x].b] : a[ops[x].a];
            out += ops[x].kind;
            out += line;
            if (line.empty() || line.back() != '\n') out += "\n\\ No newline at end of file\n";
        }
        k = stop;
    }
    return out;
}

std::string label(const char* side, const std::string& path) {
    return std::string(side) + (path.empty() || path[0] != '/' ? "/" : "") + path;
}

} // namespace

std::string unified_diff(const std::string& path, const std::string& before, const std::string& after) {
    return diff_lines(label("a", path), label("b", path), before, after);
}

std::string unified_diff_new_file(const std::string& path, const std::string& after) {
    return diff_lines("/dev/null", label("b", path), "", after);
}

} // namespace kubecert::host
