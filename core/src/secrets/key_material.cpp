#include "secrets/key_material.hpp"

#include <kubecert/util/base64.hpp>

#include <algorithm>
#include <cctype>
#include <vector>

namespace kubecert::secrets {

namespace {

struct Span {
    std::size_t begin;
    std::size_t end;
};

bool is_base64_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=';
}

// End of a run of base64 digits starting at `pos`.
std::size_t base64_run_end(std::string_view text, std::size_t pos) {
    while (pos < text.size() && is_base64_char(text[pos])) ++pos;
    return pos;
}

// End of a PEM body that has lost its END line: base64, whitespace and the
// escapes JSON and C use for line breaks ("\n", "\r").
std::size_t pem_body_end(std::string_view text, std::size_t pos) {
    while (pos < text.size()) {
        const char c = text[pos];
        if (is_base64_char(c) || c == '\n' || c == '\r' || c == ' ' || c == '\t') {
            ++pos;
        } else if (c == '\\' && pos + 1 < text.size() && (text[pos + 1] == 'n' || text[pos + 1] == 'r')) {
            pos += 2;
        } else {
            break;
        }
    }
    return pos;
}

// "-----BEGIN <LABEL>PRIVATE KEY-----" ... "-----END <LABEL>PRIVATE KEY-----"
// (RSA, EC, ENCRYPTED, OPENSSH, plain PKCS#8), or to the end of the body when
// the END line is missing.
void find_pem_blocks(std::string_view text, std::vector<Span>& out) {
    static constexpr std::string_view begin_mark = "-----BEGIN ";
    static constexpr std::string_view key_mark = "PRIVATE KEY-----";
    std::size_t pos = 0;
    while ((pos = text.find(begin_mark, pos)) != std::string_view::npos) {
        const std::size_t label_end = text.find("-----", pos + begin_mark.size());
        if (label_end == std::string_view::npos) break;
        const std::size_t header_end = label_end + 5;
        const std::string_view header = text.substr(pos, header_end - pos);
        if (header.size() < key_mark.size() || header.substr(header.size() - key_mark.size()) != key_mark ||
            header.size() > 80) {
            // Not a key header; its closing dashes may open the next "-----BEGIN ", which must still be seen.
            pos = label_end;
            continue;
        }
        std::size_t end = pem_body_end(text, header_end);
        static constexpr std::string_view end_mark = "-----END ";
        if (text.substr(end, end_mark.size()) == end_mark) {
            const std::size_t close = text.find("-----", end + end_mark.size());
            end = close == std::string_view::npos ? text.size() : close + 5;
        }
        out.push_back({pos, end});
        pos = end;
    }
}

// base64 of "-----BEGIN ..." starts with this whatever follows.
constexpr std::string_view k_b64_begin = "LS0tLS1CRUdJTi";

// Base64 runs that decode to a PEM private key header.
void find_base64_pem_keys(std::string_view text, std::vector<Span>& out) {
    std::size_t pos = 0;
    while ((pos = text.find(k_b64_begin, pos)) != std::string_view::npos) {
        const std::size_t end = base64_run_end(text, pos);
        const std::size_t probe = std::min<std::size_t>(end - pos, 96) / 4 * 4;
        const auto head = util::base64_decode(text.substr(pos, probe));
        if (head && head->find("PRIVATE KEY") != std::string::npos) out.push_back({pos, end});
        pos = end;
    }
}

// `b` is a lowercase ASCII letter: ASCII case folding, inline (std::tolower is a
// locale call per byte, the cost of scrubbing a fleet report of megabytes).
bool ieq(char a, char b) {
    return (static_cast<unsigned char>(a) | 0x20) == static_cast<unsigned char>(b);
}

// The value after any key ending in "key-data" / "key_data" (kubeconfig's
// client-key-data, and whatever a report or log calls it): `name: value`,
// `"name": "value"`, `name=value`.
void find_key_data_values(std::string_view text, std::vector<Span>& out) {
    // Anchored on the separator ("key" + '-'/'_' + "data"): one compare per byte
    // in the common case, which is what scrubbing a fleet report of megabytes costs.
    const std::size_t n = text.size();
    for (std::size_t sep = 3; sep + 5 <= n; ++sep) {
        if (text[sep] != '-' && text[sep] != '_') continue;
        if (!ieq(text[sep - 3], 'k') || !ieq(text[sep - 2], 'e') || !ieq(text[sep - 1], 'y') ||
            !ieq(text[sep + 1], 'd') || !ieq(text[sep + 2], 'a') || !ieq(text[sep + 3], 't') ||
            !ieq(text[sep + 4], 'a'))
            continue;
        std::size_t v = sep + 5;
        while (v < n && (text[v] == '"' || text[v] == '\'' || text[v] == ' ' || text[v] == '\t')) ++v;
        if (v >= n || (text[v] != ':' && text[v] != '=')) continue;
        ++v;
        while (v < n && (text[v] == '"' || text[v] == '\'' || text[v] == ' ' || text[v] == '\t')) ++v;
        const std::size_t end = base64_run_end(text, v);
        // Short words ("null", a placeholder) are no key; real ones are hundreds of digits.
        if (end - v >= 16) out.push_back({v, end});
        if (end > sep) sep = end - 1;
    }
}

std::vector<Span> find_all(std::string_view text) {
    std::vector<Span> spans;
    if (text.find("PRIVATE KEY") != std::string_view::npos) find_pem_blocks(text, spans);
    if (text.find(k_b64_begin) != std::string_view::npos) find_base64_pem_keys(text, spans);
    find_key_data_values(text, spans);
    std::sort(spans.begin(), spans.end(),
              [](const Span& a, const Span& b) { return a.begin < b.begin || (a.begin == b.begin && a.end > b.end); });
    // Two patterns can find the same key (a client-key-data value is also base64 of a PEM): keep one span.
    std::vector<Span> merged;
    for (const auto& s : spans) {
        if (!merged.empty() && s.begin < merged.back().end)
            merged.back().end = std::max(merged.back().end, s.end);
        else
            merged.push_back(s);
    }
    return merged;
}

} // namespace

bool contains_key_material(std::string_view text) {
    return !find_all(text).empty();
}

std::vector<std::string_view> key_material_pieces(std::string_view text) {
    std::vector<std::string_view> pieces;
    for (const auto& s : find_all(text)) pieces.push_back(text.substr(s.begin, s.end - s.begin));
    return pieces;
}

std::string redact_key_material(std::string_view text) {
    const auto spans = find_all(text);
    if (spans.empty()) return std::string(text);
    std::string out;
    out.reserve(text.size());
    std::size_t at = 0;
    for (const auto& s : spans) {
        out.append(text.substr(at, s.begin - at));
        out.append(k_redacted);
        at = s.end;
    }
    out.append(text.substr(at));
    return out;
}

} // namespace kubecert::secrets
