#include "facts.hpp"

#include <kubecert/formats/parse_error.hpp>

#include "check_ids.hpp"
#include "configz_request.hpp"

namespace kubecert::eks {

namespace {

// Runs `read`, recording what stopped it as the ReadError of the facts it was reading.
template <class Read> std::optional<ReadError> guarded(Read&& read) {
    try {
        read();
    } catch (const formats::ParseError& e) {
        return ReadError{e.source(), e.what()};
    } catch (const sdk::Error& e) {
        return ReadError{"host", e.what()};
    } catch (const std::exception& e) {
        return ReadError{"eks plugin", e.what()};
    }
    return std::nullopt;
}

} // namespace

bool detect_eks(const sdk::Host& host) {
    for (const auto& p : k_eks_config_paths)
        if (host.exists(p)) return true;
    if (host.exists("/etc/eks")) return true;
    for (const auto& cmd : kubelet::running_kubelet_command_lines(host))
        if (auto c = flag_value(cmd, "config"))
            for (const auto& p : k_eks_config_paths)
                if (*c == p) return true;
    return false;
}

KubeconfigFacts read_kubeconfig(const sdk::Host& host, const KubeletSources& s) {
    KubeconfigFacts facts;
    facts.path = "/var/lib/kubelet/kubeconfig";
    const CommandLine* cmd = s.command_line();
    if (cmd) {
        if (auto k = flag_value(*cmd, "kubeconfig")) facts.path = kubelet_path(*cmd, *k);
        facts.bootstrap = flag_value(*cmd, "bootstrap-kubeconfig");
        facts.bootstrap_source = cmd->source;
    }
    if (auto text = host.read_file(facts.path)) {
        facts.exists = true;
        facts.user = formats::parse_kubeconfig(*text, facts.path).current_user();
    }
    return facts;
}

CertFacts read_certificates(const sdk::Host& host, const KubeletSources& s) {
    CertFacts facts;
    facts.static_cert = resolve_field(s, {"tlsCertFile"}, "tls-cert-file").effective_text();
    facts.cert_dir = "/var/lib/kubelet/pki";
    if (const CommandLine* cmd = s.command_line())
        if (auto d = flag_value(*cmd, "cert-dir")) facts.cert_dir = kubelet_path(*cmd, *d);
    if (!facts.static_cert.empty())
        facts.server_paths.push_back(facts.static_cert);
    else
        facts.server_paths = {facts.cert_dir + "/kubelet-server-current.pem", facts.cert_dir + "/kubelet.crt"};

    const std::vector<std::pair<std::string, std::vector<std::string>>> candidates{
        {"kubelet-server", facts.server_paths}, {"kubelet-client", {facts.cert_dir + "/kubelet-client-current.pem"}}};
    for (const auto& candidate : candidates) {
        for (const auto& path : candidate.second) {
            auto pem = host.read_file(path);
            if (!pem) continue;
            CertFile file{candidate.first, path, std::nullopt, ""};
            try {
                file.cert = host.parse_cert(*pem, path);
            } catch (const sdk::Error& e) {
                file.error = e.what();
            }
            facts.files.push_back(std::move(file));
            break;
        }
    }
    return facts;
}

Facts gather_facts(const sdk::Host& host) {
    Facts facts;
    for (const auto& c : k_checks)
        if (host.check_selected(c.id)) facts.selected.emplace_back(c.id);
    const auto selected = [&](const char* id) { return host.check_selected(id); };
    if (auto error = guarded([&] { facts.sources = load_kubelet_sources(host); })) {
        facts.sources.reset();
        // The kubelet's sources are the ground of every file-based check: name them when nothing says better.
        facts.sources_error = {error->source == "host" ? "kubelet sources" : error->source, error->message};
    }
    if (facts.sources && selected(k_rotate_client_cert))
        facts.kubeconfig_error = guarded([&] { facts.kubeconfig = read_kubeconfig(host, *facts.sources); });
    if (facts.sources && selected(k_serving_cert_expiry))
        facts.certs_error = guarded([&] { facts.certs = read_certificates(host, *facts.sources); });
    if (selected(k_configz)) facts.configz = read_configz(host);
    return facts;
}

} // namespace kubecert::eks
