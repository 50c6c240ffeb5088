// Switching a kubeconfig user from embedded credentials to files on disk.
#include <algorithm>

#include <kubecert/formats/kubeconfig.hpp>
#include <kubecert/formats/parse_error.hpp>
#include <kubecert/formats/yaml_edit.hpp>

namespace kubecert::formats {

namespace {

// The byte range "KEY: VALUE" of `key` whose value is at `value`, when both are on one line.
std::pair<size_t, size_t> key_and_value(std::string_view text, const TextSpan& value, const std::string& key,
                                        const std::string& source) {
    const size_t line_start = text.rfind('\n', value.offset == 0 ? 0 : value.offset - 1);
    const size_t from = line_start == std::string_view::npos ? 0 : line_start + 1;
    const size_t at = text.substr(from, value.offset - from).find(key);
    if (at == std::string_view::npos)
        throw ParseError(source, 0, 0,
                         key + " is not written as \"" + key + ": VALUE\" on one line; cannot edit it safely");
    size_t end = value.offset + value.length;
    // A quoted value: take the closing quote too.
    if (end < text.size() && (text[end] == '"' || text[end] == '\'')) ++end;
    return {from + at, end};
}

} // namespace

std::string use_client_certificate_files(std::string_view text, const std::string& source, const std::string& user_name,
                                         const std::string& cert_path, const std::string& key_path) {
    const YAML::Node root = parse_yaml(text, source);
    YAML::Node body;
    if (root.IsMap() && root["users"] && root["users"].IsSequence())
        for (const auto& item : root["users"])
            if (item.IsMap() && item["name"] && item["name"].IsScalar() && item["name"].Scalar() == user_name)
                body.reset(item["user"]);
    if (!body.IsDefined() || !body.IsMap()) throw ParseError(source, 0, 0, "no user \"" + user_name + "\"");
    const auto cert = key_and_value(text, yaml_value_span(text, source, body, "client-certificate-data"),
                                    "client-certificate-data", source);
    const auto key =
        key_and_value(text, yaml_value_span(text, source, body, "client-key-data"), "client-key-data", source);
    std::string out(text);
    // The later range first, so the earlier offsets stay valid.
    const bool cert_first = cert.first < key.first;
    const auto& later = cert_first ? key : cert;
    const auto& earlier = cert_first ? cert : key;
    const auto line = [&](bool is_cert) {
        return is_cert ? "client-certificate: " + cert_path : "client-key: " + key_path;
    };
    out.replace(later.first, later.second - later.first, line(!cert_first));
    out.replace(earlier.first, earlier.second - earlier.first, line(cert_first));
    // The edit must read back as exactly the new references, and no embedded data.
    const Kubeconfig check = parse_kubeconfig(out, source);
    const auto it = std::find_if(check.users.begin(), check.users.end(),
                                 [&](const KubeconfigUser& u) { return u.name == user_name; });
    if (it == check.users.end() || it->client_certificate != cert_path || it->client_key != key_path ||
        !it->client_certificate_data.empty() || !it->client_key_data.empty())
        throw ParseError(source, 0, 0, "cannot point \"" + user_name + "\" at its certificate files safely");
    return out;
}

} // namespace kubecert::formats
