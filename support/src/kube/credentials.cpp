#include <kubecert/formats/kubeconfig.hpp>
#include <kubecert/formats/parse_error.hpp>
#include <kubecert/kube/credentials.hpp>
#include <kubecert/kube/exec_credential.hpp>
#include <kubecert/util/base64.hpp>

namespace kubecert::kube {

namespace {

sdk::Error invalid(const std::string& kubeconfig, const std::string& what) {
    return sdk::Error(KUBECERT_ERR_INVALID, kubeconfig + ": " + what);
}

// A file a kubeconfig names: relative paths resolve against the kubeconfig's folder, as kubectl does.
std::string referenced_path(const std::string& kubeconfig, const std::string& path) {
    if (path.front() == '/') return path;
    const auto slash = kubeconfig.find_last_of('/');
    return (slash == std::string::npos ? std::string() : kubeconfig.substr(0, slash)) + "/" + path;
}

std::string read_referenced(const sdk::Host& host, const std::string& kubeconfig, const std::string& key,
                            const std::string& path) {
    const std::string resolved = referenced_path(kubeconfig, path);
    auto text = host.read_file(resolved);
    if (!text) throw sdk::Error(KUBECERT_ERR_NOT_FOUND, kubeconfig + ": " + key + " " + resolved + " does not exist");
    return *text;
}

// A *-data value: base64 of PEM.
std::string decoded(const std::string& kubeconfig, const std::string& key, const std::string& value) {
    auto bytes = util::base64_decode(value);
    if (!bytes) throw sdk::Error(KUBECERT_ERR_PARSE, kubeconfig + ": " + key + " is not valid base64");
    return *bytes;
}

formats::Kubeconfig read_kubeconfig(const sdk::Host& host, const std::string& node_path) {
    auto text = host.read_file(node_path);
    if (!text) throw sdk::Error(KUBECERT_ERR_NOT_FOUND, node_path + ": no such kubeconfig");
    try {
        return formats::parse_kubeconfig(*text, node_path);
    } catch (const formats::ParseError& e) {
        throw sdk::Error(KUBECERT_ERR_PARSE, e.what());
    }
}

// The cluster half: server, trust, server name, proxy.
void resolve_cluster(const sdk::Host& host, const formats::KubeconfigCluster& cluster, ApiCredentials& out) {
    const std::string& file = out.kubeconfig;
    if (cluster.insecure_skip_tls_verify)
        throw invalid(file, "cluster \"" + cluster.name +
                                "\" sets insecure-skip-tls-verify: true; kubecert always verifies the API "
                                "server's certificate: give its CA (certificate-authority-data)");
    if (cluster.server.rfind("https://", 0) != 0)
        throw invalid(file, "cluster \"" + cluster.name + "\" has server \"" + cluster.server +
                                "\"; kubecert talks to the API over https:// only");
    out.server = cluster.server;
    while (out.server.size() > 8 && out.server.back() == '/') out.server.pop_back();
    if (!cluster.certificate_authority_data.empty())
        out.ca_pem = decoded(file, "certificate-authority-data", cluster.certificate_authority_data);
    else if (!cluster.certificate_authority.empty())
        out.ca_pem = read_referenced(host, file, "certificate-authority", cluster.certificate_authority);
    else
        throw invalid(file, "cluster \"" + cluster.name +
                                "\" has no certificate-authority-data or certificate-authority: kubecert needs "
                                "the CA to verify the API server");
    out.tls_server_name = cluster.tls_server_name;
    out.proxy_url = cluster.proxy_url;
}

std::string certificate_description(const sdk::Host& host, const std::string& pem, const std::string& source) {
    const auto info = host.parse_cert(pem, source);
    return "client certificate CN=" + info.common_name;
}

void resolve_exec(const sdk::Host& host, const formats::KubeconfigUser& user, ApiCredentials& out) {
    const ExecClusterInfo cluster{out.server, out.ca_pem, out.tls_server_name, out.proxy_url};
    const auto credential = run_exec_plugin(host, user, cluster, out.kubeconfig, k_exec_timeout_ms);
    const std::string command = user.exec_command.substr(user.exec_command.find_last_of('/') + 1);
    if (!credential.token.empty()) {
        out.bearer_token = credential.token;
        out.user_description = "bearer token from exec " + command;
        return;
    }
    out.client_cert_pem = credential.client_cert_pem;
    out.client_key_pem = credential.client_key_pem;
    out.user_description = certificate_description(host, out.client_cert_pem, out.kubeconfig + ": exec " + command) +
                           " from exec " + command;
}

// The user half, in kubectl's order: a client certificate, then a token, tokenFile, exec.
void resolve_user(const sdk::Host& host, const formats::KubeconfigUser& user, ApiCredentials& out) {
    const std::string& file = out.kubeconfig;
    if (!user.client_certificate_data.empty() || !user.client_certificate.empty()) {
        out.client_cert_pem = user.client_certificate_data.empty()
                                  ? read_referenced(host, file, "client-certificate", user.client_certificate)
                                  : decoded(file, "client-certificate-data", user.client_certificate_data);
        if (!user.client_key_data.empty())
            out.client_key_pem = decoded(file, "client-key-data", user.client_key_data);
        else if (!user.client_key.empty())
            out.client_key_pem = read_referenced(host, file, "client-key", user.client_key);
        else
            throw invalid(file, "user \"" + user.name + "\" has a client certificate but no client key");
        out.user_description = certificate_description(host, out.client_cert_pem, file + ": client certificate");
    }
    if (!user.token.empty()) {
        out.bearer_token = user.token;
        if (out.user_description.empty()) out.user_description = "bearer token from " + file;
    } else if (!user.token_file.empty()) {
        std::string token = read_referenced(host, file, "tokenFile", user.token_file);
        while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' '))
            token.pop_back();
        if (token.empty()) throw invalid(file, "tokenFile " + referenced_path(file, user.token_file) + " is empty");
        out.bearer_token = std::move(token);
        if (out.user_description.empty())
            out.user_description = "bearer token from file " + referenced_path(file, user.token_file);
    }
    if (!out.user_description.empty()) return;
    if (!user.exec_command.empty()) return resolve_exec(host, user, out);
    if (user.has_basic_auth) throw invalid(file, "user \"" + user.name + "\" uses username/password: not supported");
    if (user.has_auth_provider)
        throw invalid(file,
                      "user \"" + user.name + "\" uses an auth-provider (removed from kubectl 1.26): not supported");
    throw invalid(file, "user \"" + user.name + "\" has no client certificate, token, tokenFile or exec plugin");
}

} // namespace

ApiCredentials resolve_credentials(const sdk::Host& host, const std::string& node_path, const std::string& context) {
    const formats::Kubeconfig kc = read_kubeconfig(host, node_path);
    ApiCredentials out;
    out.kubeconfig = node_path;
    const auto chosen = kc.find_context(context);
    if (!chosen) {
        const std::string wanted = context.empty() ? kc.current_context : context;
        if (wanted.empty()) throw invalid(node_path, "no current-context, and no context was named");
        throw invalid(node_path, "context \"" + wanted + "\" does not exist or names a missing cluster or user");
    }
    out.context = chosen->name;
    resolve_cluster(host, *kc.find_cluster(chosen->cluster), out);
    resolve_user(host, *kc.find_user(chosen->user), out);
    return out;
}

} // namespace kubecert::kube
