#pragma once

#include <cstdio>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

// The last gate before anything leaves the process: every report, --output
// file, log line and streamed command output passes scrub_for_output().
// Besides the patterns of key_material.hpp it removes the keys this run has
// actually seen (read from the node, written by a fix, issued), remembered
// as the lines a diff hunk or a command's output could show of them, so a
// fragment without its PEM header is caught too. One per process, because
// the gate is the process boundary.
namespace kubecert::secrets {

class KnownSecrets {
public:
    // Remembers every private key in `content` (PEM blocks, base64 of them,
    // *-key-data values).
    void remember(std::string_view content);
    // Remembers a secret that has no recognisable shape (a bearer token), as
    // a whole; values shorter than 8 characters are ignored (they would blank
    // ordinary words).
    void remember_value(std::string_view value);
    // `text` without key material: patterns first, then remembered fragments.
    std::string scrub(std::string_view text) const;

private:
    void remember_piece(std::string_view piece, int depth);

    mutable std::mutex m_mutex;
    std::set<std::string, std::less<>> m_fragments;
};

KnownSecrets& known_secrets();

// known_secrets().scrub(text).
std::string scrub_for_output(std::string_view text);

// The gate for output that arrives in pieces (a command's streamed output):
// whole lines pass scrub_for_output(), and the lines of a PEM private key
// block are held back from its BEGIN line to its END line.
class LineScrubber {
public:
    explicit LineScrubber(std::FILE* to) : m_to(to) {}
    ~LineScrubber() { flush(); }
    LineScrubber(const LineScrubber&) = delete;
    LineScrubber& operator=(const LineScrubber&) = delete;

    void write(std::string_view chunk);
    void flush();

private:
    void emit_line(std::string_view line);

    std::FILE* m_to;
    std::string m_pending;
    bool m_in_key = false;
};

} // namespace kubecert::secrets
