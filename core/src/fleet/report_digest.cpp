#include "fleet/report_digest.hpp"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <nlohmann/json.hpp>

#include <kubecert/util/time.hpp>

namespace kubecert::fleet {

namespace {

using Json = nlohmann::json;

// Top-level keys of a report the digest reads; the rest is skipped.
enum class Top { other, schema, generated_at, node, command, dry_run, plugins, findings, after, certificates, errors };
// Keys inside node and inside the items of plugins, findings and certificates.
enum class Field { other, name, flavor, id, status, plugin, not_after, is_authority };

Top top_of(std::string_view k) {
    switch (k.size()) {
    case 4: return k == "node" ? Top::node : Top::other;
    case 5: return k == "after" ? Top::after : Top::other;
    case 6: return k == "schema" ? Top::schema : k == "errors" ? Top::errors : Top::other;
    case 7:
        return k == "command"   ? Top::command
               : k == "dry_run" ? Top::dry_run
               : k == "plugins" ? Top::plugins
                                : Top::other;
    case 8: return k == "findings" ? Top::findings : Top::other;
    case 12: return k == "generated_at" ? Top::generated_at : k == "certificates" ? Top::certificates : Top::other;
    default: return Top::other;
    }
}

Field field_of(std::string_view k) {
    switch (k.size()) {
    case 2: return k == "id" ? Field::id : Field::other;
    case 4: return k == "name" ? Field::name : Field::other;
    case 6:
        return k == "status"   ? Field::status
               : k == "plugin" ? Field::plugin
               : k == "flavor" ? Field::flavor
                               : Field::other;
    case 9: return k == "not_after" ? Field::not_after : Field::other;
    case 12: return k == "is_authority" ? Field::is_authority : Field::other;
    default: return Field::other;
    }
}

bool status_of(std::string_view s, report::FindingStatus* out) {
    using report::FindingStatus;
    if (s == "PASS")
        *out = FindingStatus::pass;
    else if (s == "FAIL")
        *out = FindingStatus::fail;
    else if (s == "WARN")
        *out = FindingStatus::warn;
    else if (s == "INFO")
        *out = FindingStatus::info;
    else if (s == "ERROR")
        *out = FindingStatus::error;
    else
        return false;
    return true;
}

// Findings of one list (the audit, or the after-audit of a fix).
struct FindingList {
    std::array<int, 5> counts{};
    std::vector<NodeDigest::Failing> failing;
    int failing_total = 0;
    bool present = false;
};

// A SAX handler that keeps only what NodeDigest needs: no document is built,
// so a report costs its parse time and nothing more in memory.
class DigestHandler {
public:
    using number_integer_t = Json::number_integer_t;
    using number_unsigned_t = Json::number_unsigned_t;
    using number_float_t = Json::number_float_t;
    using string_t = Json::string_t;
    using binary_t = Json::binary_t;

    bool null() { return true; }
    bool boolean(bool v) {
        if (m_depth == 1 && m_top == Top::dry_run)
            m_digest.dry_run = v;
        else if (m_depth == 3 && m_top == Top::certificates && m_field == Field::is_authority)
            m_cert.is_authority = v;
        return true;
    }
    bool number_integer(number_integer_t) { return true; }
    bool number_unsigned(number_unsigned_t) { return true; }
    bool number_float(number_float_t, const string_t&) { return true; }
    bool binary(binary_t&) { return true; }

    bool string(string_t& v) { return string(std::string_view(v)); }
    bool string(std::string_view v) {
        if (m_depth == 1) {
            switch (m_top) {
            case Top::schema: m_schema = v; break;
            case Top::generated_at: m_generated_at = v; break;
            case Top::command: m_digest.command = v; break;
            default: break;
            }
        } else if (m_depth == 2) {
            if (m_top == Top::errors)
                ++m_digest.run_errors;
            else if (m_top == Top::node && m_field == Field::name)
                m_digest.name = v;
            else if (m_top == Top::node && m_field == Field::flavor)
                m_digest.flavor = v;
        } else if (m_depth == 3 && m_in_item) {
            item_string(v);
        }
        return true;
    }

