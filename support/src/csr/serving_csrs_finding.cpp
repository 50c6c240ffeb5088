#include <kubecert/csr/serving_csrs_finding.hpp>

#include <kubecert/util/time.hpp>

namespace kubecert::csr {

namespace {

constexpr std::size_t k_other_nodes_shown = 10;

std::string joined(const std::vector<std::string>& items, const std::string& separator = ", ") {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : separator) + i;
    return out;
}

// What the check says about one CSR, for its evidence row.
std::string verdict_text(const JudgedCsr& j) {
    const auto& e = j.evaluation;
    if (!j.parse_error.empty()) return "left pending: its request cannot be read (" + j.parse_error + ")";
    switch (e.verdict) {
    case Verdict::approve: return "passes every check: kubecert fix approves it";
    case Verdict::leave_pending: return "left pending, never approved: " + joined(e.reasons, "; ");
    case Verdict::not_ours: return "another node's: never touched";
    case Verdict::settled: break;
    }
    for (const auto& c : j.record.object.conditions)
        if ((c.type == "Denied" || c.type == "Failed") && c.status == "True")
            return c.type + (c.reason.empty() ? "" : " (" + c.reason + ")") +
                   (c.message.empty() ? "" : ": " + c.message);
    return state_text(e.state);
}

// What a CSR in this state and of this age means for the check's status.
bool needs_attention(const JudgedCsr& j, std::int64_t warn_after) {
    const auto& e = j.evaluation;
    if (e.verdict == Verdict::not_ours) return false;
    switch (e.state) {
    case CsrState::pending: return approvable(j) || e.age_seconds >= warn_after;
    case CsrState::approved_unissued: return e.age_seconds >= warn_after;
    case CsrState::denied:
    case CsrState::failed: return true;
    case CsrState::issued: return false;
    }
    return false;
}

std::string remediation_for(const ServingCsrsView& view, int approvable_count, int stuck, int unissued, int refused) {
    std::vector<std::string> steps;
    if (approvable_count)
        steps.push_back("`kubecert fix` approves this node's pending kubelet-serving CSRs that pass every check "
                        "(or check them yourself and run `kubectl certificate approve NAME`).");
    if (stuck)
        steps.push_back("A CSR left pending asks for something this node's kubelet should not (see its reasons): "
                        "find out who made it, then `kubectl certificate deny NAME`.");
    if (unissued)
        steps.push_back("An approved CSR was not issued: kube-controller-manager signs kubernetes.io/kubelet-serving "
                        "CSRs only with --cluster-signing-cert-file and --cluster-signing-key-file (kubeadm sets "
                        "them); check that it runs and its log.");
    if (refused)
        steps.push_back("A denied or failed CSR gives the kubelet no certificate; it asks again when restarted "
                        "(systemctl restart kubelet on " +
                        view.node_name + ").");
    return joined(steps, " ");
}

} // namespace

bool concerns_node(const CsrObject& csr, const std::string& node_name) {
    if (requested_by(csr, node_name)) return csr.signer_name != "kubernetes.io/kube-apiserver-client-kubelet";
    return csr.signer_name == k_kubelet_serving_signer && state_of(csr) == CsrState::pending;
}

bool approvable(const JudgedCsr& j) {
    return j.parse_error.empty() && j.evaluation.verdict == Verdict::approve;
}

std::string age_text(std::int64_t seconds) {
    return seconds < 60 ? std::to_string(seconds) + "s" : util::format_duration(seconds);
}

sdk::Finding serving_csrs_finding(const std::string& id, const std::string& title, const ServingCsrsView& view) {
    sdk::Finding f;
    f.id = id;
    f.title = title;
    int approvable_count = 0, stuck = 0, unissued = 0, refused = 0, attention = 0;
    std::size_t others = 0;
    for (const auto& j : view.csrs) {
        const auto& o = j.record.object;
        const auto& e = j.evaluation;
        // Other nodes' CSRs are shown, a few: in a large cluster every node would list them all.
        if (e.verdict == Verdict::not_ours && ++others > k_other_nodes_shown) continue;
        const std::string names = e.requested_names.empty() ? "no names" : joined(e.requested_names);
        f.evidence.push_back({"CertificateSigningRequest " + o.name,
                              state_text(e.state) + ", " + age_text(e.age_seconds) + " old, " + o.signer_name + " by " +
                                  o.username + " for " + names,
                              verdict_text(j), e.verdict == Verdict::not_ours ? "" : "approved and issued"});
        if (!needs_attention(j, view.pending_warn_seconds)) continue;
        ++attention;
        if (approvable(j))
            ++approvable_count;
        else if (e.state == CsrState::pending)
            ++stuck;
        else if (e.state == CsrState::approved_unissued)
            ++unissued;
        else
            ++refused;
    }
    if (others > k_other_nodes_shown)
        f.evidence.push_back({view.api_server, "more pending kubelet-serving CSRs of other nodes",
                              std::to_string(others - k_other_nodes_shown) + " more, never touched", ""});
    if (view.csrs.empty())
        f.evidence.push_back(
            {view.api_server, "CertificateSigningRequests of system:node:" + view.node_name, "none", ""});
    if (attention == 0) {
        f.status = sdk::Status::pass;
        f.result =
            "no kubelet-serving CSR of " + view.node_name + " waits (" + std::to_string(view.csrs.size()) + " listed)";
        return f;
    }
    f.status = sdk::Status::warn;
    f.fixable = approvable_count > 0;
    std::vector<std::string> parts;
    if (approvable_count) parts.push_back(std::to_string(approvable_count) + " pending, approvable");
    if (stuck) parts.push_back(std::to_string(stuck) + " pending, not approvable");
    if (unissued) parts.push_back(std::to_string(unissued) + " approved but not issued");
    if (refused) parts.push_back(std::to_string(refused) + " denied or failed");
    f.result = "kubelet-serving CSRs of " + view.node_name + ": " + joined(parts);
    f.remediation = remediation_for(view, approvable_count, stuck, unissued, refused);
    return f;
}

} // namespace kubecert::csr
