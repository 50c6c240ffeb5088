#include "net/http_response.hpp"

#include <algorithm>
#include <optional>

// The response half of net/http_client.cpp, apart from the socket so that it
// can be driven on bytes.
namespace kubecert::net {
namespace {

using util::ErrorCode;
using util::make_error;

constexpr std::size_t k_max_body = 16u * 1024u * 1024u;
// Far above what an API server sends; bounds memory against a peer that
// streams one endless header or chunk-size line.
constexpr std::size_t k_max_line = 64u * 1024u;
constexpr std::size_t k_max_header_bytes = 256u * 1024u;

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), lower);
    return out;
}

// Buffers the response so that the parser can ask for lines and byte counts.
class Reader {
public:
    Reader(const ReadSome& read_some, const std::string& label) : m_read_some(read_some), m_label(label) {}

    // One line without its line ending (CRLF or a lone LF); an error when the
    // peer closes first or the line is longer than k_max_line.
    util::Result<std::string> line() {
        for (;;) {
            std::size_t nl = m_buf.find('\n', m_pos);
            if (nl != std::string::npos) {
                std::string out = m_buf.substr(m_pos, nl - m_pos);
                m_pos = nl + 1;
                if (!out.empty() && out.back() == '\r') out.pop_back();
                return out;
            }
            if (m_buf.size() - m_pos > k_max_line) return malformed("a line longer than 64 KiB");
            auto n = fill();
            if (!n.ok()) return n.error();
            if (*n == 0) return malformed("the connection closed in the middle of the headers");
        }
    }

    // Appends exactly `count` bytes to `out`.
    util::Status take(std::size_t count, std::string& out) {
        while (m_buf.size() - m_pos < count) {
            auto n = fill();
            if (!n.ok()) return n.error();
            if (*n == 0) return malformed("the connection closed before the end of the body");
        }
        out.append(m_buf, m_pos, count);
        m_pos += count;
        return util::ok_status();
    }

    // Appends everything up to the peer's close, at most k_max_body in all.
    util::Status take_until_close(std::string& out) {
        for (;;) {
            out.append(m_buf, m_pos);
            m_buf.clear();
            m_pos = 0;
            if (out.size() > k_max_body) return too_large();
            auto n = fill();
            if (!n.ok()) return n.error();
            if (*n == 0) return util::ok_status();
        }
    }

    util::Error malformed(const std::string& why) const {
        // A peer that answered, badly: not "unreachable" (ErrorCode::parse reaches plugins as KUBECERT_ERR_PARSE).
        return make_error(ErrorCode::parse, m_label + ": malformed HTTP response: " + why);
    }

    util::Error too_large() const {
        return make_error(ErrorCode::parse, m_label + ": oversized HTTP response: body larger than 16 MiB");
    }

private:
    util::Result<std::size_t> fill() {
        if (m_pos > 0 && m_pos == m_buf.size()) {
            m_buf.clear();
            m_pos = 0;
        }
        char chunk[16384];
        auto n = m_read_some(chunk, sizeof chunk);
        if (n.ok()) m_buf.append(chunk, *n);
        return n;
    }

    const ReadSome& m_read_some;
    const std::string& m_label;
    std::string m_buf;
    std::size_t m_pos = 0;
};

struct Head {
    int status = 0;
    std::optional<std::size_t> content_length;
    bool chunked = false;
    bool has_transfer_encoding = false;
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// "HTTP/1.x NNN reason"; the reason phrase may be empty or absent.
std::optional<int> parse_status_line(std::string_view line) {
    if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || line[7] < '0' || line[7] > '9' || line[8] != ' ')
        return std::nullopt;
    std::string_view code = line.substr(9, 3);
    if (!std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }) || code[0] == '0')
        return std::nullopt;
    if (line.size() > 12 && line[12] != ' ') return std::nullopt;
    return (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
}

