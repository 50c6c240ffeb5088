#include "cert_store.hpp"

#include <kubecert/formats/kubeconfig.hpp>
#include <kubecert/formats/parse_error.hpp>

namespace kubecert::kubeadm {

namespace {

// Runs `body`, turning host and parse failures into an error state that names the file.
template <class F> LoadedCert guarded(const std::string& path, F&& body) {
    try {
        return body();
    } catch (const formats::ParseError& e) {
        LoadedCert c;
        c.state = LoadState::error;
        c.path = path;
        c.error = e.what();
        return c;
    } catch (const sdk::Error& e) {
        LoadedCert c;
        c.state = LoadState::error;
        c.path = path;
        c.error = e.what();
        if (c.error.find(path) == std::string::npos) c.error = path + ": " + c.error;
        return c;
    }
}

std::string resolve_relative(const std::string& base_dir, const std::string& p) {
    if (p.empty() || p.front() == '/') return p;
    return base_dir + "/" + p;
}

} // namespace

std::string parent_path(const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

LoadedCert load_pem_pair(const sdk::Host& host, const std::string& cert_path, const std::string& key_path) {
    return guarded(cert_path, [&] {
        LoadedCert c;
        c.path = cert_path;
        auto text = host.read_file(cert_path);
        if (!text) return c;
        c.info = host.parse_cert(*text, cert_path);
        c.state = LoadState::loaded;
        if (!key_path.empty()) {
            c.key_path = key_path;
            if (auto key = host.read_file(key_path)) c.key = *key;
        }
        return c;
    });
}

LoadedCert load_kubeconfig_cert(const sdk::Host& host, const std::string& kubeconfig_path) {
    return guarded(kubeconfig_path, [&] {
        LoadedCert c;
        c.path = kubeconfig_path;
        auto text = host.read_file(kubeconfig_path);
        if (!text) return c;
        const auto config = formats::parse_kubeconfig(*text, kubeconfig_path);
        const auto user = config.current_user();
        if (!user) {
            c.state = LoadState::error;
            c.no_client_cert = true;
            c.error = kubeconfig_path + ": no user in the kubeconfig";
            return c;
        }
        c.kubeconfig_text = *text;
        c.user_name = user->name;
        if (!user->client_certificate_data.empty()) {
            c.embedded = true;
            c.cert_base64 = user->client_certificate_data;
            c.key_base64 = user->client_key_data;
            c.info = host.parse_cert(user->client_certificate_data, kubeconfig_path + " (client-certificate-data)");
            c.key = user->client_key_data;
            c.key_path = kubeconfig_path;
        } else if (!user->client_certificate.empty()) {
            const auto dir = parent_path(kubeconfig_path);
            c.path = resolve_relative(dir, user->client_certificate);
            auto cert = host.read_file(c.path);
            if (!cert)
                throw sdk::Error(KUBECERT_ERR_NOT_FOUND,
                                 kubeconfig_path + ": client-certificate " + c.path + " does not exist");
            c.info = host.parse_cert(*cert, c.path);
            c.key_path = user->client_key.empty() ? c.path : resolve_relative(dir, user->client_key);
            if (auto key = host.read_file(c.key_path)) c.key = *key;
        } else {
            c.state = LoadState::error;
            c.no_client_cert = true;
            c.error = kubeconfig_path + ": user \"" + user->name + "\" has no client certificate";
            return c;
        }
        c.state = LoadState::loaded;
        return c;
    });
}

} // namespace kubecert::kubeadm
