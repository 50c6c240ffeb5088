#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <kubecert/csr/serving_csr_policy.hpp>

// The certificates.k8s.io/v1 and core/v1 JSON the serving-CSR checks read and write: a
// CertificateSigningRequestList, a Node's addresses, the body of a PUT to the approval subresource.
namespace kubecert::csr {

// One CSR of a list: the fields the policy reads, its request and its JSON for a later update.
struct CsrRecord {
    CsrObject object;
    std::string request_pem; // spec.request, base64-decoded ("" when it is not base64)
    std::string json;        // the object as listed, for the approval's PUT
};

// The items of a CertificateSigningRequestList (`source` names it in errors). Throws
// std::runtime_error when it is not JSON or not such a list.
std::vector<CsrRecord> parse_csr_list(std::string_view json, const std::string& source);

// The names and addresses of a Node object: Hostname, InternalDNS and ExternalDNS as DNS names,
// InternalIP and ExternalIP as IP addresses, added to `identity`. Throws std::runtime_error when
// it is not JSON.
void add_node_addresses(std::string_view node_json, NodeIdentity& identity);

// The body of PUT .../certificatesigningrequests/NAME/approval: the listed object `csr_json` (its
// resourceVersion kept, so a concurrent change gets 409) with an Approved condition (status True,
// reason KubecertApprove, `message`, lastUpdateTime `now`) added.
std::string approval_body(std::string_view csr_json, const std::string& message, std::int64_t now);

// The conditions of the object an approval returned; throws std::runtime_error when not JSON.
std::vector<Condition> conditions_of(std::string_view csr_json);

// The message of a Kubernetes Status answer ("" when the body is none).
std::string status_message(std::string_view body);

} // namespace kubecert::csr
