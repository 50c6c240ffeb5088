// Example third-party plugin: warns before a node's own TLS certificate
// (default /etc/ssl/node/tls.crt) expires. One class, one macro.
#include <kubecert/findings/expiry.hpp>
#include <kubecert/sdk.hpp>

namespace {

using kubecert::sdk::Finding;
using kubecert::sdk::Host;
using kubecert::sdk::Status;

class HostcertPlugin {
public:
    // Constant data: loading the plugin (kubecert plugins, --help) runs none of its code.
    static constexpr kubecert::sdk::CheckDecl k_checks[] = {
        {"hostcert.expiry", "The node's TLS certificate is not expiring"},
    };
    static constexpr kubecert::sdk::OptionDecl k_options[] = {
        {"path", "FILE", "certificate to check", "/etc/ssl/node/tls.crt"},
    };
    static constexpr kubecert::sdk::PluginInfo info() {
        return {"hostcert", "1.0.0", "Example: expiry of the node's own TLS certificate", k_checks, k_options};
    }

    bool detect(Host& host) { return host.exists(path(host)); }

    void audit(Host& host) {
        Finding f;
        f.id = "hostcert.expiry";
        f.title = k_checks[0].title;
        auto pem = host.read_file(path(host));
        if (!pem) {
            f.status = Status::info;
            f.evidence.push_back({path(host), "file", "absent", "a certificate"});
        } else {
            try {
                auto cert = host.parse_cert(*pem, path(host));
                f.status =
                    kubecert::findings::expiry_status(cert.not_before, cert.not_after, host.now(), host.warn_within());
                f.evidence = kubecert::findings::expiry_evidence(path(host), cert, host.now(), host.warn_within());
                f.remediation = "Renew the certificate with your PKI.";
            } catch (const kubecert::sdk::Error& e) {
                f.status = Status::error;
                f.evidence.push_back({path(host), "certificate", e.what(), "a PEM certificate"});
            }
        }
        host.report(f);
    }

    void fix(Host&, const std::vector<std::string>&) {} // nothing is fixable here

private:
    static std::string path(Host& host) { return host.option("path").value_or("/etc/ssl/node/tls.crt"); }
};

} // namespace

KUBECERT_PLUGIN(HostcertPlugin)
