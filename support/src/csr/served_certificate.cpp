#include <kubecert/csr/served_certificate.hpp>

namespace kubecert::csr {

namespace {

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
    return out;
}

// The served certificate's SANs as a request would list them, judged by the policy's name rule.
std::vector<std::string> foreign_names(const sdk::CertInfo& cert, const NodeIdentity& node) {
    RequestInfo as_request;
    for (const auto& san : cert.sans) {
        if (san.rfind("DNS:", 0) == 0) as_request.dns_names.push_back(san.substr(4));
        if (san.rfind("IP:", 0) == 0) as_request.ip_addresses.push_back(san.substr(3));
    }
    CsrObject object;
    object.username = k_node_user_prefix + node.node_name;
    object.groups = {k_nodes_group};
    object.signer_name = k_kubelet_serving_signer;
    object.usages = {"digital signature", "server auth"};
    as_request.common_name = k_node_user_prefix + node.node_name;
    as_request.organizations = {k_nodes_group};
    as_request.signature_valid = true;
    std::vector<std::string> out;
    for (const auto& reason : evaluate(object, as_request, node, 0).reasons) out.push_back(reason);
    return out;
}

} // namespace

ServedCertificate probe_served_certificate(const sdk::Host& host, const std::string& address, const std::string& ca_pem,
                                           const NodeIdentity& node, std::uint32_t timeout_ms) {
    ServedCertificate out;
    sdk::CertInfo cert;
    try {
        cert = host.tls_fetch_cert(address, timeout_ms);
    } catch (const sdk::Error& e) {
        out.seen = "no certificate served on " + address + " (" + e.what() + ")";
        out.why = out.seen;
        return out;
    }
    out.sha256_fingerprint = cert.sha256_fingerprint;
    out.seen = cert.subject + " issued by " + cert.issuer + (cert.sans.empty() ? "" : ", " + joined(cert.sans));
    std::vector<std::string> problems;
    if (const auto v = host.verify_cert(cert.pem, ca_pem); !v.ok)
        problems.push_back("not signed by the cluster CA (" + v.reason + ")");
    if (cert.common_name != k_node_user_prefix + node.node_name)
        problems.push_back("its CN is " + cert.common_name + ", not " + k_node_user_prefix + node.node_name);
    for (const auto& reason : foreign_names(cert, node)) problems.push_back(reason);
    out.ok = problems.empty();
    for (const auto& p : problems) out.why += (out.why.empty() ? "" : "; ") + p;
    return out;
}

} // namespace kubecert::csr
