#include <kubecert/csr/serving_csr_policy.hpp>

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <set>

#include <kubecert/util/time.hpp>

namespace kubecert::csr {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
    return out;
}

bool has_true_condition(const CsrObject& csr, const std::string& type) {
    return std::any_of(csr.conditions.begin(), csr.conditions.end(),
                       [&](const Condition& c) { return c.type == type && c.status == "True"; });
}

// The canonical text of an IP address (IPv6 zero runs compressed), or "" when it is none.
std::string canonical_ip(const std::string& text) {
    unsigned char buf[16];
    char out[INET6_ADDRSTRLEN];
    if (::inet_pton(AF_INET, text.c_str(), buf) == 1) return ::inet_ntop(AF_INET, buf, out, sizeof out);
    if (::inet_pton(AF_INET6, text.c_str(), buf) == 1) return ::inet_ntop(AF_INET6, buf, out, sizeof out);
    return "";
}

// A DNS name without case and without the trailing dot of a fully qualified name.
std::string canonical_dns(const std::string& name) {
    std::string n = lower(name);
    if (!n.empty() && n.back() == '.') n.pop_back();
    return n;
}

bool is_rsa(const RequestInfo& request) {
    return lower(request.key_type) == "rsa";
}

// Username and groups: the CSR must come from this node's kubelet.
void check_requester(const CsrObject& csr, const std::string& node_user, Evaluation& e) {
    const bool in_group = std::find(csr.groups.begin(), csr.groups.end(), k_nodes_group) != csr.groups.end();
    if (!in_group)
        e.reasons.push_back("the requester is not in group " + std::string(k_nodes_group) +
                            " (groups: " + (csr.groups.empty() ? std::string("none") : joined(csr.groups)) + ")");
    else
        e.passed.push_back("requested by " + node_user + " in group " + k_nodes_group);
}

void check_signer(const CsrObject& csr, Evaluation& e) {
    if (csr.signer_name != k_kubelet_serving_signer)
        e.reasons.push_back("signer is " + (csr.signer_name.empty() ? std::string("empty") : csr.signer_name) +
                            ", not " + k_kubelet_serving_signer);
    else
        e.passed.push_back(std::string("signer ") + k_kubelet_serving_signer);
}

// The subject must be exactly CN=system:node:<name>, O=system:nodes.
void check_subject(const RequestInfo& request, const std::string& node_user, Evaluation& e) {
    const std::string wanted = "CN=" + node_user + ", O=" + k_nodes_group;
    const bool exact = request.common_name == node_user && request.organizations.size() == 1 &&
                       request.organizations.front() == k_nodes_group && request.other_subject_attributes.empty();
    if (!exact)
        e.reasons.push_back("subject is " + (request.subject.empty() ? std::string("empty") : request.subject) +
                            ", not exactly " + wanted);
    else
        e.passed.push_back("subject " + wanted);
}

// Usages exactly {digital signature, server auth}, plus key encipherment for an RSA key only.
void check_usages(const CsrObject& csr, const RequestInfo& request, Evaluation& e) {
    const std::set<std::string> got(csr.usages.begin(), csr.usages.end());
    std::set<std::string> wanted{"digital signature", "server auth"};
    if (is_rsa(request) && got.count("key encipherment")) wanted.insert("key encipherment");
    if (got == wanted) {
        e.passed.push_back("usages " + joined(csr.usages));
        return;
    }
    std::vector<std::string> extra;
    for (const auto& u : got)
        if (!wanted.count(u)) extra.push_back(u);
    std::vector<std::string> missing;
    for (const auto& u : wanted)
        if (!got.count(u)) missing.push_back(u);
    std::string why = "usages are " + (csr.usages.empty() ? std::string("none") : joined(csr.usages)) +
                      ", not exactly digital signature and server auth";
    if (!extra.empty()) why += " (not allowed: " + joined(extra) + ")";
    if (!missing.empty()) why += " (missing: " + joined(missing) + ")";
    if (got.count("key encipherment") && !is_rsa(request))
        why += "; key encipherment is for RSA keys only, this is " +
               (request.key_type.empty() ? std::string("not RSA") : request.key_type);
    e.reasons.push_back(why);
}

