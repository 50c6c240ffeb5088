// HostServices: the host's services for one plugin in C++ terms; the logic
// that was mixed with C marshalling before (which view of the files, what an
// action is, when a command runs).
#include "app/host_services.hpp"

#include <climits>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <thread>

#include "app/invoking_user.hpp"
#include "app/planned_restarts.hpp"
#include "host/command_runner.hpp"
#include "net/tls_probe.hpp"
#include "report/printable.hpp"
#include "secrets/known_secrets.hpp"

namespace kubecert::app {

namespace {

// The most of a failed command's output a report keeps (its end, where the reason usually is).
constexpr std::size_t k_max_failure_output = 4000;

std::string failure_detail(const host::CommandOutcome& res, std::chrono::milliseconds timeout) {
    std::string detail = res.timed_out ? "timed out after " + std::to_string(timeout.count()) + " ms"
                                       : "exit code " + std::to_string(res.exit_code);
    std::string output = res.err.empty() ? res.out : res.err;
    if (output.size() > k_max_failure_output) output = output.substr(output.size() - k_max_failure_output);
    if (!output.empty()) detail += ": " + output;
    return detail;
}

} // namespace

HostServices::HostServices(RunContext& run, const loader::PluginModel& plugin) : m_run(run), m_plugin(plugin) {}

HostServices::CallScope::CallScope(HostServices& services, const PhaseContext& phase, AuditResults* results)
    : m_services(services) {
    m_services.m_phase = &phase;
    m_services.m_results = results;
}

HostServices::CallScope::~CallScope() {
    m_services.m_phase = nullptr;
    m_services.m_results = nullptr;
}

const PhaseContext& HostServices::phase() const {
    if (!m_phase) throw std::logic_error("host called outside create, detect, audit or fix of the plugin");
    return *m_phase;
}

// --- context -------------------------------------------------------------

std::optional<std::string> HostServices::option(const std::string& name) const {
    auto given = m_run.plugin_options.find(m_plugin.name);
    if (given != m_run.plugin_options.end()) {
        if (auto v = given->second.find(name); v != given->second.end()) return v->second;
    }
    // The declared default of an option that takes a value (a flag's absence is its default).
    if (const auto* o = m_plugin.option(name); o && !o->is_flag() && o->default_value) return *o->default_value;
    return std::nullopt;
}

void HostServices::log(LogLevel level, const std::string& message) {
    const std::string msg = report::printable(secrets::scrub_for_output(message), true);
    const char* plugin = m_plugin.name.c_str();
    // A message after a progress line starts on a clean line instead of continuing it.
    if (level != LogLevel::progress && m_run.progress_shown && (level != LogLevel::debug || m_run.verbose)) {
        std::fputs("\r\033[K", stderr);
        m_run.progress_shown = false;
    }
    switch (level) {
    case LogLevel::debug:
        if (m_run.verbose) std::fprintf(stderr, "debug: %s: %s\n", plugin, msg.c_str());
        break;
    case LogLevel::progress:
        // Transient: rewritten in place on a terminal, silent otherwise.
        if (m_run.stderr_is_terminal) {
            std::fprintf(stderr, "\r\033[K%s: %s", plugin, msg.c_str());
            m_run.progress_shown = true;
        }
        break;
    case LogLevel::warn: std::fprintf(stderr, "warning: %s: %s\n", plugin, msg.c_str()); break;
    case LogLevel::error: std::fprintf(stderr, "error: %s: %s\n", plugin, msg.c_str()); break;
    case LogLevel::info: std::fprintf(stderr, "%s: %s\n", plugin, msg.c_str()); break;
    }
    std::fflush(stderr);
}

void HostServices::sleep_ms(std::uint32_t milliseconds) const {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(milliseconds);
    while (std::chrono::steady_clock::now() < until) {
        if (m_run.cancelled && m_run.cancelled->load()) return;
        const auto left = until - std::chrono::steady_clock::now();
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(50)));
    }
}

std::string HostServices::node_name() const {
    if (auto f = phase().node().read_file("/etc/hostname")) {
        std::string name = *f;
        while (!name.empty() && (name.back() == '\n' || name.back() == '\r' || name.back() == ' ')) name.pop_back();
        if (!name.empty()) return name;
    }
    char buf[256] = {0};
    if (gethostname(buf, sizeof buf - 1) == 0) return buf;
    return "localhost";
}

