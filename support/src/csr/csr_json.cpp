#include <kubecert/csr/csr_json.hpp>

#include <stdexcept>

#include <nlohmann/json.hpp>

#include <kubecert/util/base64.hpp>
#include <kubecert/util/time.hpp>

namespace kubecert::csr {

namespace {

using nlohmann::json;

json parse(std::string_view text, const std::string& source) {
    try {
        return json::parse(text);
    } catch (const json::parse_error& e) {
        throw std::runtime_error(source + ": not JSON (" + e.what() + ")");
    }
}

std::string text_at(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> texts_at(const json& j, const char* key) {
    std::vector<std::string> out;
    const auto it = j.find(key);
    if (it == j.end() || !it->is_array()) return out;
    for (const auto& v : *it)
        if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}

std::vector<Condition> read_conditions(const json& status) {
    std::vector<Condition> out;
    const auto it = status.find("conditions");
    if (it == status.end() || !it->is_array()) return out;
    for (const auto& c : *it)
        if (c.is_object())
            out.push_back({text_at(c, "type"), text_at(c, "status"), text_at(c, "reason"), text_at(c, "message"),
                           text_at(c, "lastUpdateTime")});
    return out;
}

CsrRecord read_record(const json& item) {
    CsrRecord r;
    const json meta = item.value("metadata", json::object());
    const json spec = item.value("spec", json::object());
    const json status = item.value("status", json::object());
    r.object.name = text_at(meta, "name");
    r.object.created_at = util::parse_rfc3339(text_at(meta, "creationTimestamp")).value_or(0);
    r.object.signer_name = text_at(spec, "signerName");
    r.object.username = text_at(spec, "username");
    r.object.groups = texts_at(spec, "groups");
    r.object.usages = texts_at(spec, "usages");
    if (const auto e = spec.find("expirationSeconds"); e != spec.end() && e->is_number_integer())
        r.object.expiration_seconds = e->get<std::int64_t>();
    r.object.conditions = read_conditions(status);
    r.object.has_certificate = !text_at(status, "certificate").empty();
    r.request_pem = util::base64_decode(text_at(spec, "request")).value_or("");
    r.json = item.dump();
    return r;
}

} // namespace

std::vector<CsrRecord> parse_csr_list(std::string_view text, const std::string& source) {
    const json list = parse(text, source);
    if (!list.is_object() || !list.contains("items") || !list["items"].is_array())
        throw std::runtime_error(source + ": not a CertificateSigningRequestList (no items)");
    std::vector<CsrRecord> out;
    for (const auto& item : list["items"])
        if (item.is_object()) out.push_back(read_record(item));
    return out;
}

void add_node_addresses(std::string_view node_json, NodeIdentity& identity) {
    const json node = parse(node_json, "Node " + identity.node_name);
    const json status = node.is_object() ? node.value("status", json::object()) : json::object();
    const auto it = status.find("addresses");
    if (it == status.end() || !it->is_array()) return;
    for (const auto& a : *it) {
        if (!a.is_object()) continue;
        const std::string type = text_at(a, "type"), address = text_at(a, "address");
        if (address.empty()) continue;
        if (type == "Hostname" || type == "InternalDNS" || type == "ExternalDNS")
            identity.dns_names.push_back(address);
        else if (type == "InternalIP" || type == "ExternalIP")
            identity.ip_addresses.push_back(address);
    }
}

std::string approval_body(std::string_view csr_json, const std::string& message, std::int64_t now) {
    json csr = parse(csr_json, "CertificateSigningRequest");
    // Listed items carry no kind and apiVersion; an update names them.
    csr["kind"] = "CertificateSigningRequest";
    csr["apiVersion"] = "certificates.k8s.io/v1";
    json& status = csr["status"];
    if (!status.is_object()) status = json::object();
    if (!status.contains("conditions") || !status["conditions"].is_array()) status["conditions"] = json::array();
    status["conditions"].push_back({{"type", "Approved"},
                                    {"status", "True"},
                                    {"reason", k_approval_reason},
                                    {"message", message},
                                    {"lastUpdateTime", util::format_rfc3339(now)}});
    return csr.dump();
}

std::vector<Condition> conditions_of(std::string_view csr_json) {
    const json csr = parse(csr_json, "CertificateSigningRequest");
    return csr.is_object() ? read_conditions(csr.value("status", json::object())) : std::vector<Condition>{};
}

std::string status_message(std::string_view body) {
    try {
        const json s = json::parse(body);
        return s.is_object() ? text_at(s, "message") : std::string();
    } catch (const json::exception&) {
        return "";
    }
}

} // namespace kubecert::csr