    bool start_object(std::size_t) {
        ++m_depth;
        if (m_depth == 1) m_saw_object = true;
        if (m_depth == 3 && is_list(m_top)) {
            m_in_item = true;
            m_item_name.clear();
            m_item_id.clear();
            m_item_status_seen = false;
            m_cert = CertificateDigest{};
            m_cert_not_after_seen = false;
        }
        m_field = Field::other;
        return true;
    }
    bool end_object() {
        if (m_depth == 3 && m_in_item) {
            m_in_item = false;
            if (!end_item()) return false;
        }
        --m_depth;
        if (m_depth == 0) m_done = true;
        return true;
    }
    bool start_array(std::size_t) {
        ++m_depth;
        return true;
    }
    bool end_array() {
        --m_depth;
        return true;
    }
    bool key(string_t& k) { return key(std::string_view(k)); }
    bool key(std::string_view k) {
        if (m_depth == 1) {
            m_top = top_of(k);
            if (m_top == Top::findings) m_findings.present = true;
            if (m_top == Top::after) m_after.present = true;
        } else if (m_depth == 2 || m_depth == 3) {
            m_field = field_of(k);
        }
        return true;
    }
    // The fast scanner's error (see Scanner), in the words of parse_error.
    void scan_error(std::string message) { m_error = std::move(message); }
    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
        m_error = "not valid JSON at byte " + std::to_string(position);
        // nlohmann's message ("[json.exception.parse_error.101] parse error at line 1, column 9:
        // syntax error while parsing ...") repeats the position: keep the reason after it.
        const std::string what = e.what();
        const auto column = what.find("column ");
        const auto reason = column == std::string::npos ? std::string::npos : what.find(": ", column);
        std::string why = reason == std::string::npos ? what : what.substr(reason + 2);
        // "; last read: '...'" quotes the report's bytes (a long string, maybe a secret): leave it out.
        if (const auto quoted = why.find("; last read: "); quoted != std::string::npos) why.erase(quoted);
        m_error += ": " + why;
        return false;
    }

    bool done() const { return m_done; }
    bool saw_object() const { return m_saw_object; }

    // The digest once the parse succeeded, or what is missing.
    util::Result<NodeDigest> finish(const std::string& source) {
        auto fail = [&](const std::string& why) {
            return util::make_error(util::ErrorCode::parse, source + ": " + why);
        };
        if (!m_error.empty()) return fail(m_error);
        if (!m_saw_object) return fail("not a kubecert report (not a JSON object)");
        if (m_schema != "kubecert/report/v1")
            return fail(m_schema.empty()
                            ? "not a kubecert report (no \"schema\")"
                            : "not a kubecert/report/v1 report (schema \"" + m_schema.substr(0, 64) + "\")");
        auto at = util::parse_rfc3339(m_generated_at);
        if (!at) return fail("\"generated_at\" is missing or not an RFC 3339 time");
        if (!m_findings.present) return fail("no \"findings\"");
        m_digest.generated_at = *at;
        for (std::size_t i = 0; i < m_digest.certificates.size(); ++i)
            if (i == 0 || m_digest.certificates[i].not_after < m_digest.certificates[m_digest.soonest_index].not_after)
                m_digest.soonest_index = i;
        m_digest.source = source;
        FindingList& now = m_after.present && !m_digest.dry_run ? m_after : m_findings;
        m_digest.counts = now.counts;
        m_digest.failing = std::move(now.failing);
        m_digest.failing_total = now.failing_total;
        if (m_digest.flavor.empty()) {
            for (const auto& p : m_plugins) {
                if (!m_digest.flavor.empty()) m_digest.flavor += '+';
                m_digest.flavor += p;
            }
        }
        if (m_digest.name.empty()) {
            auto slash = source.find_last_of('/');
            std::string base = slash == std::string::npos ? source : source.substr(slash + 1);
            if (base.size() > 5 && base.compare(base.size() - 5, 5, ".json") == 0) base.resize(base.size() - 5);
            m_digest.name = base;
        }
        return std::move(m_digest);
    }

private:
    static bool is_list(Top t) {
        return t == Top::plugins || t == Top::findings || t == Top::after || t == Top::certificates;
    }