// Every DNS name and IP address asked for must be this node's; no email or URI names at all.
void check_names(const RequestInfo& request, const NodeIdentity& node, Evaluation& e) {
    std::set<std::string> dns;
    for (const auto& d : node.dns_names) dns.insert(canonical_dns(d));
    dns.insert(canonical_dns(node.node_name));
    std::set<std::string> ips;
    for (const auto& a : node.ip_addresses)
        if (auto c = canonical_ip(a); !c.empty()) ips.insert(c);
    std::vector<std::string> foreign;
    for (const auto& d : request.dns_names)
        if (!dns.count(canonical_dns(d))) foreign.push_back("DNS:" + d);
    for (const auto& a : request.ip_addresses)
        if (auto c = canonical_ip(a); c.empty() || !ips.count(c)) foreign.push_back("IP:" + a);
    if (!foreign.empty())
        e.reasons.push_back(
            "names not this node's: " + joined(foreign) +
            " (this node: " + joined(std::vector<std::string>(dns.begin(), dns.end())) +
            (ips.empty() ? std::string() : ", " + joined(std::vector<std::string>(ips.begin(), ips.end()))) + ")");
    if (request.dns_names.empty() && request.ip_addresses.empty())
        e.reasons.push_back("no DNS name or IP address requested (the kubelet-serving signer needs one)");
    if (!request.email_addresses.empty())
        e.reasons.push_back("email addresses requested: " + joined(request.email_addresses));
    if (!request.uris.empty()) e.reasons.push_back("URIs requested: " + joined(request.uris));
    if (foreign.empty() && !e.requested_names.empty() && request.email_addresses.empty() && request.uris.empty())
        e.passed.push_back("names " + joined(e.requested_names) + " all this node's");
}

void check_key_and_signature(const RequestInfo& request, const PolicyLimits& limits, Evaluation& e) {
    if (!request.signature_valid)
        e.reasons.push_back("the request's signature does not verify with its own key");
    else
        e.passed.push_back("signature valid");
    if (is_rsa(request) && request.key_bits < limits.min_rsa_bits)
        e.reasons.push_back("RSA key of " + std::to_string(request.key_bits) + " bits (at least " +
                            std::to_string(limits.min_rsa_bits) + " wanted)");
}

void check_duration(const CsrObject& csr, const PolicyLimits& limits, Evaluation& e) {
    if (!csr.expiration_seconds) return;
    if (*csr.expiration_seconds > limits.max_expiration_seconds)
        e.reasons.push_back("requested duration " + util::format_duration(*csr.expiration_seconds) +
                            " is above the bound of " + util::format_duration(limits.max_expiration_seconds));
    else
        e.passed.push_back("duration " + util::format_duration(*csr.expiration_seconds) + " within " +
                           util::format_duration(limits.max_expiration_seconds));
}

} // namespace

CsrState state_of(const CsrObject& csr) {
    if (has_true_condition(csr, "Denied")) return CsrState::denied;
    if (has_true_condition(csr, "Failed")) return CsrState::failed;
    if (has_true_condition(csr, "Approved"))
        return csr.has_certificate ? CsrState::issued : CsrState::approved_unissued;
    return CsrState::pending;
}

std::string state_text(CsrState state) {
    switch (state) {
    case CsrState::pending: return "pending";
    case CsrState::approved_unissued: return "approved, not issued";
    case CsrState::issued: return "issued";
    case CsrState::denied: return "denied";
    case CsrState::failed: return "failed";
    }
    return "unknown";
}

bool requested_by(const CsrObject& csr, const std::string& node_name) {
    return !node_name.empty() && csr.username == k_node_user_prefix + node_name;
}

Evaluation evaluate(const CsrObject& csr, const RequestInfo& request, const NodeIdentity& node, std::int64_t now,
                    const PolicyLimits& limits) {
    Evaluation e;
    e.state = state_of(csr);
    e.age_seconds = std::max<std::int64_t>(0, now - csr.created_at);
    for (const auto& d : request.dns_names) e.requested_names.push_back(d);
    for (const auto& a : request.ip_addresses) e.requested_names.push_back(a);
    if (e.state != CsrState::pending) return e; // verdict stays settled
    const std::string node_user = k_node_user_prefix + node.node_name;
    if (!requested_by(csr, node.node_name)) {
        e.verdict = Verdict::not_ours;
        e.reasons.push_back("requested by " + (csr.username.empty() ? std::string("nobody") : csr.username) +
                            ", not by this node (" + node_user + "): not ours, never touched");
        return e;
    }
    check_requester(csr, node_user, e);
    check_signer(csr, e);
    check_subject(request, node_user, e);
    check_usages(csr, request, e);
    check_names(request, node, e);
    check_key_and_signature(request, limits, e);
    check_duration(csr, limits, e);
    e.verdict = e.reasons.empty() ? Verdict::approve : Verdict::leave_pending;
    return e;
}

std::string approval_message(const Evaluation& evaluation, const std::string& version) {
    return "Approved by kubecert" + (version.empty() ? std::string() : " " + version) +
           " after its kubelet-serving checks passed: " + joined(evaluation.passed);
}

} // namespace kubecert::csr
