#include <kubecert/csr/serving_csrs.hpp>

#include <kubecert/csr/csr_json.hpp>
#include <kubecert/csr/served_certificate.hpp>
#include <kubecert/kube/api_client.hpp>
#include <kubecert/util/plugin_options.hpp>
#include <kubecert/util/wait.hpp>

namespace kubecert::csr {

namespace {

constexpr const char* k_csrs_path = "/apis/certificates.k8s.io/v1/certificatesigningrequests";

// The request of an API call that did not answer 2xx, as an error naming the call and the answer.
[[noreturn]] void api_failed(const std::string& what, const kube::ApiResponse& r) {
    const std::string message = status_message(r.body);
    throw sdk::Error(KUBECERT_ERR_FAILED, what + ": HTTP " + std::to_string(r.status) +
                                              (message.empty() ? std::string() : " (" + message + ")"));
}

bool ok(const kube::ApiResponse& r) {
    return r.status >= 200 && r.status < 300;
}

std::uint32_t probe_timeout_ms() {
    return 5000;
}

} // namespace

RequestInfo parse_request(const sdk::Host& host, std::string_view pem, const std::string& source) {
    const sdk::CsrInfo c = host.parse_csr(pem, source);
    RequestInfo r;
    r.subject = c.subject;
    r.common_name = c.common_name;
    r.organizations = c.organizations;
    // The host says whether there is more than CN and O; the subject shows what.
    if (c.other_subject_attributes) r.other_subject_attributes.push_back(c.subject);
    r.dns_names = c.dns_names;
    r.ip_addresses = c.ip_addresses;
    r.email_addresses = c.email_addresses;
    r.uris = c.uris;
    r.key_type = c.key_type;
    r.key_bits = c.key_bits;
    r.signature_valid = c.signature_valid;
    return r;
}

struct ServingCsrSession::Client {
    kube::ApiClient api;
};

ServingCsrSession::ServingCsrSession(const sdk::Host& host, const ServingCsrSettings& settings, const ApiAccess& access)
    : m_host(host), m_settings(settings),
      m_client(new Client{kube::ApiClient::from_kubeconfig(host, access.kubeconfig, "")}), m_identity(settings.node),
      m_ca_pem(m_client->api.credentials().ca_pem), m_server(m_client->api.server()) {
    const std::string user = m_client->api.user_description();
    if (user.find(k_node_user_prefix) != std::string::npos)
        throw sdk::Error(KUBECERT_ERR_DENIED,
                         access.kubeconfig + " authenticates as " + user + ", a kubelet: a node may not approve CSRs");
    // The Node object's addresses; without them only the configured names count (stricter).
    const auto node = m_client->api.get("/api/v1/nodes/" + settings.node.node_name);
    if (ok(node))
        add_node_addresses(node.body, m_identity);
    else
        host.info(settings.check_id + ": Node " + settings.node.node_name + " not readable (HTTP " +
                  std::to_string(node.status) + "): judging names against the configured ones only");
}

ServingCsrSession::~ServingCsrSession() = default;

JudgedCsr ServingCsrSession::judge(const CsrRecord& record) const {
    JudgedCsr j{record, {}, ""};
    RequestInfo info;
    try {
        if (record.request_pem.empty()) throw sdk::Error(KUBECERT_ERR_PARSE, "spec.request is not base64");
        info = parse_request(m_host, record.request_pem, "CertificateSigningRequest " + record.object.name);
    } catch (const sdk::Error& e) {
        j.parse_error = e.what();
    }
    j.evaluation = evaluate(record.object, info, m_identity, m_host.now(), m_settings.limits);
    if (!j.parse_error.empty() && j.evaluation.verdict == Verdict::approve)
        j.evaluation.verdict = Verdict::leave_pending;
    return j;
}

std::vector<JudgedCsr> ServingCsrSession::judged() const {
    const auto r = m_client->api.get(k_csrs_path);
    if (!ok(r)) api_failed("listing CertificateSigningRequests at " + m_server, r);
    std::vector<JudgedCsr> out;
    try {
        for (const auto& record : parse_csr_list(r.body, m_server + k_csrs_path))
            if (concerns_node(record.object, m_identity.node_name)) out.push_back(judge(record));
    } catch (const std::runtime_error& e) {
        throw sdk::Error(KUBECERT_ERR_PARSE, e.what());
    }
    return out;
}

ServingCsrsView ServingCsrSession::view() const {
    return {m_identity.node_name, m_server, judged(), m_settings.pending_warn_seconds};
}

std::optional<JudgedCsr> ServingCsrSession::get(const std::string& name) const {
    const auto r = m_client->api.get(std::string(k_csrs_path) + "/" + name);
    if (r.status == 404) return std::nullopt;
    if (!ok(r)) api_failed("reading CertificateSigningRequest " + name, r);
    try {
        const auto records = parse_csr_list("{\"items\":[" + r.body + "]}", m_server + k_csrs_path + "/" + name);
        if (records.empty()) return std::nullopt;
        return judge(records.front());
    } catch (const std::runtime_error& e) {
        throw sdk::Error(KUBECERT_ERR_PARSE, e.what());
    }
}

std::string ServingCsrSession::approve(const JudgedCsr& csr) const {
    JudgedCsr current = csr;
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!approvable(current))
            return "left " + current.record.object.name + " pending: it changed and no longer passes the checks";
        const std::string name = current.record.object.name;
        const std::string message = approval_message(current.evaluation, m_host.host_version().value_or(""));
        const auto r = m_client->api.put_json(std::string(k_csrs_path) + "/" + name + "/approval",
                                              approval_body(current.record.json, message, m_host.now()));
        if (r.dry_run) return "would approve " + name + " (" + message + ")";
        if (ok(r)) return "approved " + name + " (" + message + ")";
        if (r.status != 409 || attempt == 1) api_failed("approving CertificateSigningRequest " + name, r);
        // Changed since listed (another approver, the signer): judge what it is now, once.
        const auto again = get(name);
        if (!again) return name + " is gone";
        if (again->evaluation.state != CsrState::pending)
            return name + " is already " + state_text(again->evaluation.state);
        current = *again;
    }
    return "";
}