    void item_string(std::string_view v) {
        switch (m_top) {
        case Top::plugins:
            if (m_field == Field::name) m_item_name = v;
            break;
        case Top::findings:
        case Top::after:
            if (m_field == Field::id)
                m_item_id = v;
            else if (m_field == Field::status) {
                m_item_status_seen = status_of(v, &m_item_status);
                if (!m_item_status_seen)
                    m_error = "finding status \"" + std::string(v.substr(0, 16)) +
                              "\" is not one of PASS, FAIL, WARN, INFO, ERROR";
            }
            break;
        case Top::certificates:
            if (m_field == Field::name)
                m_cert.name = v;
            else if (m_field == Field::plugin)
                m_cert.plugin = v;
            else if (m_field == Field::not_after) {
                auto t = util::parse_rfc3339(v);
                m_cert_not_after_seen = t.has_value();
                if (t) m_cert.not_after = *t;
            }
            break;
        default: break;
        }
    }

    // False (with m_error) when the item lacks what the digest needs.
    bool end_item() {
        switch (m_top) {
        case Top::plugins:
            if (!m_item_name.empty()) m_plugins.push_back(std::move(m_item_name));
            return true;
        case Top::findings:
        case Top::after: {
            if (!m_error.empty()) return false;
            if (!m_item_status_seen) {
                m_error = "a finding has no \"status\"";
                return false;
            }
            FindingList& list = m_top == Top::after ? m_after : m_findings;
            ++list.counts[static_cast<std::size_t>(m_item_status)];
            if (m_item_status == report::FindingStatus::fail || m_item_status == report::FindingStatus::error) {
                ++list.failing_total;
                if (list.failing.size() < NodeDigest::k_max_failing_ids)
                    list.failing.push_back({std::move(m_item_id), m_item_status});
            }
            return true;
        }
        case Top::certificates:
            if (!m_cert_not_after_seen) {
                m_error = "certificate \"" + m_cert.name.substr(0, 64) + "\" has no RFC 3339 \"not_after\"";
                return false;
            }
            m_digest.certificates.push_back(std::move(m_cert));
            return true;
        default: return true;
        }
    }

    int m_depth = 0;
    Top m_top = Top::other;
    Field m_field = Field::other;
    bool m_saw_object = false;
    bool m_done = false;
    bool m_in_item = false;
    std::string m_error;
    std::string m_schema;
    std::string m_generated_at;
    std::vector<std::string> m_plugins;
    FindingList m_findings;
    FindingList m_after;
    std::string m_item_name;
    std::string m_item_id;
    report::FindingStatus m_item_status = report::FindingStatus::pass;
    bool m_item_status_seen = false;
    CertificateDigest m_cert;
    bool m_cert_not_after_seen = false;
    NodeDigest m_digest;
};

// A strict JSON scanner for whole files, several times faster than
// nlohmann's SAX parser on reports (which are mostly strings): strings are
// handed over as views into the bytes, unescaped only when they hold an
// escape, and nothing is allocated for what the digest skips. It checks the
// grammar (RFC 8259: structure, strings, escapes, numbers, literals, nothing
// after the value); it does not check that strings are valid UTF-8 (the
// writers show such bytes escaped). Nesting is bounded (k_max_depth) so a
// hostile report cannot exhaust the stack.
// The first byte at or after `p` that ends a plain run inside a JSON string:
// the closing quote, a backslash or a control character (or `end`). Sixteen
// bytes at a time where SSE2 exists (every x86-64): a fleet merge spends most
// of its time here, in the reports' strings.
const char* plain_string_end(const char* p, const char* end) {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i below_space = _mm_set1_epi8(0x1f);
    while (end - p >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        // A byte <= 0x1f saturates to zero when 0x1f is subtracted.
        const __m128i control = _mm_cmpeq_epi8(_mm_subs_epu8(v, below_space), _mm_setzero_si128());
        const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)), control);
        const int mask = _mm_movemask_epi8(hit);
        if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
        p += 16;
    }
