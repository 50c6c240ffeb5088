#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <kubecert/csr/csr_json.hpp>
#include <kubecert/csr/serving_csr_policy.hpp>
#include <kubecert/sdk.hpp>

// The finding of a serving-CSR check (kubeadm.kubelet-serving-csrs, eks.kubelet-serving-csrs) from
// the CSRs the API listed and the policy's verdicts: pure, so every plugin reports them the same way.
namespace kubecert::csr {

// One listed CSR with the policy's answer.
struct JudgedCsr {
    CsrRecord record;
    Evaluation evaluation;
    std::string parse_error; // why its request could not be read ("" when it could); never approved then
};

// What the check saw in the cluster.
struct ServingCsrsView {
    std::string node_name;
    std::string api_server;                  // the kubeconfig's server, for the evidence
    std::vector<JudgedCsr> csrs;             // this node's CSRs, and other nodes' pending kubelet-serving ones
    std::int64_t pending_warn_seconds = 300; // a pending or unissued CSR older than this is WARN
};

// Whether a listed CSR concerns this check: this node's (but not its client certificate's, which
// kube-controller-manager approves itself), or another node's pending kubelet-serving CSR.
bool concerns_node(const CsrObject& csr, const std::string& node_name);

// True when the policy approves `j` (pending, this node's, every check passed, request readable).
bool approvable(const JudgedCsr& j);

// The finding `id`/`title` for `view`: WARN (fixable) while an approvable CSR waits; WARN for a
// pending CSR left unapproved, or unissued, past pending_warn_seconds and for denied and failed
// ones; else PASS. One evidence row per CSR with its age, the names it asks for and the verdict
// with every reason.
sdk::Finding serving_csrs_finding(const std::string& id, const std::string& title, const ServingCsrsView& view);

// "12m", "3h 4m": a CSR's age for reports.
std::string age_text(std::int64_t seconds);

} // namespace kubecert::csr
