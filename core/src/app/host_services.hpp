// HostServices: what the host does for one plugin, in C++ terms (no C types):
// context and settings, the findings and certificates an audit returns, reads
// through the phase's one NodeView, changes through the fix's transaction,
// commands, certificates and the network. The C table of plugin.h is built
// over it by HostAbiAdapter (host_abi_adapter.hpp), which only marshals.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/phase_context.hpp"
#include "app/run_context.hpp"
#include "host/process_table.hpp"
#include "loader/plugin_model.hpp"
#include "net/http_client.hpp"
#include "net/https_client.hpp"
#include "report/model.hpp"
#include "util/result.hpp"
#include "x509/certificate.hpp"
#include "x509/csr.hpp"
#include "x509/issue_batch.hpp"

namespace kubecert::app {

// What an audit gave back, in the order the plugin reported it.
struct AuditResults {
    std::vector<report::Finding> findings;
    std::vector<report::Certificate> certificates;
};

enum class LogLevel { debug, info, warn, error, progress };

struct CommandRequest {
    std::vector<std::string> argv;
    std::chrono::milliseconds timeout{60000};
    bool read_only = false; // runs under --dry-run too (it changes nothing)
    bool stream = false;    // output also goes to the terminal as it comes
    bool listed = true;     // listed as an action in the report
};

struct CommandResult {
    int exit_code = -1;
    bool timed_out = false;
    bool dry_run = false; // not run: --dry-run
    std::string out;
    std::string err;
};

// The answer of an HTTPS request (kubecert.https.v1); not sent under --dry-run
// when it would change the cluster.
struct HttpsResult {
    net::HttpsResponse response;
    bool dry_run = false;
};

class HostServices {
public:
    // `plugin`: what the loader read of the plugin (its name, its options' declared defaults);
    // the loaded plugin that owns it outlives every HostServices made for it.
    HostServices(RunContext& run, const loader::PluginModel& plugin);
    HostServices(const HostServices&) = delete;
    HostServices& operator=(const HostServices&) = delete;

    // Binds one plugin call (create, detect, audit, fix) to its phase for as
    // long as it lives; an audit's findings and certificates go to `results`.
    // Outside a call, services that need the phase fail (std::logic_error,
    // which the adapter turns into a failing status).
    class CallScope {
    public:
        CallScope(HostServices& services, const PhaseContext& phase, AuditResults* results = nullptr);
        ~CallScope();
        CallScope(const CallScope&) = delete;
        CallScope& operator=(const CallScope&) = delete;

    private:
        HostServices& m_services;
    };

    const std::string& plugin_name() const { return m_plugin.name; }

    // --- context ---
    std::optional<std::string> option(const std::string& name) const;
    std::int64_t now() const { return phase().now(); }
    std::int64_t warn_within() const { return m_run.warn_within; }
    const std::string& benchmark() const { return m_run.benchmark; }
    bool dry_run() const { return m_run.dry_run; }
    bool no_restart() const { return m_run.no_restart; }
    bool check_selected(const std::string& id) const { return m_run.check_selected(id); }
    void log(LogLevel level, const std::string& message);
    void sleep_ms(std::uint32_t milliseconds) const;
    std::string node_name() const;
    std::optional<std::string> user_home() const;
    const host::LiveSystem& live_system() const { return m_run.live; }
    std::optional<std::string> working_dir() const;
    // kubecert.run.v1: whether this plugin's fix() was handed `id` in this run and succeeded, with
    // the fix's changes standing; known in the audit after a fix only (PhaseContext::fixed()).
    bool fixed_in_this_run(std::string_view id) const { return phase().fixed().contains(m_plugin.name, id); }

    // --- results (audit) ---
    util::Status report_finding(report::Finding finding);
    util::Status report_certificate(report::Certificate certificate);

    // --- reading the node: every read through the phase's one NodeView ---
    util::Result<std::string> read_file(const std::string& path) const;
    util::Result<host::FileStat> stat(const std::string& path, bool follow_last) const;
    util::Result<std::vector<std::string>> list_dir(const std::string& path) const;
    util::Result<std::string> resolve_path(const std::string& path) const;
    util::Result<std::vector<host::ProcessInfo>> find_processes(const std::string& name) const;

    // --- changing the node (fix phase only) ---
    void begin_action(std::string finding_id) { m_current_finding = std::move(finding_id); }
    util::Status write_file(const std::string& path, const std::string& content, std::uint32_t mode, bool force_mode);
    util::Status backup_file(const std::string& path);
    util::Status park_file(const std::string& path);
    util::Status unpark_file(const std::string& path);
    util::Status rollback();
    util::Status replace_symlink(const std::string& path, const std::string& target);

    // --- commands ---
    util::Result<CommandResult> run_command(const CommandRequest& request);

    // --- certificates and network ---
    util::Result<x509::CertDetails> cert_parse(std::string_view data, const std::string& source) const;
    util::Result<bool> key_matches_cert(std::string_view key, std::string_view cert) const;
    util::Result<x509::VerifyOutcome> cert_verify(std::string_view cert, std::string_view ca) const;
    util::Result<x509::IssuedPair> cert_issue(std::string_view tmpl, std::string_view ca_cert, std::string_view ca_key,
                                              std::int64_t validity_seconds) const;
    std::vector<util::Result<x509::IssuedPair>> cert_issue_batch(const std::vector<x509::IssueRequest>& batch) const;
    util::Result<x509::CertDetails> tls_fetch_cert(const std::string& address, std::chrono::milliseconds timeout) const;
    util::Result<net::HttpResponse> http_get(const std::string& url, std::chrono::milliseconds timeout) const;
    // kubecert.https.v1: a GET in any phase; another method only in fix(),
    // listed as an action, and only planned under --dry-run.
    util::Result<HttpsResult> https_request(const net::HttpsRequest& request);
    // kubecert.csr.v1.
    util::Result<x509::CsrDetails> csr_parse(std::string_view pem, const std::string& source) const;

private:
    const PhaseContext& phase() const;
    // The fix's transaction, or an error naming `what` outside the fix phase.
    util::Result<host::Transaction*> transaction_for(const char* what) const;
    // The latest record of the transaction changed: listed (once) for the current finding.
    void note_edit(const host::Transaction& transaction);
    util::Result<CommandResult> run_for_real(const CommandRequest& request, const std::string& line, bool listed,
                                             bool fix_poll);
    void plan_command(const CommandRequest& request, const std::string& line, bool listed);
    void add_command_action(const std::string& line, report::ActionStatus status, std::string detail);
    void add_request_action(const std::string& target, report::ActionStatus status, std::string detail);

    RunContext& m_run;
    const loader::PluginModel& m_plugin;
    std::string m_current_finding;
    const PhaseContext* m_phase = nullptr; // the call under way (CallScope)
    AuditResults* m_results = nullptr;     // where an audit's results go (CallScope)
};

} // namespace kubecert::app