#endif
    while (p < end && *p != '"' && *p != '\\' && static_cast<unsigned char>(*p) >= 0x20) ++p;
    return p;
}

// The first byte at or after `p` that is not JSON whitespace (or `end`); the
// reports are indented, so runs of spaces follow every line break.
const char* whitespace_end(const char* p, const char* end) {
    auto space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
    if (p == end || !space(*p)) return p; // the common case: no whitespace at all
#if defined(__SSE2__)
    while (end - p >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const __m128i ws =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))),
                         _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\t'))));
        const unsigned other = ~static_cast<unsigned>(_mm_movemask_epi8(ws)) & 0xffffu;
        if (other != 0) return p + __builtin_ctz(other);
        p += 16;
    }
#endif
    while (p < end && space(*p)) ++p;
    return p;
}

class Scanner {
public:
    static constexpr int k_max_depth = 128;

    Scanner(std::string_view text, DigestHandler& handler)
        : m_begin(text.data()), m_p(text.data()), m_end(text.data() + text.size()), m_h(handler) {}

    // Parses the one value of the text; false (and the handler's error set) when malformed.
    bool run() {
        skip_ws();
        if (!value(0)) return false;
        skip_ws();
        if (m_p != m_end) return fail("syntax error while parsing value - unexpected text after the report");
        return true;
    }

private:
    bool fail(const char* what) {
        m_h.scan_error("not valid JSON at byte " + std::to_string(m_p - m_begin + 1) + ": " + what);
        return false;
    }
    bool truncated() { return fail("syntax error - unexpected end of input (truncated?)"); }

    void skip_ws() { m_p = whitespace_end(m_p, m_end); }

    bool value(int depth) {
        if (m_p == m_end) return truncated();
        switch (*m_p) {
        case '{': return object(depth + 1);
        case '[': return array(depth + 1);
        case '"': {
            std::string_view s;
            return string(s) && m_h.string(s);
        }
        case 't': return literal("true", 4) && m_h.boolean(true);
        case 'f': return literal("false", 5) && m_h.boolean(false);
        case 'n': return literal("null", 4) && m_h.null();
        default: return number();
        }
    }

    bool object(int depth) {
        if (depth > k_max_depth) return fail("nesting deeper than 128 levels");
        ++m_p;
        m_h.start_object(0);
        skip_ws();
        if (m_p < m_end && *m_p == '}') {
            ++m_p;
            return m_h.end_object();
        }
        for (;;) {
            if (m_p == m_end) return truncated();
            if (*m_p != '"') return fail("syntax error while parsing object key - expected string literal");
            std::string_view k;
            if (!string(k)) return false;
            m_h.key(k);
            skip_ws();
            if (m_p == m_end) return truncated();
            if (*m_p != ':') return fail("syntax error while parsing object separator - expected ':'");
            ++m_p;
            skip_ws();
            if (!value(depth)) return false;
            skip_ws();
            if (m_p == m_end) return truncated();
            if (*m_p == ',') {
                ++m_p;
                skip_ws();
                continue;
            }
            if (*m_p == '}') {
                ++m_p;
                return m_h.end_object();
            }
            return fail("syntax error while parsing object - expected ',' or '}'");
        }
    }