sdk::Finding audit_serving_csrs(const sdk::Host& host, const ServingCsrSettings& settings) {
    sdk::Finding f;
    f.id = settings.check_id;
    f.title = settings.title;
    const ApiAccess access = choose_api_access(host, settings);
    if (!access.why_not.empty() || !host.has_https()) {
        f.status = access.refused ? sdk::Status::error : sdk::Status::info;
        f.result = access.why_not.empty() ? "this kubecert host cannot send HTTPS requests" : access.why_not;
        f.evidence.push_back({access.kubeconfig, "API access", f.result, ""});
        if (access.refused) f.remediation = access.why_not;
        return f;
    }
    try {
        const ServingCsrSession session(host, settings, access);
        return serving_csrs_finding(settings.check_id, settings.title, session.view());
    } catch (const std::exception& e) {
        // A kubeconfig the user named must work; the default one failing (a control plane whose API
        // server is down, or unreachable from here) is worth a warning, not a failed run.
        f.status = access.explicit_option ? sdk::Status::error : sdk::Status::warn;
        f.result = e.what();
        f.evidence.push_back({access.kubeconfig, "CertificateSigningRequests", e.what(), "listed"});
        f.remediation = "Check that " + access.kubeconfig +
                        " reaches the API server and its user may list and approve CertificateSigningRequests.";
        return f;
    }
}

std::string verify_served_after_approval(const sdk::Host& host, const ServingCsrSettings& settings,
                                         const ServingCsrSession& session) {
    const util::PluginOptions options(host, settings.plugin);
    const auto named = options.text(k_opt_kubelet_address);
    const std::string address = named.value_or(k_default_kubelet_address);
    if (!named && !host.live_system().live) {
        host.info("not the running system: check the served certificate yourself (openssl s_client -connect " +
                  address + ")");
        return "";
    }
    if (session.cluster_ca().empty()) return "the kubeconfig names no cluster CA to check the served certificate with";
    util::WaitSpec spec;
    spec.what = "the kubelet on " + address + " to serve a certificate of the cluster CA";
    spec.timeout_seconds = options.duration_or(k_opt_csr_timeout, util::k_one_second, util::k_one_hour, 120);
    ServedCertificate last;
    const auto result = util::wait_until(host, spec, [&] {
        last = probe_served_certificate(host, address, session.cluster_ca(), session.identity(), probe_timeout_ms());
        return util::Probe{last.ok, last.ok ? last.seen : last.why};
    });
    if (result.done) {
        host.info("the kubelet on " + address + " serves " + last.seen + " (sha256 " + last.sha256_fingerprint + ")");
        return "";
    }
    return address + " serves " + last.seen + ": " + last.why;
}

void fix_serving_csrs(const sdk::Host& host, const ServingCsrSettings& settings) {
    const ApiAccess access = choose_api_access(host, settings);
    if (!access.why_not.empty()) throw sdk::Error(KUBECERT_ERR_FAILED, access.why_not);
    const ServingCsrSession session(host, settings, access);
    host.begin_action(settings.check_id);
    int approved = 0;
    for (const auto& j : session.judged()) {
        if (!approvable(j)) continue;
        const std::string done = session.approve(j);
        host.info(done);
        if (done.rfind("approved ", 0) == 0) ++approved;
    }
    if (approved == 0 || host.dry_run()) return;
    if (const auto failure = verify_served_after_approval(host, settings, session); !failure.empty())
        throw sdk::Error(KUBECERT_ERR_FAILED, "approved, but " + failure);
}

std::optional<std::string> approve_new_csr(const sdk::Host& host, const ServingCsrSettings& settings,
                                           const ServingCsrSession& session, const std::set<std::string>& before,
                                           std::string& why) {
    const util::PluginOptions options(host, settings.plugin);
    util::WaitSpec spec;
    spec.what = "a new kubelet-serving CSR of " + session.identity().node_name;
    spec.timeout_seconds = options.duration_or(k_opt_csr_timeout, util::k_one_second, util::k_one_hour, 120);
    std::optional<JudgedCsr> found;
    const auto result = util::wait_until(host, spec, [&] {
        for (auto& j : session.judged())
            if (requested_by(j.record.object, session.identity().node_name) && !before.count(j.record.object.name) &&
                j.evaluation.state == CsrState::pending) {
                found = std::move(j);
                return util::Probe{true, found->record.object.name};
            }
        return util::Probe{false, "none yet"};
    });
    if (!result.done || !found) {
        why = "no new CSR of system:node:" + session.identity().node_name + " arrived within " +
              std::to_string(spec.timeout_seconds) + "s";
        return std::nullopt;
    }
    if (!approvable(*found)) {
        why = found->record.object.name +
              " is not approvable: " + (found->parse_error.empty() ? std::string() : found->parse_error + "; ");
        for (const auto& r : found->evaluation.reasons) why += r + "; ";
        return std::nullopt;
    }
    host.info(session.approve(*found));
    return found->record.object.name;
}

} // namespace kubecert::csr
