#include "configz.hpp"

#include <kubecert/util/time.hpp>

#include "checks.hpp"
#include "kubelet_settings.hpp"

namespace kubecert::eks {

namespace {

using sdk::Status;

std::string show(const std::optional<bool>& v, const char* unset) {
    if (!v) return unset;
    return *v ? "true" : "false";
}

sdk::Finding make(Status status, const std::string& remediation) {
    sdk::Finding f;
    f.id = "eks.configz";
    f.title = check_title(f.id);
    f.status = status;
    f.remediation = remediation;
    return f;
}

} // namespace

bool is_dns1123_subdomain(std::string_view name) {
    if (name.empty() || name.size() > 253) return false;
    size_t label_start = 0;
    for (size_t i = 0; i <= name.size(); ++i) {
        if (i == name.size() || name[i] == '.') {
            std::string_view label = name.substr(label_start, i - label_start);
            if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
            label_start = i + 1;
            continue;
        }
        const char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    }
    return true;
}

sdk::Finding check_configz(const sdk::Host& host, const KubeletSources* files, bool& live_differs) {
    live_differs = false;
    const auto proxy = host.option("api-proxy");
    if (!proxy || proxy->empty()) {
        auto f = make(Status::info, "Not checked. To compare the live kubelet configuration, run `kubectl proxy "
                                    "--port=8001` and pass --eks-api-proxy http://127.0.0.1:8001 (and "
                                    "--eks-node-name NODE when the node's name is not its host name).");
        f.result = "not checked: no --eks-api-proxy given";
        return f;
    }

    const std::string node =
        host.option("node-name").value_or("").empty() ? host.node_name() : *host.option("node-name");
    if (!is_dns1123_subdomain(node)) {
        auto f = make(Status::error, "Pass the node's Kubernetes name with --eks-node-name (kubectl get nodes).");
        f.evidence.push_back({"--eks-node-name", "node name", node,
                              "a DNS-1123 subdomain (lowercase letters, digits, '-', '.'; at most 253)"});
        return f;
    }
    const std::string timeout_text = host.option("timeout").value_or("10s");
    const auto timeout = util::parse_duration(timeout_text);
    if (!timeout || *timeout <= 0 || *timeout > 3600) {
        auto f = make(Status::error, "Pass --eks-timeout as a duration such as 10s.");
        f.evidence.push_back({"--eks-timeout", "timeout", timeout_text, "a duration between 1s and 1h"});
        return f;
    }
    std::string base = *proxy;
    while (!base.empty() && base.back() == '/')
        base.pop_back();
    if (base.rfind("http://", 0) != 0 && base.rfind("https://", 0) != 0) {
        auto f = make(Status::error, "Pass --eks-api-proxy as a URL such as http://127.0.0.1:8001.");
        f.evidence.push_back({"--eks-api-proxy", "url", *proxy, "http://HOST:PORT"});
        return f;
    }
    const std::string url = base + "/api/v1/nodes/" + node + "/proxy/configz";

    sdk::HttpResponse resp;
    try {
        resp = host.http_get(url, static_cast<std::uint32_t>(*timeout * 1000));
    } catch (const sdk::Error& e) {
        // What went wrong decides what to check: the proxy's reach, or what answers at that address.
        const bool bad_answer = e.status() == KUBECERT_ERR_PARSE;
        auto f = make(Status::error, bad_answer ? "Something answered at " + base +
                                                      " that is not a kubectl proxy: check the address."
                                                : "Make sure `kubectl proxy` is running and reaches the API server.");
        f.evidence.push_back({url, "GET",
                              e.status() == KUBECERT_ERR_TIMEOUT ? "no answer within " + timeout_text + ": " + e.what()
                              : bad_answer                       ? std::string("malformed answer: ") + e.what()
                                                                 : std::string("unreachable: ") + e.what(),
                              "HTTP 200"});
        return f;
    }
    if (resp.status != 200) {
        auto f = make(Status::error, "The API server did not return the node's configz: check the node name (" + node +
                                         ") and that your credentials may get nodes/proxy.");
        f.evidence.push_back(
            {url, "GET", "HTTP " + std::to_string(resp.status) + ": " + resp.body.substr(0, 200), "HTTP 200"});
        return f;
    }
    nlohmann::json doc = nlohmann::json::parse(resp.body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("kubeletconfig") || !doc["kubeletconfig"].is_object()) {
        auto f = make(Status::error, "The answer is not a kubelet configz document ({\"kubeletconfig\": {...}}).");
        f.evidence.push_back(
            {url, "body",
             doc.is_discarded() ? "malformed JSON: " + resp.body.substr(0, 200) : "no kubeletconfig object",
             "{\"kubeletconfig\": {...}}"});
        return f;
    }
    const auto& kc = doc["kubeletconfig"];
    std::optional<bool> live_gate, live_stb;
    if (kc.contains("featureGates") && kc["featureGates"].is_object() && kc["featureGates"].contains(k_gate) &&
        kc["featureGates"][k_gate].is_boolean())
        live_gate = kc["featureGates"][k_gate].get<bool>();
    if (kc.contains("serverTLSBootstrap") && kc["serverTLSBootstrap"].is_boolean())
        live_stb = kc["serverTLSBootstrap"].get<bool>();

    sdk::Finding f = make(Status::pass, "");
    f.evidence.push_back(
        {url, std::string("featureGates.") + k_gate, show(live_gate, "not set (on by default)"), "true"});
    f.evidence.push_back({url, "serverTLSBootstrap", show(live_stb, "not set (false)"), "true"});
    const bool gate_on = live_gate.value_or(true);
    const bool stb_on = live_stb.value_or(false);

    if (files) {
        const auto file_gate = resolve_feature_gate(*files, k_gate).effective_bool();
        const auto file_stb =
            resolve_field(*files, {"serverTLSBootstrap"}, "rotate-server-certificates").effective_bool();
        f.evidence.push_back(
            {"node files", std::string("featureGates.") + k_gate, show(file_gate, "not set (on by default)"), ""});
        f.evidence.push_back({"node files", "serverTLSBootstrap", show(file_stb, "not set (false)"), ""});
        if (file_gate.value_or(true) != gate_on || file_stb.value_or(false) != stb_on) live_differs = true;
    }
    if (gate_on && stb_on) {
        f.remediation = "The running kubelet requests and rotates its serving certificate.";
        if (!live_differs) return f;
    }
    f.status = Status::fail;
    if (live_differs)
        f.remediation = "The running kubelet's configuration differs from its files: it was not restarted after an "
                        "edit. Run systemctl daemon-reload && systemctl restart kubelet.";
    else
        f.remediation = "The running kubelet does not rotate its serving certificate: see eks.rotate-server-cert and "
                        "eks.server-tls-bootstrap for what to change, then restart the kubelet.";
    return f;
}

} // namespace kubecert::eks
