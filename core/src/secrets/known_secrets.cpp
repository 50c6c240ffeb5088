#include "secrets/known_secrets.hpp"

#include <kubecert/util/base64.hpp>

#include "secrets/key_material.hpp"

namespace kubecert::secrets {

namespace {

// Shorter pieces could be ordinary words; a PEM line is 64 digits, a last line rarely under 16.
constexpr std::size_t k_min_fragment = 16;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '"'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '"'))
        s.remove_suffix(1);
    return s;
}

} // namespace

void KnownSecrets::remember(std::string_view content) {
    // Cheap test first: most files a run reads hold no key.
    if (content.find("PRIVATE KEY") == std::string_view::npos &&
        content.find("LS0tLS1CRUdJTi") == std::string_view::npos && content.find("ey-data") == std::string_view::npos &&
        content.find("ey_data") == std::string_view::npos)
        return;
    for (const auto piece : key_material_pieces(content)) remember_piece(piece, 0);
}

void KnownSecrets::remember_value(std::string_view value) {
    if (value.size() < 8) return;
    std::lock_guard lock(m_mutex);
    m_fragments.emplace(value);
}

void KnownSecrets::remember_piece(std::string_view piece, int depth) {
    if (piece.find("-----BEGIN ") != std::string_view::npos) {
        // A PEM block: each body line, as a diff or a dump would show it.
        std::size_t at = 0;
        while (at < piece.size()) {
            std::size_t nl = piece.find('\n', at);
            if (nl == std::string_view::npos) nl = piece.size();
            const auto line = trim(piece.substr(at, nl - at));
            if (line.size() >= k_min_fragment && line.find("-----") == std::string_view::npos) {
                std::lock_guard lock(m_mutex);
                m_fragments.emplace(line);
            }
            at = nl + 1;
        }
        return;
    }
    // A base64 value: itself, and the key inside it.
    const auto value = trim(piece);
    if (value.size() < k_min_fragment) return;
    {
        std::lock_guard lock(m_mutex);
        m_fragments.emplace(value);
    }
    if (depth > 0) return;
    if (const auto decoded = util::base64_decode(value))
        for (const auto inner : key_material_pieces(*decoded)) remember_piece(inner, depth + 1);
}

std::string KnownSecrets::scrub(std::string_view text) const {
    std::string out = redact_key_material(text);
    std::lock_guard lock(m_mutex);
    for (const auto& fragment : m_fragments) {
        std::size_t pos = 0;
        while ((pos = out.find(fragment, pos)) != std::string::npos) {
            out.replace(pos, fragment.size(), k_redacted);
            pos += k_redacted.size();
        }
    }
    return out;
}

KnownSecrets& known_secrets() {
    static KnownSecrets instance;
    return instance;
}

std::string scrub_for_output(std::string_view text) {
    return known_secrets().scrub(text);
}

void LineScrubber::write(std::string_view chunk) {
    m_pending.append(chunk);
    std::size_t at = 0;
    for (std::size_t nl; (nl = m_pending.find('\n', at)) != std::string::npos; at = nl + 1)
        emit_line(std::string_view(m_pending).substr(at, nl + 1 - at));
    m_pending.erase(0, at);
    // A very long line without an end is shown as it is scrubbed, not kept forever.
    if (m_pending.size() > 65536) flush();
}

void LineScrubber::flush() {
    if (!m_pending.empty()) emit_line(m_pending);
    m_pending.clear();
    std::fflush(m_to);
}

void LineScrubber::emit_line(std::string_view line) {
    const bool begins =
        line.find("-----BEGIN ") != std::string_view::npos && line.find("PRIVATE KEY") != std::string_view::npos;
    const bool ends =
        line.find("-----END ") != std::string_view::npos && line.find("PRIVATE KEY") != std::string_view::npos;
    if (begins && !ends) {
        m_in_key = true;
        std::fputs("[private key redacted]\n", m_to);
        return;
    }
    if (m_in_key) {
        if (ends) m_in_key = false;
        return;
    }
    const auto clean = scrub_for_output(line);
    std::fwrite(clean.data(), 1, clean.size(), m_to);
}

} // namespace kubecert::secrets