std::optional<std::string> HostServices::user_home() const {
    return invoking_user_home(phase().node());
}

std::optional<std::string> HostServices::working_dir() const {
    char buf[PATH_MAX];
    if (!getcwd(buf, sizeof buf)) return std::nullopt;
    const std::string cwd = buf;
    const std::string& root = m_run.fs->root(); // "" for "/"
    if (root.empty()) return cwd;
    if (cwd == root) return std::string("/");
    if (cwd.size() > root.size() && cwd.compare(0, root.size(), root) == 0 && cwd[root.size()] == '/')
        return cwd.substr(root.size());
    return std::nullopt;
}

// --- results -------------------------------------------------------------

util::Status HostServices::report_finding(report::Finding finding) {
    if (!m_results)
        return util::make_error(util::ErrorCode::denied, "report_finding: findings are reported during audit only");
    if (!m_run.check_selected(finding.id)) return util::ok_status();
    finding.plugin = m_plugin.name;
    m_results->findings.push_back(std::move(finding));
    return util::ok_status();
}

util::Status HostServices::report_certificate(report::Certificate certificate) {
    if (!m_results)
        return util::make_error(util::ErrorCode::denied,
                                "report_certificate: certificates are reported during audit only");
    certificate.plugin = m_plugin.name;
    certificate.residual_seconds = certificate.not_after - phase().now();
    m_results->certificates.push_back(std::move(certificate));
    return util::ok_status();
}

// --- reading the node -------------------------------------------------------

util::Result<std::string> HostServices::read_file(const std::string& path) const {
    auto r = phase().node().read_file(path);
    if (r) secrets::known_secrets().remember(*r); // whatever the plugin does with it, no output shows it
    return r;
}

util::Result<host::FileStat> HostServices::stat(const std::string& path, bool follow_last) const {
    return phase().node().stat(path, follow_last);
}

util::Result<std::vector<std::string>> HostServices::list_dir(const std::string& path) const {
    return phase().node().list_dir(path);
}

util::Result<std::string> HostServices::resolve_path(const std::string& path) const {
    auto r = phase().node().resolve(path, true);
    if (!r) return r.error();
    return r->node_path;
}

util::Result<std::vector<host::ProcessInfo>> HostServices::find_processes(const std::string& name) const {
    auto r = host::find_processes(*m_run.fs, name);
    if (!r) return r;
    // The dry-run preview counts a planned restart as done: the running process would be replaced.
    const auto& planned = m_run.planned_restarts;
    if (phase().kind() == PhaseKind::after_fix && m_run.dry_run &&
        std::find(planned.begin(), planned.end(), name) != planned.end())
        return std::vector<host::ProcessInfo>{};
    return r;
}

// --- changing the node -------------------------------------------------------

util::Result<host::Transaction*> HostServices::transaction_for(const char* what) const {
    if (auto* t = phase().transaction()) return t;
    // Rationale: detect and audit run on every `kubecert audit`, on a schedule too; a plugin that
    // changed the node there would do so without --yes, backup or rollback.
    const char* during = phase().kind() == PhaseKind::detect ? "detect()" : "audit()";
    return util::make_error(util::ErrorCode::denied, std::string(what) + ": refused during " + during +
                                                         ": the node can only be changed during fix() "
                                                         "(plugin.h, \"Phases\")");
}

void HostServices::note_edit(const host::Transaction& transaction) {
    // The transaction moves the record it changed last to the end.
    m_run.actions.note_edit(transaction.records().back().id, m_current_finding, m_plugin.name);
}

util::Status HostServices::write_file(const std::string& path, const std::string& content, std::uint32_t mode,
                                      bool force_mode) {
    auto t = transaction_for("write_file");
    if (!t) return t.error();
    secrets::known_secrets().remember(content);
    auto changed = (*t)->write_file(path, content, mode, force_mode);
    if (!changed) return changed.error();
    if (*changed) note_edit(**t);
    return util::ok_status();
}

util::Status HostServices::backup_file(const std::string& path) {
    auto t = transaction_for("backup_file");
    if (!t) return t.error();
    return (*t)->backup_file(path);
}

