#include <kubecert/kube/exec_credential.hpp>
#include <kubecert/util/base64.hpp>

#include <nlohmann/json.hpp>

namespace kubecert::kube {

namespace {

using nlohmann::json;

sdk::Error parse_error(const std::string& source, const std::string& what) {
    return sdk::Error(KUBECERT_ERR_PARSE, source + ": " + what);
}

std::string string_at(const json& object, const char* key, const std::string& source) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return {};
    if (!it->is_string()) throw parse_error(source, std::string("\"") + key + "\" must be a string");
    return it->get<std::string>();
}

// The command as it is run: a path relative to the kubeconfig's folder when
// it names one ("./bin/get-token"), else a name found on PATH, like kubectl.
std::string command_path(const std::string& command, const std::string& kubeconfig) {
    if (command.find('/') == std::string::npos || command.front() == '/') return command;
    const auto slash = kubeconfig.find_last_of('/');
    const std::string folder = slash == std::string::npos ? "." : kubeconfig.substr(0, slash);
    return (folder.empty() ? std::string() : folder) + "/" + command;
}

} // namespace

std::string exec_info_json(const formats::KubeconfigUser& user, const ExecClusterInfo& cluster) {
    const std::string api_version = user.exec_api_version.empty() ? std::string(k_exec_v1) : user.exec_api_version;
    json spec = {{"interactive", false}};
    if (user.exec_provide_cluster_info) {
        json c = {{"server", cluster.server}, {"certificate-authority-data", util::base64_encode(cluster.ca_pem)}};
        if (!cluster.tls_server_name.empty()) c["tls-server-name"] = cluster.tls_server_name;
        if (!cluster.proxy_url.empty()) c["proxy-url"] = cluster.proxy_url;
        spec["cluster"] = std::move(c);
    }
    return json{{"apiVersion", api_version}, {"kind", "ExecCredential"}, {"spec", std::move(spec)}}.dump();
}

ExecCredential parse_exec_credential(std::string_view output, std::string_view api_version, const std::string& source) {
    const json j = json::parse(output, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw parse_error(source, "the output is not a JSON object");
    if (string_at(j, "kind", source) != "ExecCredential")
        throw parse_error(source,
                          "the output is not an ExecCredential (kind \"" + string_at(j, "kind", source) + "\")");
    const std::string version = string_at(j, "apiVersion", source);
    if (version != api_version)
        throw parse_error(source, "the ExecCredential has apiVersion \"" + version + "\", the kubeconfig asked for \"" +
                                      std::string(api_version) + "\"");
    const auto status = j.find("status");
    if (status == j.end() || !status->is_object()) throw parse_error(source, "the ExecCredential has no status");
    ExecCredential c;
    c.token = string_at(*status, "token", source);
    c.client_cert_pem = string_at(*status, "clientCertificateData", source);
    c.client_key_pem = string_at(*status, "clientKeyData", source);
    if (c.client_cert_pem.empty() != c.client_key_pem.empty())
        throw parse_error(source, "the ExecCredential gives clientCertificateData and clientKeyData only together");
    if (c.token.empty() && c.client_cert_pem.empty())
        throw parse_error(source, "the ExecCredential's status has neither a token nor a client certificate");
    return c;
}

ExecCredential run_exec_plugin(const sdk::Host& host, const formats::KubeconfigUser& user,
                               const ExecClusterInfo& cluster, const std::string& kubeconfig,
                               std::uint32_t timeout_ms) {
    const std::string source = kubeconfig + ": exec plugin " + user.exec_command;
    const std::string api_version = user.exec_api_version;
    if (api_version != k_exec_v1 && api_version != k_exec_v1beta1)
        throw sdk::Error(KUBECERT_ERR_INVALID, source + ": exec apiVersion \"" + api_version +
                                                   "\" is not supported (want " + std::string(k_exec_v1) + " or " +
                                                   std::string(k_exec_v1beta1) + ")");
    if (user.exec_interactive_mode == "Always")
        throw sdk::Error(KUBECERT_ERR_INVALID,
                         source + ": interactiveMode Always needs a terminal, and kubecert runs it without one");
    if (user.exec_command.front() == '-' || user.exec_command.find('=') != std::string::npos)
        throw sdk::Error(KUBECERT_ERR_INVALID, source + ": refused: a command name starting with '-' or holding '='");
    // Rationale: the command runner takes an argument vector, never a shell, and no
    // environment; env(1) sets the plugin's variables as kubectl would, and nothing else.
    std::vector<std::string> argv = {"env", "KUBERNETES_EXEC_INFO=" + exec_info_json(user, cluster)};
    for (const auto& [name, value] : user.exec_env) {
        if (name.empty() || name.find('=') != std::string::npos)
            throw sdk::Error(KUBECERT_ERR_INVALID, source + ": an env entry needs a name without '='");
        argv.push_back(name + "=" + value);
    }
    argv.push_back(command_path(user.exec_command, kubeconfig));
    argv.insert(argv.end(), user.exec_args.begin(), user.exec_args.end());
    const auto result = host.run(argv, timeout_ms, KUBECERT_CMD_READ_ONLY | KUBECERT_CMD_NO_ACTION);
    if (result.timed_out)
        throw sdk::Error(KUBECERT_ERR_TIMEOUT, source + ": timed out after " + std::to_string(timeout_ms) + " ms");
    if (result.exit_code != 0) {
        std::string err = result.err.size() > 2000 ? result.err.substr(result.err.size() - 2000) : result.err;
        while (!err.empty() && (err.back() == '\n' || err.back() == '\r')) err.pop_back();
        throw sdk::Error(KUBECERT_ERR_FAILED,
                         source + ": exit code " + std::to_string(result.exit_code) + (err.empty() ? "" : ": " + err));
    }
    return parse_exec_credential(result.out, api_version, source);
}

} // namespace kubecert::kube
