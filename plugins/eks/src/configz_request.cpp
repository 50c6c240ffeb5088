#include "configz_request.hpp"

#include <nlohmann/json.hpp>

#include <kubecert/util/plugin_options.hpp>

#include "findings.hpp"

namespace kubecert::eks {

namespace {

// Where and how long to ask, from the options; nullopt (with `facts` saying why) when malformed.
struct ConfigzTarget {
    std::string base; // the proxy's URL without a trailing slash
    std::string node;
    std::string url;
    std::string timeout_text;
    std::int64_t timeout_seconds = 10;
};

ConfigzFacts problem(const std::string& url, sdk::Evidence evidence, std::string remedy) {
    ConfigzFacts facts;
    facts.state = ConfigzFacts::State::problem;
    facts.url = url;
    facts.problem = std::move(evidence);
    facts.remedy = std::move(remedy);
    return facts;
}

std::optional<ConfigzTarget> configz_target(const sdk::Host& host, const std::string& proxy, ConfigzFacts& facts) {
    const std::string node =
        host.option("node-name").value_or("").empty() ? host.node_name() : *host.option("node-name");
    if (!is_dns1123_subdomain(node)) {
        facts = problem("",
                        {"--eks-node-name", "node name", node,
                         "a DNS-1123 subdomain (lowercase letters, digits, '-', '.'; at most 253)"},
                        "Pass the node's Kubernetes name with --eks-node-name (kubectl get nodes).");
        return std::nullopt;
    }
    ConfigzTarget target;
    target.node = node;
    target.timeout_text = host.option("timeout").value_or("10s");
    try {
        target.timeout_seconds =
            util::PluginOptions(host, "eks").duration_or("timeout", util::k_one_second, util::k_one_hour, 10);
    } catch (const sdk::Error&) {
        facts = problem("", {"--eks-timeout", "timeout", target.timeout_text, "a duration between 1s and 1h"},
                        "Pass --eks-timeout as a duration such as 10s.");
        return std::nullopt;
    }
    target.base = proxy;
    while (!target.base.empty() && target.base.back() == '/') target.base.pop_back();
    if (target.base.rfind("http://", 0) != 0 && target.base.rfind("https://", 0) != 0) {
        facts = problem("", {"--eks-api-proxy", "url", proxy, "http://HOST:PORT"},
                        "Pass --eks-api-proxy as a URL such as http://127.0.0.1:8001.");
        return std::nullopt;
    }
    target.url = target.base + "/api/v1/nodes/" + node + "/proxy/configz";
    return target;
}

// The request; nullopt (with `facts` saying why) when no HTTP 200 answer came.
std::optional<std::string> fetch_configz(const sdk::Host& host, const ConfigzTarget& target, ConfigzFacts& facts) {
    sdk::HttpResponse resp;
    try {
        resp = host.http_get(target.url, static_cast<std::uint32_t>(target.timeout_seconds * 1000));
    } catch (const sdk::Error& e) {
        // What went wrong decides what to check: the proxy's reach, or what answers at that address.
        const bool bad_answer = e.status() == KUBECERT_ERR_PARSE;
        const std::string seen = e.status() == KUBECERT_ERR_TIMEOUT
                                     ? "no answer within " + target.timeout_text + ": " + e.what()
                                 : bad_answer ? std::string("malformed answer: ") + e.what()
                                              : std::string("unreachable: ") + e.what();
        facts = problem(target.url, {target.url, "GET", seen, "HTTP 200"},
                        bad_answer ? "Something answered at " + target.base +
                                         " that is not a kubectl proxy: check the address."
                                   : "Make sure `kubectl proxy` is running and reaches the API server.");
        return std::nullopt;
    }
    if (resp.status != 200) {
        facts = problem(
            target.url,
            {target.url, "GET", "HTTP " + std::to_string(resp.status) + ": " + resp.body.substr(0, 200), "HTTP 200"},
            "The API server did not return the node's configz: check the node name (" + target.node +
                ") and that your credentials may get nodes/proxy.");
        return std::nullopt;
    }
    return resp.body;
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

void parse_configz_body(const std::string& url, const std::string& body, ConfigzFacts& facts) {
    const nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("kubeletconfig") || !doc["kubeletconfig"].is_object()) {
        facts = problem(url,
                        {url, "body",
                         doc.is_discarded() ? "malformed JSON: " + body.substr(0, 200) : "no kubeletconfig object",
                         "{\"kubeletconfig\": {...}}"},
                        "The answer is not a kubelet configz document ({\"kubeletconfig\": {...}}).");
        return;
    }
    facts.state = ConfigzFacts::State::answered;
    facts.url = url;
    const auto& kc = doc["kubeletconfig"];
    if (kc.contains("featureGates") && kc["featureGates"].is_object() && kc["featureGates"].contains(k_gate) &&
        kc["featureGates"][k_gate].is_boolean())
        facts.rotate_server_cert_gate = kc["featureGates"][k_gate].get<bool>();
    if (kc.contains("serverTLSBootstrap") && kc["serverTLSBootstrap"].is_boolean())
        facts.server_tls_bootstrap = kc["serverTLSBootstrap"].get<bool>();
}

ConfigzFacts read_configz(const sdk::Host& host) {
    ConfigzFacts facts;
    const auto proxy = host.option("api-proxy");
    if (!proxy || proxy->empty()) return facts;
    const auto target = configz_target(host, *proxy, facts);
    if (!target) return facts;
    const auto body = fetch_configz(host, *target, facts);
    if (body) parse_configz_body(target->url, *body, facts);
    return facts;
}

} // namespace kubecert::eks