util::Status HostServices::park_file(const std::string& path) {
    auto t = transaction_for("park_file");
    if (!t) return t.error();
    auto parked = (*t)->park_file(path);
    if (!parked) return parked;
    note_edit(**t);
    return util::ok_status();
}

util::Status HostServices::unpark_file(const std::string& path) {
    auto t = transaction_for("unpark_file");
    if (!t) return t.error();
    auto r = (*t)->unpark_file(path);
    m_run.actions.close_poll(); // the wait after a file is put back is another step
    return r;
}

util::Status HostServices::replace_symlink(const std::string& path, const std::string& target) {
    auto t = transaction_for("replace_symlink");
    if (!t) return t.error();
    auto changed = (*t)->replace_symlink(path, target);
    if (!changed) return changed.error();
    if (*changed) note_edit(**t);
    return util::ok_status();
}

util::Status HostServices::rollback() {
    auto t = transaction_for("rollback");
    if (!t) return t.error();
    return (*t)->rollback(); // the records say what was rolled back: the report's actions follow
}

// --- commands ------------------------------------------------------------------

void HostServices::add_command_action(const std::string& line, report::ActionStatus status, std::string detail) {
    report::Action a;
    a.finding = m_current_finding;
    a.plugin = m_plugin.name;
    a.target = line;
    a.status = status;
    a.detail = std::move(detail);
    m_run.actions.add_command(std::move(a));
}

util::Result<CommandResult> HostServices::run_command(const CommandRequest& request) {
    if (request.argv.empty() || request.argv[0].empty())
        return util::make_error(util::ErrorCode::invalid, "run_command: empty command");
    const std::string line = host::quote_command(request.argv);
    // A command would run on the machine running kubecert, not on a mounted node.
    if (!m_run.live.live)
        return util::make_error(util::ErrorCode::denied,
                                "not the running system (" + m_run.live.reason + "): `" + line + "` was not run");
    const auto& current = phase();
    // A read-only command that a real fix runs (a restart's waits: `crictl ps`, `systemctl
    // is-active`) is listed too, so the report shows every step its dry run plans. The polls of
    // one wait are one action whose detail counts them and gives the last answer.
    const bool fix_poll = request.read_only && !m_run.dry_run && current.kind() == PhaseKind::fix;
    const bool listed = (!request.read_only || fix_poll) && request.listed;
    // A command may restart what reads the files written so far: they go into place first.
    if (!request.read_only && current.transaction()) {
        if (auto st = current.transaction()->commit(); !st) return st.error();
    }
    if (m_run.dry_run && !request.read_only) {
        plan_command(request, line, listed);
        CommandResult planned;
        planned.exit_code = 0;
        planned.dry_run = true;
        return planned;
    }
    return run_for_real(request, line, listed, fix_poll);
}

void HostServices::plan_command(const CommandRequest& request, const std::string& line, bool listed) {
    if (listed) add_command_action(line, report::ActionStatus::planned, "");
    for (auto& name : restarted_by(request.argv)) m_run.planned_restarts.push_back(std::move(name));
}

util::Result<CommandResult> HostServices::run_for_real(const CommandRequest& request, const std::string& line,
                                                       bool listed, bool fix_poll) {
    std::function<void(const std::string&)> stream;
    secrets::LineScrubber scrubber(stderr); // streamed output passes the same gate, a whole line at a time
    if (request.stream) stream = [&scrubber](const std::string& chunk) { scrubber.write(chunk); };
    if (m_run.verbose)
        std::fprintf(stderr, "debug: %s: running %s\n", m_plugin.name.c_str(), secrets::scrub_for_output(line).c_str());
    auto res = host::run_command(request.argv, request.timeout, stream);
    if (!res) {
        if (listed) add_command_action(line, report::ActionStatus::failed, res.error().message);
        return res.error();
    }
    secrets::known_secrets().remember(res->out);
    secrets::known_secrets().remember(res->err);
    if (listed && fix_poll) {
        m_run.actions.add_poll(m_current_finding, m_plugin.name, line,
                               res->timed_out ? "timed out" : "exit code " + std::to_string(res->exit_code));
    } else if (listed) {
        const bool ok = !res->timed_out && res->exit_code == 0;
        add_command_action(line, ok ? report::ActionStatus::applied : report::ActionStatus::failed,
                           ok ? "" : failure_detail(*res, request.timeout));
    }
    CommandResult out;
    out.exit_code = res->exit_code;
    out.timed_out = res->timed_out;
    out.out = std::move(res->out);
    out.err = std::move(res->err);
    return out;
}