    bool array(int depth) {
        if (depth > k_max_depth) return fail("nesting deeper than 128 levels");
        ++m_p;
        m_h.start_array(0);
        skip_ws();
        if (m_p < m_end && *m_p == ']') {
            ++m_p;
            return m_h.end_array();
        }
        for (;;) {
            if (!value(depth)) return false;
            skip_ws();
            if (m_p == m_end) return truncated();
            if (*m_p == ',') {
                ++m_p;
                skip_ws();
                continue;
            }
            if (*m_p == ']') {
                ++m_p;
                return m_h.end_array();
            }
            return fail("syntax error while parsing array - expected ',' or ']'");
        }
    }

    // At '"': the string's content, a view into the text or (with escapes) into m_scratch.
    bool string(std::string_view& out) {
        const char* start = ++m_p;
        m_p = plain_string_end(m_p, m_end);
        if (m_p == m_end) return truncated();
        if (*m_p == '"') {
            out = std::string_view(start, static_cast<std::size_t>(m_p - start));
            ++m_p;
            return true;
        }
        if (*m_p == '\\') return escaped_string(start, out);
        return fail("syntax error while parsing value - invalid string: control character must be escaped");
    }

    bool escaped_string(const char* start, std::string_view& out) {
        m_scratch.assign(start, static_cast<std::size_t>(m_p - start));
        while (m_p < m_end) {
            const unsigned char c = static_cast<unsigned char>(*m_p);
            if (c == '"') {
                ++m_p;
                out = m_scratch;
                return true;
            }
            if (c < 0x20)
                return fail("syntax error while parsing value - invalid string: control character must be escaped");
            if (c != '\\') {
                m_scratch += static_cast<char>(c);
                ++m_p;
                continue;
            }
            if (m_end - m_p < 2) return truncated();
            const char e = m_p[1];
            m_p += 2;
            switch (e) {
            case '"': m_scratch += '"'; break;
            case '\\': m_scratch += '\\'; break;
            case '/': m_scratch += '/'; break;
            case 'b': m_scratch += '\b'; break;
            case 'f': m_scratch += '\f'; break;
            case 'n': m_scratch += '\n'; break;
            case 'r': m_scratch += '\r'; break;
            case 't': m_scratch += '\t'; break;
            case 'u': {
                std::uint32_t cp = 0;
                if (!hex4(cp)) return false;
                if (cp >= 0xD800 && cp <= 0xDBFF) { // a surrogate pair
                    if (m_end - m_p < 6 || m_p[0] != '\\' || m_p[1] != 'u')
                        return fail("syntax error while parsing value - invalid string: surrogate U+D800..U+DBFF must "
                                    "be followed by U+DC00..U+DFFF");
                    m_p += 2;
                    std::uint32_t low = 0;
                    if (!hex4(low)) return false;
                    if (low < 0xDC00 || low > 0xDFFF)
                        return fail("syntax error while parsing value - invalid string: surrogate U+D800..U+DBFF must "
                                    "be followed by U+DC00..U+DFFF");
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    return fail("syntax error while parsing value - invalid string: surrogate U+DC00..U+DFFF must "
                                "follow U+D800..U+DBFF");
                }
                append_utf8(cp);
                break;
            }
            default:
                return fail("syntax error while parsing value - invalid string: forbidden character after backslash");
            }
        }
        return truncated();
    }

    bool hex4(std::uint32_t& cp) {
        if (m_end - m_p < 4) return truncated();
        for (int i = 0; i < 4; ++i) {
            const char c = *m_p++;
            cp <<= 4;
            if (c >= '0' && c <= '9')
                cp |= static_cast<std::uint32_t>(c - '0');
            else if (c >= 'a' && c <= 'f')
                cp |= static_cast<std::uint32_t>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                cp |= static_cast<std::uint32_t>(c - 'A' + 10);
            else
                return fail(
                    "syntax error while parsing value - invalid string: '\\u' must be followed by 4 hex digits");
        }
        return true;
    }

