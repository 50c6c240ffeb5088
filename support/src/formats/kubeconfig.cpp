#include <kubecert/formats/kubeconfig.hpp>
#include <kubecert/formats/parse_error.hpp>
#include <kubecert/formats/yaml_edit.hpp>

#include <algorithm>
#include <map>

namespace kubecert::formats {

namespace {

ParseError error_at(const std::string& source, const YAML::Node& node, const std::string& message) {
    const YAML::Mark m = node.Mark();
    if (m.is_null()) return ParseError(source, 0, 0, message);
    return ParseError(source, m.line + 1, m.column + 1, message);
}

// The child `key` of `map`, or a null node: yaml-cpp throws when a missing
// child (an invalid node) is asked anything but IsDefined().
YAML::Node child(const YAML::Node& map, const char* key) {
    if (!map.IsDefined() || !map.IsMap()) return YAML::Node();
    const YAML::Node v = map[key];
    return v.IsDefined() ? v : YAML::Node();
}

// The scalar at `key` of `map`, "" when absent or null; a collection there is malformed.
std::string scalar(const YAML::Node& map, const char* key, const std::string& source) {
    const YAML::Node v = child(map, key);
    if (v.IsNull()) return {};
    if (!v.IsScalar()) throw error_at(source, v, std::string("\"") + key + "\" must be a string");
    return v.Scalar();
}

// The named entries of a top-level list ("clusters", "users", "contexts").
std::vector<YAML::Node> named_list(const YAML::Node& root, const char* key, const std::string& source) {
    std::vector<YAML::Node> out;
    const YAML::Node list = child(root, key);
    if (list.IsNull()) return out;
    if (!list.IsSequence()) throw error_at(source, list, std::string("\"") + key + "\" must be a list");
    for (const auto& item : list) {
        if (!item.IsMap()) throw error_at(source, item, std::string("an entry of \"") + key + "\" must be a mapping");
        out.push_back(item);
    }
    return out;
}

// Embedded certificates and keys lifted out of the text before yaml-cpp
// reads it. Rationale: yaml-cpp's scanner spends about a microsecond per
// character of a plain scalar, and these base64 values are most of a
// kubeconfig. Only whole `KEY: <base64>` lines of the three *-data keys are
// touched, so every line, and every column before the value, stays where it
// was: error positions do not move. A lifted value is found again by its
// position (the scalar's line and column), never by its text, so nothing a
// file says can stand for another value.
struct ElidedText {
    std::string text;
    std::map<std::pair<int, int>, std::string> values; // (line, column) of the scalar -> its text
};

// What stands in the text for a lifted value: a one-character plain scalar.
constexpr char k_stand_in = '0';

bool is_base64_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
           c == '=';
}

ElidedText elide_embedded_data(std::string_view text) {
    static const std::string_view keys[] = {
        "client-certificate-data:", "client-key-data:", "certificate-authority-data:"};
    ElidedText out;
    out.text.reserve(text.size());
    size_t pos = 0;
    int line_no = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        size_t k = line.find_first_not_of(' ');
        bool elided = false;
        for (std::string_view key : keys) {
            if (k == std::string_view::npos || line.substr(k, key.size()) != key) continue;
            size_t v = line.find_first_not_of(' ', k + key.size());
            if (v == std::string_view::npos || v == k + key.size()) break;
            size_t ve = v;
            while (ve < line.size() && is_base64_char(line[ve])) ++ve;
            size_t rest = line.find_first_not_of(" \r", ve);
            if (ve - v < 64 || rest != std::string_view::npos) break;
            out.text.append(line.substr(0, v));
            out.text += k_stand_in;
            out.text.append(line.substr(ve));
            out.values.emplace(std::make_pair(line_no, static_cast<int>(v)), std::string(line.substr(v, ve - v)));
            elided = true;
            break;
        }
        if (!elided) out.text.append(line);
        if (end < text.size()) out.text += '\n';
        pos = end + 1;
        ++line_no;
    }
    return out;
}

