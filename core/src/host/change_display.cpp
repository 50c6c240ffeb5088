#include "host/change_display.hpp"

#include <vector>

#include <kubecert/util/time.hpp>

#include "host/transaction.hpp"
#include "secrets/key_material.hpp"
#include "secrets/key_summary.hpp"
#include "x509/certificate.hpp"

namespace kubecert::host {

namespace {

std::string key_line(std::string_view key) {
    const auto summary = secrets::describe_private_key(key);
    return "<private key: " + summary.value_or("unreadable") + ">";
}

std::string certificate_line(std::string_view data) {
    auto cert = x509::parse_certificate(data, "embedded certificate");
    if (!cert) return "<certificate: unreadable>";
    return "<certificate: " + cert->subject + ", valid " + util::format_rfc3339(cert->not_before) + " to " +
           util::format_rfc3339(cert->not_after) + ">";
}

// The value of a "name: value" line whose name ends in `suffix`, as offsets.
bool value_of_line(const std::string& line, std::string_view suffix, std::size_t& begin) {
    const auto colon = line.find(':');
    if (colon == std::string::npos || colon < suffix.size()) return false;
    std::size_t name_end = colon;
    while (name_end > 0 && (line[name_end - 1] == '"' || line[name_end - 1] == ' ')) --name_end;
    if (name_end < suffix.size() || line.compare(name_end - suffix.size(), suffix.size(), suffix) != 0) return false;
    begin = line.find_first_not_of(" \t\"", colon + 1);
    return begin != std::string::npos;
}

// One line of a kubeconfig-like file with its embedded key or certificate described.
std::string display_line(const std::string& line) {
    std::size_t at = 0;
    if (value_of_line(line, "key-data", at)) return line.substr(0, at) + key_line(line.substr(at));
    if (value_of_line(line, "certificate-data", at) || value_of_line(line, "authority-data", at))
        return line.substr(0, at) + certificate_line(line.substr(at));
    return line;
}

std::vector<std::string> key_summaries(const std::string& content) {
    std::vector<std::string> out;
    for (const auto piece : secrets::key_material_pieces(content))
        out.push_back(secrets::describe_private_key(piece).value_or("unreadable private key"));
    return out;
}

// "RSA 2048, public key sha256:X" -> "RSA 2048, new public key sha256:X".
std::string as_new(const std::string& summary) {
    const auto at = summary.find("public key");
    return at == std::string::npos ? summary : summary.substr(0, at) + "new " + summary.substr(at);
}

} // namespace

std::string display_form(const std::string& content) {
    // PEM key blocks first (they span lines), then line by line.
    std::string text;
    std::size_t at = 0;
    for (const auto piece : secrets::key_material_pieces(content)) {
        const auto begin = static_cast<std::size_t>(piece.data() - content.data());
        if (begin < at || piece.find("-----BEGIN ") != 0) continue;
        text.append(content, at, begin - at);
        text += key_line(piece);
        at = begin + piece.size();
    }
    text.append(content, at, std::string::npos);

    std::string out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        const bool has_nl = nl != std::string::npos;
        if (!has_nl) nl = text.size();
        out += display_line(text.substr(pos, nl - pos));
        if (has_nl) out += '\n';
        pos = nl + 1;
    }
    return out;
}

std::string describe_change(const std::string& node_path, const std::optional<std::string>& before,
                            const std::string& after) {
    std::string head;
    const auto old_keys = before ? key_summaries(*before) : std::vector<std::string>{};
    const auto new_keys = key_summaries(after);
    for (std::size_t i = 0; i < new_keys.size(); ++i) {
        if (i < old_keys.size() && old_keys[i] == new_keys[i]) continue;
        head += std::string(i < old_keys.size() ? "private key replaced (" : "private key created (") +
                as_new(new_keys[i]) + ")\n";
    }
    for (std::size_t i = new_keys.size(); i < old_keys.size(); ++i) head += "private key removed\n";

    const std::string diff = before ? unified_diff(node_path, display_form(*before), display_form(after))
                                    : unified_diff_new_file(node_path, display_form(after));
    if (diff.empty() && head.empty() && (!before || *before != after))
        return "content changed (private key material is not shown)\n";
    return head + diff;
}

} // namespace kubecert::host