util::Result<Head> read_head(Reader& in) {
    Head head;
    // Interim 1xx answers (103 Early Hints) precede the real one.
    for (;;) {
        auto status_line = in.line();
        if (!status_line.ok()) return status_line.error();
        auto status = parse_status_line(*status_line);
        if (!status) return in.malformed("bad status line \"" + status_line->substr(0, 80) + "\"");
        head = Head{};
        head.status = *status;
        std::size_t header_bytes = 0;
        for (;;) {
            auto line = in.line();
            if (!line.ok()) return line.error();
            if (line->empty()) break;
            header_bytes += line->size();
            if (header_bytes > k_max_header_bytes) return in.malformed("headers larger than 256 KiB");
            std::size_t colon = line->find(':');
            if (colon == 0 || colon == std::string::npos || line->find_first_of(" \t") < colon)
                return in.malformed("bad header line \"" + line->substr(0, 80) + "\"");
            std::string name = to_lower(std::string_view(*line).substr(0, colon));
            std::string_view value = trim(std::string_view(*line).substr(colon + 1));
            if (name == "content-length") {
                if (value.empty() || value.size() > 12 ||
                    value.find_first_not_of("0123456789") != std::string_view::npos)
                    return in.malformed("bad Content-Length \"" + std::string(value) + "\"");
                std::size_t n = std::stoull(std::string(value));
                if (head.content_length && *head.content_length != n)
                    return in.malformed("conflicting Content-Length headers");
                head.content_length = n;
            } else if (name == "transfer-encoding") {
                // Only the last coding says how the message ends (RFC 9112 6.1).
                std::string codings = to_lower(value);
                std::size_t comma = codings.rfind(',');
                head.has_transfer_encoding = true;
                head.chunked =
                    trim(comma == std::string::npos ? codings : std::string_view(codings).substr(comma + 1)) ==
                    "chunked";
            }
        }
        if (head.status >= 200 || head.status == 101) return head;
    }
}

util::Status read_chunked(Reader& in, std::string& body) {
    for (;;) {
        auto size_line = in.line();
        if (!size_line.ok()) return size_line.error();
        std::string_view hex = trim(std::string_view(*size_line).substr(0, size_line->find(';')));
        if (hex.empty() || hex.size() > 8 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos)
            return in.malformed("bad chunk size \"" + size_line->substr(0, 80) + "\"");
        std::size_t size = std::stoul(std::string(hex), nullptr, 16);
        if (size == 0) break;
        if (body.size() + size > k_max_body) return in.too_large();
        auto data = in.take(size, body);
        if (!data.ok()) return data;
        auto end = in.line();
        if (!end.ok()) return end.error();
        if (!end->empty()) return in.malformed("chunk longer than its size");
    }
    // Trailer fields are read and ignored, up to the empty line.
    for (;;) {
        auto trailer = in.line();
        if (!trailer.ok()) return trailer.error();
        if (trailer->empty()) return util::ok_status();
    }
}

util::Result<HttpResponse> read_response(Reader& in) {
    auto head = read_head(in);
    if (!head.ok()) return head.error();
    HttpResponse response{head->status, {}};
    if (head->status == 204 || head->status == 304 || head->status == 101) return response;
    if (head->has_transfer_encoding) {
        util::Status done = head->chunked ? read_chunked(in, response.body) : in.take_until_close(response.body);
        if (!done.ok()) return done.error();
    } else if (head->content_length) {
        if (*head->content_length > k_max_body) return in.too_large();
        auto done = in.take(*head->content_length, response.body);
        if (!done.ok()) return done.error();
    } else {
        auto done = in.take_until_close(response.body);
        if (!done.ok()) return done.error();
    }
    return response;
}

} // namespace

util::Result<HttpResponse> read_http_response(const ReadSome& read_some, const std::string& label) {
    Reader in(read_some, label);
    return read_response(in);
}

util::Result<HttpResponse> parse_http_response(std::string_view bytes, const std::string& label) {
    ReadSome from_bytes = [&bytes](char* out, std::size_t size) -> util::Result<std::size_t> {
        const std::size_t n = std::min(size, bytes.size());
        std::copy_n(bytes.data(), n, out);
        bytes.remove_prefix(n);
        return n;
    };
    return read_http_response(from_bytes, label);
}

} // namespace kubecert::net