    void append_utf8(std::uint32_t cp) {
        if (cp < 0x80) {
            m_scratch += static_cast<char>(cp);
        } else if (cp < 0x800) {
            m_scratch += static_cast<char>(0xC0 | (cp >> 6));
            m_scratch += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            m_scratch += static_cast<char>(0xE0 | (cp >> 12));
            m_scratch += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            m_scratch += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            m_scratch += static_cast<char>(0xF0 | (cp >> 18));
            m_scratch += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            m_scratch += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            m_scratch += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    bool literal(const char* word, std::size_t n) {
        if (static_cast<std::size_t>(m_end - m_p) < n) return truncated();
        if (std::memcmp(m_p, word, n) != 0) return fail("syntax error while parsing value - invalid literal");
        m_p += n;
        return true;
    }

    // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?  (the digest needs no number's value)
    bool number() {
        auto digit = [this] { return m_p < m_end && *m_p >= '0' && *m_p <= '9'; };
        if (m_p < m_end && *m_p == '-') ++m_p;
        if (m_p == m_end) return truncated();
        if (*m_p == '0') {
            ++m_p;
        } else if (digit()) {
            while (digit()) ++m_p;
        } else {
            return fail("syntax error while parsing value - invalid literal");
        }
        if (m_p < m_end && *m_p == '.') {
            ++m_p;
            if (!digit()) return m_p == m_end ? truncated() : fail("syntax error while parsing value - invalid number");
            while (digit()) ++m_p;
        }
        if (m_p < m_end && (*m_p == 'e' || *m_p == 'E')) {
            ++m_p;
            if (m_p < m_end && (*m_p == '+' || *m_p == '-')) ++m_p;
            if (!digit()) return m_p == m_end ? truncated() : fail("syntax error while parsing value - invalid number");
            while (digit()) ++m_p;
        }
        return m_h.number_integer(0);
    }

    const char* m_begin;
    const char* m_p;
    const char* m_end;
    DigestHandler& m_h;
    std::string m_scratch;
};

} // namespace

int severity(report::FindingStatus s) {
    switch (s) {
    case report::FindingStatus::info: return 0;
    case report::FindingStatus::pass: return 1;
    case report::FindingStatus::warn: return 2;
    case report::FindingStatus::fail: return 3;
    case report::FindingStatus::error: return 4;
    }
    return 4;
}

report::FindingStatus NodeDigest::status() const {
    using report::FindingStatus;
    if (run_errors > 0 || counts[static_cast<std::size_t>(FindingStatus::error)] > 0) return FindingStatus::error;
    for (FindingStatus s : {FindingStatus::fail, FindingStatus::warn, FindingStatus::pass})
        if (counts[static_cast<std::size_t>(s)] > 0) return s;
    return FindingStatus::info;
}

util::Result<NodeDigest> digest_report(std::string_view text, const std::string& source) {
    DigestHandler handler;
    // Strict: text after the report (a second report, garbage) is an error here.
    Scanner(text, handler).run();
    return handler.finish(source);
}

void digest_stream(std::istream& in, const std::string& source,
                   const std::function<void(util::Result<NodeDigest>)>& on_report) {
    int index = 0;
    for (;;) {
        // Skip the whitespace between reports; the end of input ends the stream.
        int c = in.peek();
        while (c != EOF && (c == ' ' || c == '\n' || c == '\r' || c == '\t')) {
            in.get();
            c = in.peek();
        }
        if (c == EOF) return;
        ++index;
        const std::string name = index == 1 ? source : source + " (report " + std::to_string(index) + ")";
        DigestHandler handler;
        Json::sax_parse(in, &handler, nlohmann::detail::input_format_t::json, false, false);
        auto digest = handler.finish(name);
        const bool ok = digest.ok();
        if (!ok && !handler.done()) {
            on_report(util::make_error(digest.error().code,
                                       digest.error().message + "; the rest of " + source + " is not read"));
            return;
        }
        on_report(std::move(digest));
    }
}

} // namespace kubecert::fleet
