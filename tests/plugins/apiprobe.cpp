// A plugin that talks to a cluster's API through the whole stack a real
// plugin uses (kube::ApiClient -> kubecert.https.v1 -> libcurl), and parses a
// CSR through kubecert.csr.v1, reporting what it saw as evidence
// (tests/e2e/test_https_transport.cpp). Active only when --apiprobe-kubeconfig is given.
#include <kubecert/kube/api_client.hpp>
#include <kubecert/sdk.hpp>

#include <string>
#include <vector>

namespace {

using kubecert::sdk::Evidence;
using kubecert::sdk::Finding;
using kubecert::sdk::Host;
using kubecert::sdk::Status;

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
    return out;
}

Finding finding(const char* id, Status status) {
    Finding f;
    f.id = id;
    f.title = id;
    f.status = status;
    return f;
}

class ApiProbe {
public:
    static constexpr kubecert::sdk::CheckDecl k_checks[] = {
        {"apiprobe.get", "a GET through the kubeconfig's credentials answers"},
        {"apiprobe.change-in-audit", "a change to the cluster is refused during audit"},
        {"apiprobe.change", "the probe's change is made in fix"},
        {"apiprobe.csr", "the CSR parses"}};
    static constexpr kubecert::sdk::OptionDecl k_options[] = {
        {"kubeconfig", "FILE", "kubeconfig to reach the API with", nullptr},
        {"context", "NAME", "context of the kubeconfig (default: current-context)", nullptr},
        {"path", "PATH", "what to GET", "/api"},
        {"change-path", "PATH", "where fix PUTs (and PATCHes) its change", nullptr},
        {"csr", "FILE", "a PEM CSR to parse", nullptr}};
    static constexpr kubecert::sdk::PluginInfo info() {
        return {"apiprobe", "1.0.0", "probes the Kubernetes API transport", k_checks, k_options};
    }

    bool detect(Host& host) { return host.option("kubeconfig").has_value(); }

    void audit(Host& host) {
        probe_get(host);
        if (host.option("change-path")) {
            probe_change_in_audit(host);
            Finding f = finding("apiprobe.change", Status::fail);
            f.fixable = true;
            f.result = "not made yet";
            host.report(f);
        }
        if (auto csr = host.option("csr")) probe_csr(host, *csr);
    }

    void fix(Host& host, const std::vector<std::string>&) {
        auto client = client_of(host);
        host.begin_action("apiprobe.change");
        const std::string path = *host.option("change-path");
        const auto put = client.put_json(path, R"({"kind":"Probe","spec":{"n":1}})");
        host.info("PUT answered " + std::to_string(put.status) + (put.dry_run ? " (dry run)" : ""));
        const auto patch = client.patch_json(path, R"({"spec":{"n":2}})");
        host.info("PATCH answered " + std::to_string(patch.status) + (patch.dry_run ? " (dry run)" : ""));
    }

private:
    static kubecert::kube::ApiClient client_of(Host& host) {
        return kubecert::kube::ApiClient::from_kubeconfig(host, *host.option("kubeconfig"),
                                                          host.option("context").value_or(""));
    }

    void probe_get(Host& host) {
        Finding f = finding("apiprobe.get", Status::pass);
        try {
            auto client = client_of(host);
            const auto r = client.get(*host.option("path"));
            f.evidence = {{"api", "server", client.server(), ""},
                          {"api", "user", client.user_description(), ""},
                          {"api", "status", std::to_string(r.status), ""},
                          {"api", "content_type", r.content_type, ""},
                          {"api", "body", r.body, ""}};
            f.result = "HTTP " + std::to_string(r.status);
        } catch (const kubecert::sdk::Error& e) {
            f.status = Status::error;
            f.result = e.what();
            f.evidence = {{"api", "error_status", std::to_string(e.status()), ""}};
        }
        host.report(f);
    }

    void probe_change_in_audit(Host& host) {
        Finding f = finding("apiprobe.change-in-audit", Status::fail);
        try {
            const auto r = client_of(host).put_json(*host.option("change-path"), "{}");
            f.result = "sent, HTTP " + std::to_string(r.status);
        } catch (const kubecert::sdk::Error& e) {
            f.status = e.status() == KUBECERT_ERR_DENIED ? Status::pass : Status::error;
            f.result = e.what();
        }
        host.report(f);
    }

    void probe_csr(Host& host, const std::string& path) {
        Finding f = finding("apiprobe.csr", Status::pass);
        try {
            const auto csr = host.parse_csr(host.read_file(path).value_or(""), path);
            f.evidence = {{path, "subject", csr.subject, ""},
                          {path, "common_name", csr.common_name, ""},
                          {path, "organizations", joined(csr.organizations), ""},
                          {path, "other_subject_attributes", csr.other_subject_attributes ? "true" : "false", ""},
                          {path, "dns_names", joined(csr.dns_names), ""},
                          {path, "ip_addresses", joined(csr.ip_addresses), ""},
                          {path, "email_addresses", joined(csr.email_addresses), ""},
                          {path, "uris", joined(csr.uris), ""},
                          {path, "key_type", csr.key_type, ""},
                          {path, "key_bits", std::to_string(csr.key_bits), ""},
                          {path, "signature_valid", csr.signature_valid ? "true" : "false", ""}};
        } catch (const kubecert::sdk::Error& e) {
            f.status = Status::error;
            f.result = e.what();
        }
        host.report(f);
    }
};

} // namespace

KUBECERT_PLUGIN(ApiProbe)