// The scalar at `key` of `map` with a lifted value put back (found by position).
std::string embedded(const YAML::Node& map, const char* key, const std::string& source, const ElidedText& e) {
    std::string value = scalar(map, key, source);
    const YAML::Node v = child(map, key);
    if (value.size() != 1 || !v.IsScalar()) return value;
    const YAML::Mark m = v.Mark();
    const auto it = e.values.find({m.line, m.column});
    return it == e.values.end() ? value : it->second;
}

// A boolean at `key` of `map` (false when absent).
bool boolean(const YAML::Node& map, const char* key, const std::string& source) {
    const YAML::Node v = child(map, key);
    if (v.IsNull()) return false;
    if (!v.IsScalar()) throw error_at(source, v, std::string("\"") + key + "\" must be true or false");
    const std::string& text = v.Scalar();
    if (text == "true" || text == "True" || text == "TRUE") return true;
    if (text == "false" || text == "False" || text == "FALSE") return false;
    throw error_at(source, v, std::string("\"") + key + "\" must be true or false, not \"" + text + "\"");
}

// apiVersion, env, interactiveMode and provideClusterInfo of users[].user.exec.
void read_exec_details(const YAML::Node& exec, const std::string& source, KubeconfigUser& u) {
    u.exec_api_version = scalar(exec, "apiVersion", source);
    u.exec_interactive_mode = scalar(exec, "interactiveMode", source);
    u.exec_provide_cluster_info = boolean(exec, "provideClusterInfo", source);
    const YAML::Node env = child(exec, "env");
    if (env.IsNull()) return;
    if (!env.IsSequence()) throw error_at(source, env, "\"env\" must be a list");
    for (const auto& e : env) {
        if (!e.IsMap()) throw error_at(source, e, "an entry of \"env\" must be a mapping with name and value");
        u.exec_env.emplace_back(scalar(e, "name", source), scalar(e, "value", source));
    }
}

} // namespace

std::optional<KubeconfigContext> Kubeconfig::find_context(const std::string& name) const {
    const std::string& wanted = name.empty() ? current_context : name;
    if (wanted.empty()) return std::nullopt;
    for (const auto& [context_name, target] : contexts) {
        if (context_name != wanted) continue;
        if (!find_cluster(target.first) || !find_user(target.second)) return std::nullopt;
        return KubeconfigContext{context_name, target.first, target.second};
    }
    return std::nullopt;
}

const KubeconfigCluster* Kubeconfig::find_cluster(const std::string& name) const {
    for (const auto& c : clusters)
        if (c.name == name) return &c;
    return nullptr;
}

const KubeconfigUser* Kubeconfig::find_user(const std::string& name) const {
    for (const auto& u : users)
        if (u.name == name) return &u;
    return nullptr;
}

std::optional<KubeconfigUser> Kubeconfig::current_user() const {
    if (users.empty()) return std::nullopt;
    for (const auto& [name, target] : contexts) {
        if (name != current_context) continue;
        for (const auto& u : users)
            if (u.name == target.second) return u;
        return std::nullopt; // the context names a user that does not exist
    }
    return users.front();
}

std::optional<KubeconfigCluster> Kubeconfig::current_cluster() const {
    if (clusters.empty()) return std::nullopt;
    for (const auto& [name, target] : contexts) {
        if (name != current_context) continue;
        for (const auto& c : clusters)
            if (c.name == target.first) return c;
        return std::nullopt;
    }
    return clusters.front();
}

