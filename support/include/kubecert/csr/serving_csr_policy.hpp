#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

// Which kubelet-serving CertificateSigningRequests of this node a careful approver approves: the
// identity checks of kubelet-csr-approver, as one pure function from the CSR object, its parsed
// request and this node's identity to a verdict with every reason. Nothing here talks to the API.
namespace kubecert::csr {

inline constexpr const char* k_kubelet_serving_signer = "kubernetes.io/kubelet-serving";
inline constexpr const char* k_nodes_group = "system:nodes";
inline constexpr const char* k_node_user_prefix = "system:node:";
// The reason of the Approved condition kubecert writes (kubectl writes KubectlApprove).
inline constexpr const char* k_approval_reason = "KubecertApprove";

// The PKCS#10 request of a CSR as parsed (the members of sdk::CsrInfo, so it is filled from it).
struct RequestInfo {
    std::string subject;                               // RFC 2253 text, for messages
    std::string common_name;                           // "" when absent
    std::vector<std::string> organizations;            // every O
    std::vector<std::string> other_subject_attributes; // anything but CN and O (parse_request: the subject)
    std::vector<std::string> dns_names;                // subjectAltName DNS entries
    std::vector<std::string> ip_addresses;             // textual IPv4/IPv6
    std::vector<std::string> email_addresses;
    std::vector<std::string> uris;
    std::string key_type; // "RSA", "EC", "ED25519", ... (compared case-insensitively)
    int key_bits = 0;
    bool signature_valid = false; // the request is signed by the key it carries
};

// One status condition of a CSR object.
struct Condition {
    std::string type;   // Approved, Denied, Failed
    std::string status; // "True", ...
    std::string reason;
    std::string message;
    std::string last_update_time; // RFC 3339, "" when absent
};

// The fields of a certificates.k8s.io/v1 CertificateSigningRequest the policy reads.
struct CsrObject {
    std::string name;
    std::string signer_name;
    std::string username;
    std::vector<std::string> groups;
    std::vector<std::string> usages;
    std::optional<std::int64_t> expiration_seconds; // spec.expirationSeconds, nullopt when unset
    std::int64_t created_at = 0;                    // creationTimestamp, unix seconds
    std::vector<Condition> conditions;
    bool has_certificate = false; // status.certificate is set
};

// This node as the approver knows it: its Node object's name and addresses, and what is configured.
struct NodeIdentity {
    std::string node_name;
    std::vector<std::string> dns_names;    // hostnames and DNS addresses of this node (node name included)
    std::vector<std::string> ip_addresses; // its addresses (InternalIP, ExternalIP, --node-ip)
};

// Where a CSR is in its life.
enum class CsrState { pending, approved_unissued, issued, denied, failed };

// What the approver does with a CSR.
enum class Verdict {
    approve,       // pending, this node's, every check passed
    leave_pending, // pending, this node's, some check failed: reported, never approved
    not_ours,      // requested by someone else: never touched
    settled,       // not pending (approved, denied or failed): nothing to decide
};

// The bounds the policy applies.
struct PolicyLimits {
    std::int64_t max_expiration_seconds = 365 * 24 * 3600; // a longer spec.expirationSeconds is refused
    int min_rsa_bits = 2048;
};

// The policy's answer for one CSR.
struct Evaluation {
    CsrState state = CsrState::pending;
    std::int64_t age_seconds = 0;
    Verdict verdict = Verdict::settled;
    std::vector<std::string> reasons;         // for leave_pending and not_ours: every check that failed
    std::vector<std::string> passed;          // for approve: the checks passed, for the approval message
    std::vector<std::string> requested_names; // the DNS names and IPs asked for, for reports
};

// The state of `csr` from its conditions and certificate.
CsrState state_of(const CsrObject& csr);

// "pending", "approved, not issued", "issued", "denied", "failed".
std::string state_text(CsrState state);

// Whether `csr` was requested by this node's kubelet (username system:node:<node name>).
bool requested_by(const CsrObject& csr, const std::string& node_name);

// Judges `csr` with its parsed `request` against `node` at `now` (unix seconds).
Evaluation evaluate(const CsrObject& csr, const RequestInfo& request, const NodeIdentity& node, std::int64_t now,
                    const PolicyLimits& limits = {});

// The Approved condition's message: names kubecert (with `version` when not empty) and the checks
// it passed, so that the cluster's audit log says who approved and why.
std::string approval_message(const Evaluation& evaluation, const std::string& version);

} // namespace kubecert::csr