// --- certificates and network ---------------------------------------------------

util::Result<x509::CertDetails> HostServices::cert_parse(std::string_view data, const std::string& source) const {
    return x509::parse_certificate(data, source);
}

util::Result<bool> HostServices::key_matches_cert(std::string_view key, std::string_view cert) const {
    return x509::key_matches_certificate(key, cert);
}

util::Result<x509::VerifyOutcome> HostServices::cert_verify(std::string_view cert, std::string_view ca) const {
    return x509::verify_certificate(cert, ca, phase().now());
}

util::Result<x509::IssuedPair> HostServices::cert_issue(std::string_view tmpl, std::string_view ca_cert,
                                                        std::string_view ca_key, std::int64_t validity_seconds) const {
    if (validity_seconds <= 0)
        return util::make_error(util::ErrorCode::invalid, "cert_issue: validity must be positive");
    return x509::issue_certificate(tmpl, ca_cert, ca_key, phase().now(), validity_seconds);
}

std::vector<util::Result<x509::IssuedPair>>
HostServices::cert_issue_batch(const std::vector<x509::IssueRequest>& batch) const {
    return x509::issue_certificates(batch, phase().now());
}

util::Result<x509::CertDetails> HostServices::tls_fetch_cert(const std::string& address,
                                                             std::chrono::milliseconds timeout) const {
    return net::fetch_served_certificate(address, timeout);
}

util::Result<net::HttpResponse> HostServices::http_get(const std::string& url,
                                                       std::chrono::milliseconds timeout) const {
    return net::http_get(url, timeout);
}

// --- the cluster's API (kubecert.https.v1) and CSRs (kubecert.csr.v1) -------------------

void HostServices::add_request_action(const std::string& target, report::ActionStatus status, std::string detail) {
    report::Action a;
    a.finding = m_current_finding;
    a.plugin = m_plugin.name;
    a.kind = report::ActionKind::request;
    a.target = target;
    a.status = status;
    a.detail = std::move(detail);
    m_run.actions.add_request(std::move(a));
}

util::Result<HttpsResult> HostServices::https_request(const net::HttpsRequest& request) {
    // Whatever the plugin does with them, no output shows them.
    secrets::known_secrets().remember(request.client_key_pem);
    secrets::known_secrets().remember_value(request.bearer_token);
    if (auto ok = net::check_https_request(request); !ok) return ok.error();
    const auto& current = phase();
    if (request.method == "GET") {
        auto r = net::https_request(request);
        if (!r) return r.error();
        return HttpsResult{std::move(*r), false};
    }
    const std::string target = request.method + " " + request.url;
    if (!current.transaction()) {
        // Rationale: as write_file: an audit runs on a schedule, without --yes or a report of actions.
        const char* during = current.kind() == PhaseKind::detect ? "detect()" : "audit()";
        return util::make_error(util::ErrorCode::denied, std::string("https_request: ") + target + " refused during " +
                                                             during +
                                                             ": the cluster can only be changed during fix() "
                                                             "(plugin.h, \"kubecert.https.v1\")");
    }
    const std::string sent = std::to_string(request.body.size()) + " bytes of body";
    if (m_run.dry_run) {
        add_request_action(target, report::ActionStatus::planned, "would " + target + " (" + sent + ")");
        return HttpsResult{{}, true};
    }
    auto r = net::https_request(request);
    if (!r) {
        add_request_action(target, report::ActionStatus::failed, r.error().message);
        return r.error();
    }
    const bool ok = r->status >= 200 && r->status < 300;
    add_request_action(target, ok ? report::ActionStatus::applied : report::ActionStatus::failed,
                       "HTTP " + std::to_string(r->status) + " (" + sent + " sent)");
    return HttpsResult{std::move(*r), false};
}

util::Result<x509::CsrDetails> HostServices::csr_parse(std::string_view pem, const std::string& source) const {
    return x509::parse_csr(pem, source);
}

} // namespace kubecert::app