Kubeconfig parse_kubeconfig(std::string_view text, const std::string& source) {
    const ElidedText elided = elide_embedded_data(text);
    const YAML::Node root = parse_yaml(elided.text, source);
    if (!root.IsMap()) throw error_at(source, root, "a kubeconfig must be a mapping");
    Kubeconfig kc;
    kc.current_context = scalar(root, "current-context", source);
    for (const auto& item : named_list(root, "clusters", source)) {
        KubeconfigCluster c;
        c.name = scalar(item, "name", source);
        const YAML::Node body = child(item, "cluster");
        c.server = scalar(body, "server", source);
        c.certificate_authority_data = embedded(body, "certificate-authority-data", source, elided);
        c.certificate_authority = scalar(body, "certificate-authority", source);
        c.tls_server_name = scalar(body, "tls-server-name", source);
        c.proxy_url = scalar(body, "proxy-url", source);
        c.insecure_skip_tls_verify = boolean(body, "insecure-skip-tls-verify", source);
        kc.clusters.push_back(std::move(c));
    }
    for (const auto& item : named_list(root, "users", source)) {
        KubeconfigUser u;
        u.name = scalar(item, "name", source);
        const YAML::Node body = child(item, "user");
        u.client_certificate_data = embedded(body, "client-certificate-data", source, elided);
        u.client_key_data = embedded(body, "client-key-data", source, elided);
        u.client_certificate = scalar(body, "client-certificate", source);
        u.client_key = scalar(body, "client-key", source);
        u.token = scalar(body, "token", source);
        u.token_file = scalar(body, "tokenFile", source);
        u.has_basic_auth = !scalar(body, "username", source).empty() || !scalar(body, "password", source).empty();
        u.has_auth_provider = child(body, "auth-provider").IsMap();
        const YAML::Node exec = child(body, "exec");
        if (exec.IsMap()) {
            read_exec_details(exec, source, u);
            u.exec_command = scalar(exec, "command", source);
            const YAML::Node args = child(exec, "args");
            if (args.IsSequence()) {
                for (const auto& a : args) {
                    if (!a.IsScalar()) throw error_at(source, a, "exec arguments must be strings");
                    u.exec_args.push_back(a.Scalar());
                }
            } else if (!args.IsNull()) {
                throw error_at(source, args, "\"args\" must be a list");
            }
        }
        kc.users.push_back(std::move(u));
    }
    for (const auto& item : named_list(root, "contexts", source)) {
        const YAML::Node body = child(item, "context");
        kc.contexts.push_back(
            {scalar(item, "name", source), {scalar(body, "cluster", source), scalar(body, "user", source)}});
    }
    return kc;
}

std::string replace_client_credentials(std::string_view text, const std::string& source, const std::string& user_name,
                                       std::string_view cert_base64, std::string_view key_base64) {
    const YAML::Node root = parse_yaml(text, source);
    if (!root.IsMap()) throw error_at(source, root, "a kubeconfig must be a mapping");
    YAML::Node body;
    for (const auto& item : named_list(root, "users", source)) {
        if (scalar(item, "name", source) != user_name) continue;
        body.reset(child(item, "user"));
        break;
    }
    if (!body.IsMap()) throw ParseError(source, 0, 0, "no user \"" + user_name + "\"");
    const TextSpan cert = yaml_value_span(text, source, body, "client-certificate-data");
    const TextSpan key = yaml_value_span(text, source, body, "client-key-data");
    // Replace the later span first so the earlier offset stays valid.
    std::string out(text);
    const bool cert_first = cert.offset < key.offset;
    const TextSpan& later = cert_first ? key : cert;
    const TextSpan& earlier = cert_first ? cert : key;
    const auto put = [&](const TextSpan& span, std::string_view value) {
        // "key:" with no value needs the blank YAML wants after the colon.
        const bool bare = span.length == 0 && span.offset > 0 && out[span.offset - 1] == ':';
        out.replace(span.offset, span.length, (bare ? " " : "") + std::string(value));
    };
    put(later, cert_first ? key_base64 : cert_base64);
    put(earlier, cert_first ? cert_base64 : key_base64);
    // The edit must read back as exactly the new values.
    const Kubeconfig check = parse_kubeconfig(out, source);
    const auto it = std::find_if(check.users.begin(), check.users.end(),
                                 [&](const KubeconfigUser& u) { return u.name == user_name; });
    if (it == check.users.end() || it->client_certificate_data != cert_base64 || it->client_key_data != key_base64)
        throw ParseError(source, 0, 0, "cannot edit the credentials of \"" + user_name + "\" safely");
    return out;
}

} // namespace kubecert::formats
