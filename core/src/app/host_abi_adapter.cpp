// HostAbiAdapter: C trampolines of kubecert_host_t. Each one checks its
// pointers, converts C to C++, calls HostServices, converts the answer back,
// all inside a guard that turns any exception into a failing status.
#include "app/host_abi_adapter.hpp"

#include <algorithm>
#include <cstring>
#include <exception>
#include <type_traits>

#include "app/abi_guard.hpp"
#include "app/abi_records.hpp"
#include "app/host_extensions.hpp"
#include "host/root_fs.hpp"
#include "secrets/known_secrets.hpp"

namespace kubecert::app {

namespace {

using namespace abi;

std::string_view view(const char* data, size_t size) {
    return data ? std::string_view(data, size) : std::string_view();
}

kubecert_cert_info_t to_c(HostAbiAdapter& a, const x509::CertDetails& d) {
    kubecert_cert_info_t c{};
    c.subject = a.keep(d.subject);
    c.issuer = a.keep(d.issuer);
    c.common_name = a.keep(d.common_name);
    c.issuer_common_name = a.keep(d.issuer_common_name);
    c.organizations = a.keep_list(d.organizations);
    c.sans = a.keep_list(d.sans);
    c.key_usage = a.keep(d.key_usage);
    c.ext_key_usage = a.keep(d.ext_key_usage);
    c.is_ca = d.is_ca;
    c.self_signed = d.self_signed;
    c.not_before = d.not_before;
    c.not_after = d.not_after;
    c.serial = a.keep(d.serial);
    c.public_key_algorithm = a.keep(d.public_key_algorithm);
    c.public_key_bits = d.public_key_bits;
    c.sha256_fingerprint = a.keep(d.sha256_fingerprint);
    c.pem = a.keep_buffer(d.pem);
    return c;
}

kubecert_file_type_t to_c(host::FileStat::Type type) {
    using T = host::FileStat::Type;
    switch (type) {
    case T::missing: return KUBECERT_FILE_MISSING;
    case T::regular: return KUBECERT_FILE_REGULAR;
    case T::directory: return KUBECERT_FILE_DIRECTORY;
    case T::symlink: return KUBECERT_FILE_SYMLINK;
    default: return KUBECERT_FILE_OTHER;
    }
}

report::FindingStatus to_finding_status(kubecert_finding_status_t st) {
    switch (st) {
    case KUBECERT_PASS: return report::FindingStatus::pass;
    case KUBECERT_FAIL: return report::FindingStatus::fail;
    case KUBECERT_WARN: return report::FindingStatus::warn;
    case KUBECERT_INFO: return report::FindingStatus::info;
    default: return report::FindingStatus::error; // a value outside the ABI: the check could not be evaluated
    }
}

LogLevel to_log_level(kubecert_log_level_t level) {
    switch (level) {
    case KUBECERT_LOG_DEBUG: return LogLevel::debug;
    case KUBECERT_LOG_WARN: return LogLevel::warn;
    case KUBECERT_LOG_ERROR: return LogLevel::error;
    case KUBECERT_LOG_PROGRESS: return LogLevel::progress;
    default: return LogLevel::info;
    }
}

// --- context -----------------------------------------------------------

const char* h_last_error(const kubecert_host_t* h) {
    HostAbiAdapter* a = adapter_of(h);
    return a ? a->last_error() : "kubecert host: a null or foreign host pointer";
}

const char* h_option(const kubecert_host_t* h, const char* name) {
    return guarded_value<const char*>(h, "option", nullptr, [&](HostAbiAdapter& a) -> const char* {
        if (!name) return nullptr;
        auto v = a.services().option(name);
        return v ? a.keep(std::move(*v)) : nullptr;
    });
}

int64_t h_now(const kubecert_host_t* h) {
    return guarded_value<int64_t>(h, "now", 0, [](HostAbiAdapter& a) { return a.services().now(); });
}
int64_t h_warn_within(const kubecert_host_t* h) {
    return guarded_value<int64_t>(h, "warn_within", 0, [](HostAbiAdapter& a) { return a.services().warn_within(); });
}
const char* h_benchmark(const kubecert_host_t* h) {
    return guarded_value<const char*>(h, "benchmark", "",
                                      [](HostAbiAdapter& a) { return a.services().benchmark().c_str(); });
}
int h_dry_run(const kubecert_host_t* h) {
    return guarded_value(h, "dry_run", 0, [](HostAbiAdapter& a) { return a.services().dry_run() ? 1 : 0; });
}
int h_no_restart(const kubecert_host_t* h) {
    return guarded_value(h, "no_restart", 0, [](HostAbiAdapter& a) { return a.services().no_restart() ? 1 : 0; });
}
int h_check_selected(const kubecert_host_t* h, const char* id) {
    return guarded_value(h, "check_selected", 0,
                         [&](HostAbiAdapter& a) { return id && a.services().check_selected(id) ? 1 : 0; });
}

void h_log(const kubecert_host_t* h, kubecert_log_level_t level, const char* message) {
    guarded_value(h, "log", 0, [&](HostAbiAdapter& a) {
        a.services().log(to_log_level(level), str(message));
        return 0;
    });
}

void h_sleep_ms(const kubecert_host_t* h, uint32_t ms) {
    guarded_value(h, "sleep_ms", 0, [&](HostAbiAdapter& a) {
        a.services().sleep_ms(ms);
        return 0;
    });
}

const char* h_node_name(const kubecert_host_t* h) {
    return guarded_value<const char*>(h, "node_name", "localhost",
                                      [](HostAbiAdapter& a) { return a.keep(a.services().node_name()); });
}

const char* h_user_home(const kubecert_host_t* h) {
    return guarded_value<const char*>(h, "user_home", nullptr, [](HostAbiAdapter& a) -> const char* {
        auto home = a.services().user_home();
        return home ? a.keep(std::move(*home)) : nullptr;
    });
}

int h_live_system(const kubecert_host_t* h, const char** reason) {
    return guarded_value(h, "live_system", 0, [&](HostAbiAdapter& a) {
        const auto& live = a.services().live_system();
        if (reason) *reason = a.keep(live.reason);
        return live.live ? 1 : 0;
    });
}

const char* h_working_dir(const kubecert_host_t* h) {
    return guarded_value<const char*>(h, "working_dir", nullptr, [](HostAbiAdapter& a) -> const char* {
        auto dir = a.services().working_dir();
        return dir ? a.keep(std::move(*dir)) : nullptr;
    });
}

// --- results -------------------------------------------------------------

util::Result<report::Finding> to_finding(const kubecert_finding_t& f) {
    report::Finding out;
    out.id = f.id;
    out.title = str(f.title);
    out.status = to_finding_status(f.status);
    out.benchmark = str(f.benchmark);
    auto evidence = read_evidence(f); // ABI 1.4 evidence_items with their stride, else the 1.0 array
    if (!evidence) return evidence.error();
    out.evidence = std::move(*evidence);
    out.remediation = str(f.remediation);
    out.fixable = f.fixable != 0;
    // Scrubbed here, while any key block in it is still whole: the report shows it on one line.
    if (KUBECERT_HAS_FIELD(&f, kubecert_finding_t, result)) out.result = secrets::scrub_for_output(str(f.result));
    return out;
}

kubecert_status_t h_report_finding(const kubecert_host_t* h, const kubecert_finding_t* f) {
    return guarded(h, "report_finding", [&](HostAbiAdapter& a) -> kubecert_status_t {
        if (!f || f->struct_size < offsetof(kubecert_finding_t, fixable) + sizeof(int) || !f->id || !*f->id)
            return a.fail(KUBECERT_ERR_INVALID, "report_finding: a finding needs struct_size and an id");
        auto finding = to_finding(*f);
        if (!finding) return answer(a, finding);
        return answer(a, a.services().report_finding(std::move(*finding)));
    });
}

kubecert_status_t h_report_certificate(const kubecert_host_t* h, const kubecert_certificate_t* c) {
    return guarded(h, "report_certificate", [&](HostAbiAdapter& a) -> kubecert_status_t {
        if (!c || c->struct_size < offsetof(kubecert_certificate_t, is_authority) + sizeof(int) || !c->name)
            return a.fail(KUBECERT_ERR_INVALID, "report_certificate: a certificate needs struct_size and a name");
        report::Certificate out;
        out.name = c->name;
        out.path = str(c->path);
        out.subject = str(c->subject);
        out.issuer = str(c->issuer);
        out.not_before = c->not_before;
        out.not_after = c->not_after;
        out.authority = str(c->authority);
        out.externally_managed = c->externally_managed != 0;
        out.is_authority = c->is_authority != 0;
        return answer(a, a.services().report_certificate(std::move(out)));
    });
}

// --- reading the node -------------------------------------------------------

kubecert_status_t h_read_file(const kubecert_host_t* h, const char* path, kubecert_buffer_t* out) {
    return guarded(h, "read_file", [&](HostAbiAdapter& a) -> kubecert_status_t {
        if (!path || !out) return a.fail(KUBECERT_ERR_INVALID, "read_file: null argument");
        auto r = a.services().read_file(path);
        if (r) *out = a.keep_buffer(std::move(*r));
        return answer(a, r);
    });
}

kubecert_status_t stat_impl(const kubecert_host_t* h, const char* path, kubecert_file_info_t* out, bool follow) {
    return guarded(h, follow ? "stat_file" : "lstat_file", [&](HostAbiAdapter& a) -> kubecert_status_t {
        if (!path || !out) return a.fail(KUBECERT_ERR_INVALID, "stat_file: null argument");
        auto r = a.services().stat(path, follow);
        if (!r) return answer(a, r);
        kubecert_file_info_t i{};
        i.type = to_c(r->type);
        i.mode = r->mode;
        i.uid = r->uid;
        i.gid = r->gid;
        i.size = r->size;
        i.mtime = r->mtime;
        copy_out(out, i);
        return KUBECERT_OK;
    });
}

kubecert_status_t h_stat_file(const kubecert_host_t* h, const char* p, kubecert_file_info_t* o) {
    return stat_impl(h, p, o, true);
}
kubecert_status_t h_lstat_file(const kubecert_host_t* h, const char* p, kubecert_file_info_t* o) {
    return stat_impl(h, p, o, false);
}

kubecert_status_t h_list_dir(const kubecert_host_t* h, const char* path, kubecert_string_list_t* out) {
    return guarded(h, "list_dir", [&](HostAbiAdapter& a) -> kubecert_status_t {
        if (!path || !out) return a.fail(KUBECERT_ERR_INVALID, "list_dir: null argument");
        auto r = a.services().list_dir(path);
        if (r) *out = a.keep_list(*r);
        return answer(a, r);
    });
}

kubecert_status_t h_resolve_path(const kubecert_host_t* h, const char* path, const char** out) {
    return guarded(h, "resolve_path", [&](HostAbiAdapter& a) -> kubecert_status_t {
        if (!path || !out) return a.fail(KUBECERT_ERR_INVALID, "resolve_path: null argument");
        auto r = a.services().resolve_path(path);
        if (r) *out = a.keep(std::move(*r));
        return answer(a, r);
    });
}

// The processes named `name` as ABI 1.0 records the adapter keeps until the call returns.
util::Result<std::vector<kubecert_process_t>*> kept_processes(HostAbiAdapter& a, const char* name) {
    auto r = a.services().find_processes(name);
    if (!r) return r.error();
    auto& list = a.keep_processes();
    for (const auto& p : *r) list.push_back({p.pid, a.keep_list(p.argv)});
    return &list;
}

kubecert_status_t h_find_processes(const kubecert_host_t* h, const char* name, const kubecert_process_t** out,
                                   size_t* count) {
    return guarded(h, "find_processes", [&](HostAbiAdapter& a) -> kubecert_status_t {
        if (!name || !out || !count) return a.fail(KUBECERT_ERR_INVALID, "find_processes: null argument");
        auto list = kept_processes(a, name);
        if (!list) return answer(a, list);
        *out = (*list)->data();
        *count = (*list)->size();
        return KUBECERT_OK;
    });
}

// ABI 1.4: the same processes as records with a struct_size.
kubecert_status_t h_list_processes(const kubecert_host_t* h, const char* name, const kubecert_process_info_t** out,
                                   size_t* count) {
    return guarded(h, "list_processes", [&](HostAbiAdapter& a) -> kubecert_status_t {
        if (!name || !out || !count) return a.fail(KUBECERT_ERR_INVALID, "list_processes: null argument");
        auto found = kept_processes(a, name);
        if (!found) return answer(a, found);
        const auto& list = a.keep_process_infos(process_infos((*found)->data(), (*found)->size()));
        *out = list.data();
        *count = list.size();
        return KUBECERT_OK;
    });
}

// --- changing the node -------------------------------------------------------

void h_begin_action(const kubecert_host_t* h, const char* finding_id) {
    guarded_value(h, "begin_action", 0, [&](HostAbiAdapter& a) {
        a.services().begin_action(str(finding_id));
        return 0;
    });
}

kubecert_status_t h_write_file(const kubecert_host_t* h, const char* path, const char* data, size_t size, uint32_t mode,
                               int force_mode) {
    return guarded(h, "write_file", [&](HostAbiAdapter& a) -> kubecert_status_t {
        if (!path || (!data && size)) return a.fail(KUBECERT_ERR_INVALID, "write_file: null argument");
        if (too_big(size))
            return a.fail(KUBECERT_ERR_INVALID, "write_file: " + std::to_string(size) + " bytes for " + path +
                                                    " is more than a node file may hold");
        return answer(a, a.services().write_file(path, std::string(view(data, size)), mode, force_mode != 0));
    });
}

// One path argument, one service: backup_file, park_file, unpark_file.
kubecert_status_t path_call(const kubecert_host_t* h, const char* what, const char* path,
                            util::Status (HostServices::*service)(const std::string&)) {
    return guarded(h, what, [&](HostAbiAdapter& a) -> kubecert_status_t {
        if (!path) return a.fail(KUBECERT_ERR_INVALID, std::string(what) + ": null argument");
        return answer(a, (a.services().*service)(path));
    });
}

kubecert_status_t h_backup_file(const kubecert_host_t* h, const char* path) {
    return path_call(h, "backup_file", path, &HostServices::backup_file);
}
kubecert_status_t h_park_file(const kubecert_host_t* h, const char* path) {
    return path_call(h, "park_file", path, &HostServices::park_file);
}
kubecert_status_t h_unpark_file(const kubecert_host_t* h, const char* path) {
    return path_call(h, "unpark_file", path, &HostServices::unpark_file);
}

kubecert_status_t h_replace_symlink(const kubecert_host_t* h, const char* path, const char* target) {
    return guarded(h, "replace_symlink", [&](HostAbiAdapter& a) -> kubecert_status_t {
        if (!path || !target) return a.fail(KUBECERT_ERR_INVALID, "replace_symlink: null argument");
        return answer(a, a.services().replace_symlink(path, target));
    });
}

kubecert_status_t h_rollback(const kubecert_host_t* h) {
    return guarded(h, "rollback", [](HostAbiAdapter& a) { return answer(a, a.services().rollback()); });
}

// --- commands ------------------------------------------------------------------

kubecert_status_t h_run_command(const kubecert_host_t* h, const char* const* argv, size_t argc, uint32_t timeout_ms,
                                uint32_t flags, kubecert_command_result_t* out) {
    return guarded(h, "run_command", [&](HostAbiAdapter& a) -> kubecert_status_t {
        if (!argv || argc == 0 || !argv[0] || !out) return a.fail(KUBECERT_ERR_INVALID, "run_command: empty command");
        CommandRequest request;
        for (size_t i = 0; i < argc; ++i) {
            if (!argv[i]) return a.fail(KUBECERT_ERR_INVALID, "run_command: null argument");
            request.argv.emplace_back(argv[i]);
        }
        request.timeout = std::chrono::milliseconds(timeout_ms ? timeout_ms : 60000);
        request.read_only = flags & KUBECERT_CMD_READ_ONLY;
        request.stream = flags & KUBECERT_CMD_STREAM;
        request.listed = !(flags & KUBECERT_CMD_NO_ACTION);
        auto r = a.services().run_command(request);
        if (!r) return answer(a, r);
        kubecert_command_result_t c{};
        c.exit_code = r->exit_code;
        c.timed_out = r->timed_out ? 1 : 0;
        c.dry_run = r->dry_run ? 1 : 0;
        c.out = a.keep_buffer(std::move(r->out));
        c.err = a.keep_buffer(std::move(r->err));
        copy_out(out, c);
        return KUBECERT_OK;
    });
}

// --- certificates ------------------------------------------------------------------

kubecert_status_t h_cert_parse(const kubecert_host_t* h, const char* data, size_t size, const char* source,
                               kubecert_cert_info_t* out) {
    return guarded(h, "cert_parse", [&](HostAbiAdapter& a) -> kubecert_status_t {
        if (!data || !out) return a.fail(KUBECERT_ERR_INVALID, "cert_parse: null argument");
        if (too_big(size)) return a.fail(KUBECERT_ERR_INVALID, "cert_parse: " + std::to_string(size) + " bytes");
        auto r = a.services().cert_parse(std::string_view(data, size), source ? source : "certificate");
        if (r) copy_out(out, to_c(a, *r));
        return answer(a, r);
    });
}

kubecert_status_t h_key_matches_cert(const kubecert_host_t* h, const char* key, size_t key_size, const char* cert,
                                     size_t cert_size, int* matches) {
    return guarded(h, "key_matches_cert", [&](HostAbiAdapter& a) -> kubecert_status_t {
        if (!key || !cert || !matches) return a.fail(KUBECERT_ERR_INVALID, "key_matches_cert: null argument");
        if (too_big(key_size) || too_big(cert_size)) return a.fail(KUBECERT_ERR_INVALID, "key_matches_cert: size");
        auto r = a.services().key_matches_cert(std::string_view(key, key_size), std::string_view(cert, cert_size));
        if (r) *matches = *r ? 1 : 0;
        return answer(a, r);
    });
}

kubecert_status_t h_cert_verify(const kubecert_host_t* h, const char* cert, size_t cert_size, const char* ca,
                                size_t ca_size, int* ok, const char** reason) {
    return guarded(h, "cert_verify", [&](HostAbiAdapter& a) -> kubecert_status_t {
        if (!cert || !ca || !ok) return a.fail(KUBECERT_ERR_INVALID, "cert_verify: null argument");
        if (too_big(cert_size) || too_big(ca_size)) return a.fail(KUBECERT_ERR_INVALID, "cert_verify: size");
        auto r = a.services().cert_verify(std::string_view(cert, cert_size), std::string_view(ca, ca_size));
        if (!r) return answer(a, r);
        *ok = r->ok ? 1 : 0;
        if (reason) *reason = a.keep(r->reason);
        return KUBECERT_OK;
    });
}

kubecert_status_t h_cert_issue(const kubecert_host_t* h, const char* tmpl, size_t tmpl_size, const char* ca_cert,
                               size_t ca_cert_size, const char* ca_key, size_t ca_key_size, int64_t validity,
                               kubecert_issued_t* out) {
    return guarded(h, "cert_issue", [&](HostAbiAdapter& a) -> kubecert_status_t {
        if (!tmpl || !ca_cert || !ca_key || !out) return a.fail(KUBECERT_ERR_INVALID, "cert_issue: null argument");
        if (too_big(tmpl_size) || too_big(ca_cert_size) || too_big(ca_key_size))
            return a.fail(KUBECERT_ERR_INVALID, "cert_issue: size");
        auto r = a.services().cert_issue(std::string_view(tmpl, tmpl_size), std::string_view(ca_cert, ca_cert_size),
                                         std::string_view(ca_key, ca_key_size), validity);
        if (!r) return answer(a, r);
        kubecert_issued_t i{};
        i.cert_pem = a.keep_buffer(std::move(r->cert_pem));
        i.key_pem = a.keep_buffer(std::move(r->key_pem));
        copy_out(out, i);
        return KUBECERT_OK;
    });
}

// One request of cert_issue_batch as C++, or why it is refused.
util::Result<x509::IssueRequest> to_issue_request(const kubecert_issue_request_t* r,
                                                  const kubecert_issue_result_t* result) {
    if (!r || !result || !KUBECERT_HAS_FIELD(r, kubecert_issue_request_t, validity_seconds) ||
        result->struct_size < offsetof(kubecert_issue_result_t, status) + sizeof(kubecert_status_t))
        return util::make_error(util::ErrorCode::invalid, "null or too small struct");
    if (!r->tmpl || !r->ca_cert || !r->ca_key) return util::make_error(util::ErrorCode::invalid, "null argument");
    if (too_big(r->tmpl_size) || too_big(r->ca_cert_size) || too_big(r->ca_key_size) ||
        (r->old_key && too_big(r->old_key_size)))
        return util::make_error(util::ErrorCode::invalid, "size");
    if (r->validity_seconds <= 0) return util::make_error(util::ErrorCode::invalid, "validity must be positive");
    return x509::IssueRequest{std::string_view(r->tmpl, r->tmpl_size), std::string_view(r->ca_cert, r->ca_cert_size),
                              std::string_view(r->ca_key, r->ca_key_size),
                              r->old_key ? std::string_view(r->old_key, r->old_key_size) : std::string_view(),
                              r->validity_seconds};
}

kubecert_issue_result_t to_c(HostAbiAdapter& a, util::Result<x509::IssuedPair>& issued) {
    kubecert_issue_result_t out{};
    out.status = issued ? KUBECERT_OK : to_status(issued.error().code);
    out.error = a.keep(issued ? std::string() : issued.error().message);
    out.cert_pem = a.keep_buffer(issued ? std::move(issued->cert_pem) : std::string());
    out.key_pem = a.keep_buffer(issued ? std::move(issued->key_pem) : std::string());
    return out;
}

kubecert_status_t h_cert_issue_batch(const kubecert_host_t* h, const kubecert_issue_request_t* const* requests,
                                     size_t count, kubecert_issue_result_t* const* results) {
    return guarded(h, "cert_issue_batch", [&](HostAbiAdapter& a) -> kubecert_status_t {
        if (count > 0 && (!requests || !results))
            return a.fail(KUBECERT_ERR_INVALID, "cert_issue_batch: null argument");
        // Every request is checked before any key is made: bad arguments change nothing.
        std::vector<x509::IssueRequest> batch;
        for (size_t i = 0; i < count; ++i) {
            auto request = to_issue_request(requests[i], results[i]);
            if (!request)
                return a.fail(KUBECERT_ERR_INVALID,
                              "cert_issue_batch: request " + std::to_string(i) + ": " + request.error().message);
            batch.push_back(*request);
        }
        auto issued = a.services().cert_issue_batch(batch);
        for (size_t i = 0; i < count; ++i) copy_out(results[i], to_c(a, issued[i]));
        return KUBECERT_OK;
    });
}

// --- network ----------------------------------------------------------------------------

kubecert_status_t h_tls_fetch_cert(const kubecert_host_t* h, const char* address, uint32_t timeout_ms,
                                   kubecert_cert_info_t* out) {
    return guarded(h, "tls_fetch_cert", [&](HostAbiAdapter& a) -> kubecert_status_t {
        if (!address || !out) return a.fail(KUBECERT_ERR_INVALID, "tls_fetch_cert: null argument");
        auto r = a.services().tls_fetch_cert(address, std::chrono::milliseconds(timeout_ms ? timeout_ms : 5000));
        if (r) copy_out(out, to_c(a, *r));
        return answer(a, r);
    });
}

kubecert_status_t h_http_get(const kubecert_host_t* h, const char* url, uint32_t timeout_ms,
                             kubecert_http_response_t* out) {
    return guarded(h, "http_get", [&](HostAbiAdapter& a) -> kubecert_status_t {
        if (!url || !out) return a.fail(KUBECERT_ERR_INVALID, "http_get: null argument");
        auto r = a.services().http_get(url, std::chrono::milliseconds(timeout_ms ? timeout_ms : 10000));
        if (!r) return answer(a, r);
        kubecert_http_response_t resp{};
        resp.status = r->status;
        resp.body = a.keep_buffer(std::move(r->body));
        copy_out(out, resp);
        return KUBECERT_OK;
    });
}

void fill_context(kubecert_host_t& t) {
    t.last_error = h_last_error;
    t.option = h_option;
    t.now = h_now;
    t.warn_within = h_warn_within;
    t.benchmark = h_benchmark;
    t.dry_run = h_dry_run;
    t.no_restart = h_no_restart;
    t.check_selected = h_check_selected;
    t.log = h_log;
    t.sleep_ms = h_sleep_ms;
    t.node_name = h_node_name;
    t.user_home = h_user_home;
    t.working_dir = h_working_dir;
    t.live_system = h_live_system;
}

void fill_node_access(kubecert_host_t& t) {
    t.report_finding = h_report_finding;
    t.report_certificate = h_report_certificate;
    t.read_file = h_read_file;
    t.stat_file = h_stat_file;
    t.lstat_file = h_lstat_file;
    t.list_dir = h_list_dir;
    t.resolve_path = h_resolve_path;
    t.find_processes = h_find_processes;
    t.list_processes = h_list_processes;
    t.begin_action = h_begin_action;
    t.write_file = h_write_file;
    t.backup_file = h_backup_file;
    t.park_file = h_park_file;
    t.unpark_file = h_unpark_file;
    t.rollback = h_rollback;
    t.replace_symlink = h_replace_symlink;
    t.run_command = h_run_command;
}

void fill_crypto_and_network(kubecert_host_t& t) {
    t.cert_parse = h_cert_parse;
    t.key_matches_cert = h_key_matches_cert;
    t.cert_verify = h_cert_verify;
    t.cert_issue = h_cert_issue;
    t.cert_issue_batch = h_cert_issue_batch;
    t.tls_fetch_cert = h_tls_fetch_cert;
    t.http_get = h_http_get;
}

} // namespace

HostAbiAdapter::HostAbiAdapter(HostServices& services) : m_services(services) {
    m_table.struct_size = sizeof m_table;
    m_table.abi = {KUBECERT_ABI_MAJOR, KUBECERT_ABI_MINOR, KUBECERT_ABI_PATCH};
    m_table.host_data = this;
    fill_context(m_table);
    fill_node_access(m_table);
    fill_crypto_and_network(m_table);
    // Optional services found by name (ABI 1.4, host_extensions.hpp).
    m_table.get_extension = get_host_extension;
}

void HostAbiAdapter::clear_arena() {
    m_strings.clear();
    m_lists.clear();
    m_process_lists.clear();
    m_process_info_lists.clear();
}

const std::vector<kubecert_process_info_t>&
HostAbiAdapter::keep_process_infos(std::vector<kubecert_process_info_t> list) {
    return m_process_info_lists.emplace_back(std::move(list));
}

const char* HostAbiAdapter::keep(std::string s) {
    return m_strings.emplace_back(std::move(s)).c_str();
}

kubecert_buffer_t HostAbiAdapter::keep_buffer(std::string s) {
    const std::string& kept = m_strings.emplace_back(std::move(s));
    return {kept.c_str(), kept.size()};
}

kubecert_string_list_t HostAbiAdapter::keep_list(const std::vector<std::string>& items) {
    auto& ptrs = m_lists.emplace_back();
    ptrs.reserve(items.size());
    for (const auto& i : items) ptrs.push_back(keep(i));
    return {ptrs.data(), ptrs.size()};
}

std::vector<kubecert_process_t>& HostAbiAdapter::keep_processes() {
    return m_process_lists.emplace_back();
}

kubecert_status_t HostAbiAdapter::fail(kubecert_status_t status, const std::string& message) noexcept {
    try {
        m_last_error = message;
    } catch (...) {
        m_last_error.clear(); // out of memory: the status still says it failed
    }
    return status;
}

} // namespace kubecert::app
