#include "report/printable.hpp"

namespace kubecert::report {

namespace {

void append_hex(std::string& out, unsigned char c) {
    static constexpr char hex[] = "0123456789abcdef";
    out += "\\x";
    out += hex[c >> 4];
    out += hex[c & 15];
}

// Length of the valid UTF-8 sequence at `s[i]` (0 when invalid), as RFC 3629 defines it.
std::size_t utf8_length(std::string_view s, std::size_t i) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
    const unsigned char c = b(0);
    std::size_t n = c < 0x80                   ? 1
                    : (c >= 0xc2 && c <= 0xdf) ? 2
                    : (c >= 0xe0 && c <= 0xef) ? 3
                    : (c >= 0xf0 && c <= 0xf4) ? 4
                                               : 0;
    if (n == 0 || i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k)
        if ((b(k) & 0xc0) != 0x80) return 0;
    if (n == 3 && ((c == 0xe0 && b(1) < 0xa0) || (c == 0xed && b(1) > 0x9f))) return 0; // overlong, surrogates
    if (n == 4 && ((c == 0xf0 && b(1) < 0x90) || (c == 0xf4 && b(1) > 0x8f))) return 0; // overlong, > U+10FFFF
    return n;
}

// Applies printable() to every string of a report; `all_lines` keeps line breaks everywhere.
struct Printer {
    bool all_lines = false;

    void operator()(std::string& s, bool keep_newlines = false) const { s = printable(s, keep_newlines || all_lines); }

    void operator()(Finding& f) const {
        (*this)(f.title);
        (*this)(f.result);
        (*this)(f.benchmark);
        (*this)(f.remediation, true);
        for (auto& e : f.evidence) {
            (*this)(e.source);
            (*this)(e.key);
            (*this)(e.actual, true); // evidence_line() shows line breaks as "\n" itself
            (*this)(e.expected, true);
        }
    }
};

} // namespace

std::string printable(std::string_view s, bool keep_newlines) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t n = utf8_length(s, i);
        const bool c1 = n == 2 && c == 0xc2 && static_cast<unsigned char>(s[i + 1]) < 0xa0;
        if (n == 0 || c1 || c == 0x7f || (c < 0x20 && c != '\t' && !(c == '\n' && keep_newlines))) {
            append_hex(out, c);
            ++i;
            continue;
        }
        out.append(s.substr(i, n));
        i += n;
    }
    return out;
}

Report printable_copy(const Report& report, bool keep_all_newlines) {
    const Printer fix{keep_all_newlines};
    Report r = report;
    fix(r.root);
    for (auto& f : r.findings) fix(f);
    for (auto& f : r.after) fix(f);
    for (auto& c : r.certificates) {
        fix(c.name);
        fix(c.path);
        fix(c.subject);
        fix(c.issuer);
        fix(c.authority);
    }
    for (auto& a : r.actions) {
        fix(a.target);
        fix(a.backup);
        fix(a.detail, true);
    }
    for (auto& e : r.errors) fix(e);
    return r;
}

} // namespace kubecert::report
