#include "app/host_services.hpp"

#include <climits>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string_view>
#include <thread>

#include "app/abi_records.hpp"
#include "app/host_extensions.hpp"
#include "app/planned_restarts.hpp"
#include "host/command_runner.hpp"
#include "host/process_table.hpp"
#include "net/http_client.hpp"
#include "net/tls_probe.hpp"
#include "report/printable.hpp"
#include "secrets/known_secrets.hpp"
#include "x509/certificate.hpp"
#include "x509/issue_batch.hpp"

namespace kubecert::app {

namespace {

HostServices& self(const kubecert_host_t* h) { return *static_cast<HostServices*>(h->host_data); }

kubecert_status_t to_status(util::ErrorCode code) { return static_cast<kubecert_status_t>(code); }

kubecert_status_t fail_with(HostServices& s, const util::Error& e) { return s.fail(to_status(e.code), e.message); }

std::string str(const char* s) { return s ? std::string(s) : std::string(); }

// Fills a kubecert_cert_info_t from parsed details, strings kept in the arena.
void fill_cert_info(HostServices& s, const x509::CertDetails& d, kubecert_cert_info_t* out) {
    kubecert_cert_info_t c{};
    c.struct_size = out->struct_size;
    c.subject = s.keep(d.subject);
    c.issuer = s.keep(d.issuer);
    c.common_name = s.keep(d.common_name);
    c.issuer_common_name = s.keep(d.issuer_common_name);
    c.organizations = s.keep_list(d.organizations);
    c.sans = s.keep_list(d.sans);
    c.key_usage = s.keep(d.key_usage);
    c.ext_key_usage = s.keep(d.ext_key_usage);
    c.is_ca = d.is_ca;
    c.self_signed = d.self_signed;
    c.not_before = d.not_before;
    c.not_after = d.not_after;
    c.serial = s.keep(d.serial);
    c.public_key_algorithm = s.keep(d.public_key_algorithm);
    c.public_key_bits = d.public_key_bits;
    c.sha256_fingerprint = s.keep(d.sha256_fingerprint);
    c.pem = s.keep_buffer(d.pem);
    // Rationale: a plugin built against an older, smaller struct gets only
    // the fields it knows.
    size_t n = std::min<size_t>(out->struct_size, sizeof c);
    std::memcpy(out, &c, n);
}

// --- context -----------------------------------------------------------

const char* h_last_error(const kubecert_host_t* h) { return self(h).last_error().c_str(); }

const char* h_option(const kubecert_host_t* h, const char* name) {
    auto& s = self(h);
    if (!name) return nullptr;
    const auto& all = s.ctx().plugin_options;
    auto p = all.find(s.plugin_name());
    if (p != all.end()) {
        auto v = p->second.find(name);
        if (v != p->second.end()) return s.keep(v->second);
    }
    const auto* declared = s.plugin().model().option(name);
    return declared && declared->default_value ? declared->default_value->c_str() : nullptr;
}

int64_t h_now(const kubecert_host_t* h) { return self(h).ctx().now; }
int64_t h_warn_within(const kubecert_host_t* h) { return self(h).ctx().warn_within; }
const char* h_benchmark(const kubecert_host_t* h) { return self(h).ctx().benchmark.c_str(); }
int h_dry_run(const kubecert_host_t* h) { return self(h).ctx().dry_run ? 1 : 0; }
int h_no_restart(const kubecert_host_t* h) { return self(h).ctx().no_restart ? 1 : 0; }
int h_check_selected(const kubecert_host_t* h, const char* id) {
    return id && self(h).ctx().check_selected(id) ? 1 : 0;
}

void h_log(const kubecert_host_t* h, kubecert_log_level_t level, const char* message) {
    auto& s = self(h);
    const std::string msg = report::printable(secrets::scrub_for_output(str(message)), true);
    // A message after a progress line starts on a clean line instead of continuing it.
    if (level != KUBECERT_LOG_PROGRESS && s.ctx().progress_shown && (level != KUBECERT_LOG_DEBUG || s.ctx().verbose)) {
        std::fputs("\r\033[K", stderr);
        s.ctx().progress_shown = false;
    }
    switch (level) {
    case KUBECERT_LOG_DEBUG:
        if (s.ctx().verbose) std::fprintf(stderr, "debug: %s: %s\n", s.plugin_name().c_str(), msg.c_str());
        break;
    case KUBECERT_LOG_PROGRESS:
        // Transient: rewritten in place on a terminal, silent otherwise.
        if (s.ctx().stderr_is_terminal) {
            std::fprintf(stderr, "\r\033[K%s: %s", s.plugin_name().c_str(), msg.c_str());
            s.ctx().progress_shown = true;
        }
        break;
    case KUBECERT_LOG_WARN:
        std::fprintf(stderr, "warning: %s: %s\n", s.plugin_name().c_str(), msg.c_str());
        break;
    case KUBECERT_LOG_ERROR:
        std::fprintf(stderr, "error: %s: %s\n", s.plugin_name().c_str(), msg.c_str());
        break;
    default:
        std::fprintf(stderr, "%s: %s\n", s.plugin_name().c_str(), msg.c_str());
        break;
    }
    std::fflush(stderr);
}

void h_sleep_ms(const kubecert_host_t* h, uint32_t ms) {
    auto& s = self(h);
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < until) {
        if (s.ctx().cancelled && s.ctx().cancelled->load()) return;
        auto left = until - std::chrono::steady_clock::now();
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(50)));
    }
}

const char* h_node_name(const kubecert_host_t* h) {
    auto& s = self(h);
    auto f = s.ctx().fs->read_file("/etc/hostname");
    if (f) {
        std::string name = *f;
        while (!name.empty() && (name.back() == '\n' || name.back() == '\r' || name.back() == ' ')) name.pop_back();
        if (!name.empty()) return s.keep(name);
    }
    char buf[256] = {0};
    if (gethostname(buf, sizeof buf - 1) == 0) return s.keep(buf);
    return s.keep("localhost");
}

const char* h_user_home(const kubecert_host_t* h) {
    auto& s = self(h);
    // Under sudo, $HOME may be root's: the invoking user is SUDO_USER.
    if (const char* sudo_user = std::getenv("SUDO_USER"); sudo_user && std::strcmp(sudo_user, "root") != 0) {
        auto passwd = s.ctx().fs->read_file("/etc/passwd");
        if (passwd) {
            size_t pos = 0;
            const std::string& t = *passwd;
            while (pos < t.size()) {
                size_t end = t.find('\n', pos);
                std::string line = t.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
                pos = end == std::string::npos ? t.size() : end + 1;
                std::vector<std::string> f;
                size_t a = 0;
                while (true) {
                    size_t b = line.find(':', a);
                    f.push_back(line.substr(a, b == std::string::npos ? std::string::npos : b - a));
                    if (b == std::string::npos) break;
                    a = b + 1;
                }
                if (f.size() >= 6 && f[0] == sudo_user) return s.keep(f[5]);
            }
        }
    }
    const char* home = std::getenv("HOME");
    if (home && home[0] == '/') return s.keep(home);
    return nullptr;
}

int h_live_system(const kubecert_host_t* h, const char** reason) {
    auto& s = self(h);
    if (reason) *reason = s.keep(s.ctx().live.reason);
    return s.ctx().live.live ? 1 : 0;
}

const char* h_working_dir(const kubecert_host_t* h) {
    auto& s = self(h);
    char buf[PATH_MAX];
    if (!getcwd(buf, sizeof buf)) return nullptr;
    const std::string cwd = buf;
    const std::string& root = s.ctx().fs->root(); // "" for "/"
    if (root.empty()) return s.keep(cwd);
    if (cwd == root) return s.keep("/");
    if (cwd.size() > root.size() && cwd.compare(0, root.size(), root) == 0 && cwd[root.size()] == '/')
        return s.keep(cwd.substr(root.size()));
    return nullptr;
}

// --- results -------------------------------------------------------------

report::FindingStatus to_finding_status(kubecert_finding_status_t st) {
    switch (st) {
    case KUBECERT_PASS: return report::FindingStatus::pass;
    case KUBECERT_FAIL: return report::FindingStatus::fail;
    case KUBECERT_WARN: return report::FindingStatus::warn;
    case KUBECERT_INFO: return report::FindingStatus::info;
    default: return report::FindingStatus::error;
    }
}

kubecert_status_t h_report_finding(const kubecert_host_t* h, const kubecert_finding_t* f) {
    auto& s = self(h);
    if (!f || f->struct_size < offsetof(kubecert_finding_t, fixable) + sizeof(int) || !f->id || !*f->id)
        return s.fail(KUBECERT_ERR_INVALID, "report_finding: a finding needs struct_size and an id");
    if (!s.ctx().check_selected(f->id)) return KUBECERT_OK;
    report::Finding out;
    out.id = f->id;
    out.plugin = s.plugin_name();
    out.title = str(f->title);
    out.status = to_finding_status(f->status);
    out.benchmark = str(f->benchmark);
    auto evidence = read_evidence(*f);
    if (!evidence) return fail_with(s, evidence.error());
    out.evidence = std::move(*evidence);
    out.remediation = str(f->remediation);
    out.fixable = f->fixable != 0;
    // Scrubbed here, while any key block in it is still whole: the report shows it on one line.
    if (KUBECERT_HAS_FIELD(f, kubecert_finding_t, result)) out.result = secrets::scrub_for_output(str(f->result));
    auto& rep = s.ctx().report;
    (s.phase() == Phase::before ? rep.findings : rep.after).push_back(std::move(out));
    return KUBECERT_OK;
}

kubecert_status_t h_report_certificate(const kubecert_host_t* h, const kubecert_certificate_t* c) {
    auto& s = self(h);
    if (!c || c->struct_size < offsetof(kubecert_certificate_t, is_authority) + sizeof(int) || !c->name)
        return s.fail(KUBECERT_ERR_INVALID, "report_certificate: a certificate needs struct_size and a name");
    report::Certificate out;
    out.plugin = s.plugin_name();
    out.name = c->name;
    out.path = str(c->path);
    out.subject = str(c->subject);
    out.issuer = str(c->issuer);
    out.not_before = c->not_before;
    out.not_after = c->not_after;
    out.residual_seconds = c->not_after - s.ctx().now;
    out.authority = str(c->authority);
    out.externally_managed = c->externally_managed != 0;
    out.is_authority = c->is_authority != 0;
    auto& certs = s.ctx().report.certificates;
    // The newest audit wins: after a fix, the renewed certificate replaces the old entry.
    for (auto& existing : certs) {
        if (existing.plugin == out.plugin && existing.name == out.name) {
            existing = std::move(out);
            return KUBECERT_OK;
        }
    }
    certs.push_back(std::move(out));
    return KUBECERT_OK;
}

// --- reading the node -------------------------------------------------------

kubecert_status_t h_read_file(const kubecert_host_t* h, const char* path, kubecert_buffer_t* out) {
    auto& s = self(h);
    if (!path || !out) return s.fail(KUBECERT_ERR_INVALID, "read_file: null argument");
    auto r = s.ctx().transaction ? s.ctx().transaction->read_file(path) : s.ctx().fs->read_file(path);
    if (!r) return fail_with(s, r.error());
    secrets::known_secrets().remember(*r); // whatever the plugin does with it, no output shows it
    *out = s.keep_buffer(std::move(*r));
    return KUBECERT_OK;
}

kubecert_status_t stat_impl(const kubecert_host_t* h, const char* path, kubecert_file_info_t* out, bool follow) {
    auto& s = self(h);
    if (!path || !out) return s.fail(KUBECERT_ERR_INVALID, "stat_file: null argument");
    auto r = s.ctx().fs->stat(path, follow);
    if (!r) return fail_with(s, r.error());
    kubecert_file_info_t i{};
    i.struct_size = out->struct_size;
    using T = host::FileStat::Type;
    switch (r->type) {
    case T::missing: i.type = KUBECERT_FILE_MISSING; break;
    case T::regular: i.type = KUBECERT_FILE_REGULAR; break;
    case T::directory: i.type = KUBECERT_FILE_DIRECTORY; break;
    case T::symlink: i.type = KUBECERT_FILE_SYMLINK; break;
    default: i.type = KUBECERT_FILE_OTHER; break;
    }
    // A file the fix wrote (staged, or only planned under dry-run) exists for the plugin.
    if (i.type == KUBECERT_FILE_MISSING && s.ctx().transaction) {
        auto overlay = s.ctx().transaction->read_file(path);
        if (overlay) {
            i.type = KUBECERT_FILE_REGULAR;
            i.size = overlay->size();
        }
    }
    i.mode = r->mode;
    i.uid = r->uid;
    i.gid = r->gid;
    if (r->type != T::missing) i.size = r->size;
    i.mtime = r->mtime;
    std::memcpy(out, &i, std::min<size_t>(out->struct_size, sizeof i));
    return KUBECERT_OK;
}

kubecert_status_t h_stat_file(const kubecert_host_t* h, const char* p, kubecert_file_info_t* o) {
    return stat_impl(h, p, o, true);
}
kubecert_status_t h_lstat_file(const kubecert_host_t* h, const char* p, kubecert_file_info_t* o) {
    return stat_impl(h, p, o, false);
}

kubecert_status_t h_list_dir(const kubecert_host_t* h, const char* path, kubecert_string_list_t* out) {
    auto& s = self(h);
    if (!path || !out) return s.fail(KUBECERT_ERR_INVALID, "list_dir: null argument");
    auto r = s.ctx().fs->list_dir(path);
    if (!r) return fail_with(s, r.error());
    *out = s.keep_list(*r);
    return KUBECERT_OK;
}

kubecert_status_t h_resolve_path(const kubecert_host_t* h, const char* path, const char** out) {
    auto& s = self(h);
    if (!path || !out) return s.fail(KUBECERT_ERR_INVALID, "resolve_path: null argument");
    auto r = s.ctx().fs->resolve(path, true);
    if (!r) return fail_with(s, r.error());
    *out = s.keep(r->node_path);
    return KUBECERT_OK;
}

kubecert_status_t h_find_processes(const kubecert_host_t* h, const char* name, const kubecert_process_t** out,
                                   size_t* count) {
    auto& s = self(h);
    if (!name || !out || !count) return s.fail(KUBECERT_ERR_INVALID, "find_processes: null argument");
    auto r = host::find_processes(*s.ctx().fs, name);
    if (!r) return fail_with(s, r.error());
    auto& list = s.process_lists().emplace_back();
    // The dry-run preview counts a planned restart as done: the running process would be replaced.
    const auto& planned = s.ctx().planned_restarts;
    if (s.phase() == Phase::after && s.ctx().dry_run &&
        std::find(planned.begin(), planned.end(), name) != planned.end()) {
        *out = list.data();
        *count = 0;
        return KUBECERT_OK;
    }
    for (const auto& p : *r) list.push_back({p.pid, s.keep_list(p.argv)});
    *out = list.data();
    *count = list.size();
    return KUBECERT_OK;
}

kubecert_status_t h_list_processes(const kubecert_host_t* h, const char* name, const kubecert_process_info_t** out,
                                   size_t* count) {
    auto& s = self(h);
    if (!out || !count) return s.fail(KUBECERT_ERR_INVALID, "list_processes: null argument");
    const kubecert_process_t* found = nullptr;
    size_t n = 0;
    if (auto st = h_find_processes(h, name, &found, &n); st != KUBECERT_OK) return st;
    const auto& list = s.process_info_lists().emplace_back(process_infos(found, n));
    *out = list.data();
    *count = list.size();
    return KUBECERT_OK;
}

// --- changing the node -------------------------------------------------------

host::Transaction* transaction_or_fail(HostServices& s, const char* what) {
    if (auto refused = refuse_node_change(s.current_call(), what)) {
        s.fail(KUBECERT_ERR_DENIED, *refused);
        return nullptr;
    }
    if (!s.ctx().transaction) {
        s.fail(KUBECERT_ERR_DENIED, std::string(what) + ": the node can only be changed during fix");
        return nullptr;
    }
    return s.ctx().transaction;
}

void add_action(HostServices& s, report::ActionKind kind, std::string target, report::ActionStatus status,
                std::string backup, std::string detail) {
    report::Action a;
    a.finding = s.current_finding();
    a.plugin = s.plugin_name();
    a.kind = kind;
    a.target = std::move(target);
    a.status = status;
    a.backup = std::move(backup);
    a.detail = std::move(detail);
    s.ctx().report.actions.push_back(std::move(a));
}

// A poll of a fix's wait: the same command as the previous action adds to its count.
void record_poll(HostServices& s, const std::string& line, const std::string& answer) {
    constexpr std::string_view k_ran = "ran ";
    auto& actions = s.ctx().report.actions;
    int count = 1;
    if (!actions.empty()) {
        const auto& last = actions.back();
        if (s.ctx().poll_open && last.kind == report::ActionKind::command && last.target == line &&
            last.plugin == s.plugin_name() && last.detail.rfind(k_ran, 0) == 0) {
            count = std::atoi(last.detail.c_str() + k_ran.size()) + 1;
            actions.pop_back();
        }
    }
    add_action(s, report::ActionKind::command, line, report::ActionStatus::applied, "",
               std::string(k_ran) + std::to_string(count) + (count == 1 ? " time" : " times") + ", last " + answer);
    s.ctx().poll_open = true;
}

void h_begin_action(const kubecert_host_t* h, const char* finding_id) { self(h).set_current_finding(str(finding_id)); }

kubecert_status_t h_write_file(const kubecert_host_t* h, const char* path, const char* data, size_t size,
                               uint32_t mode, int force_mode) {
    auto& s = self(h);
    auto* t = transaction_or_fail(s, "write_file");
    if (!t) return KUBECERT_ERR_DENIED;
    if (!path || (!data && size)) return s.fail(KUBECERT_ERR_INVALID, "write_file: null argument");
    secrets::known_secrets().remember(std::string_view(data ? data : "", size));
    auto r = t->write_file(path, std::string(data ? data : "", size), mode, force_mode != 0);
    if (!r) return fail_with(s, r.error());
    if (*r) {
        // The transaction keeps one record per file, its diff from the original.
        const auto& rec = t->records().back();
        auto status = t->dry_run() ? report::ActionStatus::planned : report::ActionStatus::applied;
        for (auto& a : s.ctx().report.actions) {
            if (a.kind == report::ActionKind::edit && a.target == rec.node_path && a.status == status &&
                a.detail.rfind("moved into", 0) != 0) {
                a.detail = rec.diff;
                return KUBECERT_OK;
            }
        }
        add_action(s, report::ActionKind::edit, rec.node_path, status, rec.backup_path, rec.diff);
    }
    return KUBECERT_OK;
}

kubecert_status_t h_backup_file(const kubecert_host_t* h, const char* path) {
    auto& s = self(h);
    auto* t = transaction_or_fail(s, "backup_file");
    if (!t) return KUBECERT_ERR_DENIED;
    if (!path) return s.fail(KUBECERT_ERR_INVALID, "backup_file: null argument");
    auto r = t->backup_file(path);
    return r ? KUBECERT_OK : fail_with(s, r.error());
}

kubecert_status_t h_park_file(const kubecert_host_t* h, const char* path) {
    auto& s = self(h);
    auto* t = transaction_or_fail(s, "park_file");
    if (!t) return KUBECERT_ERR_DENIED;
    if (!path) return s.fail(KUBECERT_ERR_INVALID, "park_file: null argument");
    auto r = t->park_file(path);
    if (!r) return fail_with(s, r.error());
    add_action(s, report::ActionKind::edit, path,
               t->dry_run() ? report::ActionStatus::planned : report::ActionStatus::applied, "",
               "moved into " + t->backup_dir() + "/parked until put back");
    return KUBECERT_OK;
}

kubecert_status_t h_unpark_file(const kubecert_host_t* h, const char* path) {
    auto& s = self(h);
    auto* t = transaction_or_fail(s, "unpark_file");
    if (!t) return KUBECERT_ERR_DENIED;
    if (!path) return s.fail(KUBECERT_ERR_INVALID, "unpark_file: null argument");
    auto r = t->unpark_file(path);
    s.ctx().poll_open = false; // the wait after a file is put back is another step
    return r ? KUBECERT_OK : fail_with(s, r.error());
}

kubecert_status_t h_replace_symlink(const kubecert_host_t* h, const char* path, const char* target) {
    auto& s = self(h);
    auto* t = transaction_or_fail(s, "replace_symlink");
    if (!t) return KUBECERT_ERR_DENIED;
    if (!path || !target) return s.fail(KUBECERT_ERR_INVALID, "replace_symlink: null argument");
    auto r = t->replace_symlink(path, target);
    if (!r) return fail_with(s, r.error());
    if (*r) {
        const auto& rec = t->records().back();
        add_action(s, report::ActionKind::edit, rec.node_path,
                   t->dry_run() ? report::ActionStatus::planned : report::ActionStatus::applied, rec.backup_path,
                   rec.diff);
    }
    return KUBECERT_OK;
}

kubecert_status_t h_rollback(const kubecert_host_t* h) {
    auto& s = self(h);
    auto* t = transaction_or_fail(s, "rollback");
    if (!t) return KUBECERT_ERR_DENIED;
    auto r = t->rollback();
    for (auto& a : s.ctx().report.actions)
        if (a.kind == report::ActionKind::edit && a.status == report::ActionStatus::applied)
            a.status = report::ActionStatus::rolled_back;
    return r ? KUBECERT_OK : fail_with(s, r.error());
}

// --- commands ------------------------------------------------------------------

kubecert_status_t h_run_command(const kubecert_host_t* h, const char* const* argv, size_t argc, uint32_t timeout_ms,
                                uint32_t flags, kubecert_command_result_t* out) {
    auto& s = self(h);
    if (!argv || argc == 0 || !argv[0] || !out) return s.fail(KUBECERT_ERR_INVALID, "run_command: empty command");
    std::vector<std::string> args;
    for (size_t i = 0; i < argc; ++i) {
        if (!argv[i]) return s.fail(KUBECERT_ERR_INVALID, "run_command: null argument");
        args.emplace_back(argv[i]);
    }
    const std::string line = host::quote_command(args);
    // A command would run on the machine running kubecert, not on a mounted node.
    if (!s.ctx().live.live)
        return s.fail(KUBECERT_ERR_DENIED,
                      "not the running system (" + s.ctx().live.reason + "): `" + line + "` was not run");
    const bool read_only = flags & KUBECERT_CMD_READ_ONLY;
    // A read-only command that a real fix runs (a restart's waits: `crictl ps`, `systemctl
    // is-active`) is listed too, so the report shows every step its dry run plans. The polls of
    // one wait are one action whose detail counts them and gives the last answer.
    const bool fix_poll = read_only && !s.ctx().dry_run && s.phase() == Phase::before && s.ctx().transaction;
    const bool listed = (!read_only || fix_poll) && !(flags & KUBECERT_CMD_NO_ACTION);
    // A command may restart what reads the files written so far: they go into place first.
    if (!read_only && s.ctx().transaction) {
        if (auto st = s.ctx().transaction->commit(); !st) return fail_with(s, st.error());
    }
    kubecert_command_result_t r{};
    r.struct_size = out->struct_size;
    if (s.ctx().dry_run && !read_only) {
        r.exit_code = 0;
        r.dry_run = 1;
        r.out = s.keep_buffer("");
        r.err = s.keep_buffer("");
        if (listed) add_action(s, report::ActionKind::command, line, report::ActionStatus::planned, "", "");
        for (auto& name : restarted_by(args)) s.ctx().planned_restarts.push_back(std::move(name));
        std::memcpy(out, &r, std::min<size_t>(out->struct_size, sizeof r));
        return KUBECERT_OK;
    }
    std::function<void(const std::string&)> stream;
    secrets::LineScrubber scrubber(stderr); // streamed output passes the same gate, a whole line at a time
    if (flags & KUBECERT_CMD_STREAM) stream = [&scrubber](const std::string& chunk) { scrubber.write(chunk); };
    if (s.ctx().verbose)
        std::fprintf(stderr, "debug: %s: running %s\n", s.plugin_name().c_str(),
                     secrets::scrub_for_output(line).c_str());
    auto res = host::run_command(args, std::chrono::milliseconds(timeout_ms ? timeout_ms : 60000), stream);
    if (!res) {
        if (listed)
            add_action(s, report::ActionKind::command, line, report::ActionStatus::failed, "", res.error().message);
        return fail_with(s, res.error());
    }
    secrets::known_secrets().remember(res->out);
    secrets::known_secrets().remember(res->err);
    r.exit_code = res->exit_code;
    r.timed_out = res->timed_out ? 1 : 0;
    r.out = s.keep_buffer(res->out);
    r.err = s.keep_buffer(res->err);
    if (listed && fix_poll) {
        record_poll(s, line, res->timed_out ? "timed out" : "exit code " + std::to_string(res->exit_code));
    } else if (listed) {
        bool ok = !res->timed_out && res->exit_code == 0;
        std::string detail;
        if (!ok) {
            detail = res->timed_out ? "timed out after " + std::to_string(timeout_ms) + " ms"
                                    : "exit code " + std::to_string(res->exit_code);
            std::string output = res->err.empty() ? res->out : res->err;
            if (output.size() > 4000) output = output.substr(output.size() - 4000);
            if (!output.empty()) detail += ": " + output;
        }
        add_action(s, report::ActionKind::command, line,
                   ok ? report::ActionStatus::applied : report::ActionStatus::failed, "", detail);
    }
    std::memcpy(out, &r, std::min<size_t>(out->struct_size, sizeof r));
    return KUBECERT_OK;
}

// --- certificates ------------------------------------------------------------------

kubecert_status_t h_cert_parse(const kubecert_host_t* h, const char* data, size_t size, const char* source,
                               kubecert_cert_info_t* out) {
    auto& s = self(h);
    if (!data || !out) return s.fail(KUBECERT_ERR_INVALID, "cert_parse: null argument");
    auto r = x509::parse_certificate(std::string_view(data, size), source ? source : "certificate");
    if (!r) return fail_with(s, r.error());
    fill_cert_info(s, *r, out);
    return KUBECERT_OK;
}

kubecert_status_t h_key_matches_cert(const kubecert_host_t* h, const char* key, size_t key_size, const char* cert,
                                     size_t cert_size, int* matches) {
    auto& s = self(h);
    if (!key || !cert || !matches) return s.fail(KUBECERT_ERR_INVALID, "key_matches_cert: null argument");
    auto r = x509::key_matches_certificate(std::string_view(key, key_size), std::string_view(cert, cert_size));
    if (!r) return fail_with(s, r.error());
    *matches = *r ? 1 : 0;
    return KUBECERT_OK;
}

kubecert_status_t h_cert_verify(const kubecert_host_t* h, const char* cert, size_t cert_size, const char* ca,
                                size_t ca_size, int* ok, const char** reason) {
    auto& s = self(h);
    if (!cert || !ca || !ok) return s.fail(KUBECERT_ERR_INVALID, "cert_verify: null argument");
    auto r = x509::verify_certificate(std::string_view(cert, cert_size), std::string_view(ca, ca_size),
                                      s.ctx().now);
    if (!r) return fail_with(s, r.error());
    *ok = r->ok ? 1 : 0;
    if (reason) *reason = s.keep(r->reason);
    return KUBECERT_OK;
}

kubecert_status_t h_cert_issue(const kubecert_host_t* h, const char* tmpl, size_t tmpl_size, const char* ca_cert,
                               size_t ca_cert_size, const char* ca_key, size_t ca_key_size, int64_t validity,
                               kubecert_issued_t* out) {
    auto& s = self(h);
    if (!tmpl || !ca_cert || !ca_key || !out) return s.fail(KUBECERT_ERR_INVALID, "cert_issue: null argument");
    if (validity <= 0) return s.fail(KUBECERT_ERR_INVALID, "cert_issue: validity must be positive");
    auto r = x509::issue_certificate(std::string_view(tmpl, tmpl_size), std::string_view(ca_cert, ca_cert_size),
                                     std::string_view(ca_key, ca_key_size), s.ctx().now, validity);
    if (!r) return fail_with(s, r.error());
    kubecert_issued_t i{};
    i.struct_size = out->struct_size;
    i.cert_pem = s.keep_buffer(std::move(r->cert_pem));
    i.key_pem = s.keep_buffer(std::move(r->key_pem));
    std::memcpy(out, &i, std::min<size_t>(out->struct_size, sizeof i));
    return KUBECERT_OK;
}

kubecert_status_t h_cert_issue_batch(const kubecert_host_t* h, const kubecert_issue_request_t* const* requests,
                                     size_t count, kubecert_issue_result_t* const* results) {
    auto& s = self(h);
    if (count > 0 && (!requests || !results)) return s.fail(KUBECERT_ERR_INVALID, "cert_issue_batch: null argument");
    // Every request is checked before any key is made: bad arguments change nothing.
    std::vector<x509::IssueRequest> batch;
    batch.reserve(count);
    for (size_t i = 0; i < count; ++i) {
        const auto* r = requests[i];
        const std::string which = "cert_issue_batch: request " + std::to_string(i) + ": ";
        if (!r || !results[i] || !KUBECERT_HAS_FIELD(r, kubecert_issue_request_t, validity_seconds) ||
            results[i]->struct_size < offsetof(kubecert_issue_result_t, status) + sizeof(kubecert_status_t))
            return s.fail(KUBECERT_ERR_INVALID, which + "null or too small struct");
        if (!r->tmpl || !r->ca_cert || !r->ca_key) return s.fail(KUBECERT_ERR_INVALID, which + "null argument");
        if (r->validity_seconds <= 0) return s.fail(KUBECERT_ERR_INVALID, which + "validity must be positive");
        batch.push_back({std::string_view(r->tmpl, r->tmpl_size), std::string_view(r->ca_cert, r->ca_cert_size),
                         std::string_view(r->ca_key, r->ca_key_size),
                         r->old_key ? std::string_view(r->old_key, r->old_key_size) : std::string_view(),
                         r->validity_seconds});
    }
    auto issued = x509::issue_certificates(batch, s.ctx().now);
    for (size_t i = 0; i < count; ++i) {
        kubecert_issue_result_t out{};
        out.struct_size = results[i]->struct_size;
        if (issued[i].ok()) {
            out.status = KUBECERT_OK;
            out.error = s.keep("");
            out.cert_pem = s.keep_buffer(std::move(issued[i]->cert_pem));
            out.key_pem = s.keep_buffer(std::move(issued[i]->key_pem));
        } else {
            out.status = to_status(issued[i].error().code);
            out.error = s.keep(issued[i].error().message);
            out.cert_pem = s.keep_buffer("");
            out.key_pem = s.keep_buffer("");
        }
        std::memcpy(results[i], &out, std::min<size_t>(results[i]->struct_size, sizeof out));
    }
    return KUBECERT_OK;
}

// --- network ----------------------------------------------------------------------------

kubecert_status_t h_tls_fetch_cert(const kubecert_host_t* h, const char* address, uint32_t timeout_ms,
                                   kubecert_cert_info_t* out) {
    auto& s = self(h);
    if (!address || !out) return s.fail(KUBECERT_ERR_INVALID, "tls_fetch_cert: null argument");
    auto r = net::fetch_served_certificate(address, std::chrono::milliseconds(timeout_ms ? timeout_ms : 5000));
    if (!r) return fail_with(s, r.error());
    fill_cert_info(s, *r, out);
    return KUBECERT_OK;
}

kubecert_status_t h_http_get(const kubecert_host_t* h, const char* url, uint32_t timeout_ms,
                             kubecert_http_response_t* out) {
    auto& s = self(h);
    if (!url || !out) return s.fail(KUBECERT_ERR_INVALID, "http_get: null argument");
    auto r = net::http_get(url, std::chrono::milliseconds(timeout_ms ? timeout_ms : 10000));
    if (!r) return fail_with(s, r.error());
    kubecert_http_response_t resp{};
    resp.struct_size = out->struct_size;
    resp.status = r->status;
    resp.body = s.keep_buffer(std::move(r->body));
    std::memcpy(out, &resp, std::min<size_t>(out->struct_size, sizeof resp));
    return KUBECERT_OK;
}

} // namespace

HostServices::HostServices(RunContext& ctx, const loader::LoadedPlugin& plugin, Phase phase)
    : m_ctx(ctx), m_plugin(plugin), m_plugin_name(plugin.name()), m_phase(phase) {
    m_table.struct_size = sizeof m_table;
    m_table.abi = {KUBECERT_ABI_MAJOR, KUBECERT_ABI_MINOR, KUBECERT_ABI_PATCH};
    m_table.host_data = this;
    m_table.last_error = h_last_error;
    m_table.option = h_option;
    m_table.now = h_now;
    m_table.warn_within = h_warn_within;
    m_table.benchmark = h_benchmark;
    m_table.dry_run = h_dry_run;
    m_table.no_restart = h_no_restart;
    m_table.check_selected = h_check_selected;
    m_table.log = h_log;
    m_table.sleep_ms = h_sleep_ms;
    m_table.node_name = h_node_name;
    m_table.user_home = h_user_home;
    m_table.report_finding = h_report_finding;
    m_table.report_certificate = h_report_certificate;
    m_table.read_file = h_read_file;
    m_table.stat_file = h_stat_file;
    m_table.lstat_file = h_lstat_file;
    m_table.list_dir = h_list_dir;
    m_table.resolve_path = h_resolve_path;
    m_table.find_processes = h_find_processes;
    m_table.begin_action = h_begin_action;
    m_table.write_file = h_write_file;
    m_table.backup_file = h_backup_file;
    m_table.park_file = h_park_file;
    m_table.unpark_file = h_unpark_file;
    m_table.rollback = h_rollback;
    m_table.run_command = h_run_command;
    m_table.cert_parse = h_cert_parse;
    m_table.key_matches_cert = h_key_matches_cert;
    m_table.cert_verify = h_cert_verify;
    m_table.cert_issue = h_cert_issue;
    m_table.tls_fetch_cert = h_tls_fetch_cert;
    m_table.http_get = h_http_get;
    m_table.working_dir = h_working_dir;
    m_table.cert_issue_batch = h_cert_issue_batch;
    m_table.replace_symlink = h_replace_symlink;
    m_table.live_system = h_live_system;
    m_table.get_extension = get_host_extension;
    m_table.list_processes = h_list_processes;
}

void HostServices::clear_arena() {
    m_strings.clear();
    m_lists.clear();
    m_process_lists.clear();
    m_process_info_lists.clear();
}

const char* HostServices::keep(std::string s) { return m_strings.emplace_back(std::move(s)).c_str(); }

kubecert_buffer_t HostServices::keep_buffer(std::string s) {
    const std::string& kept = m_strings.emplace_back(std::move(s));
    return {kept.c_str(), kept.size()};
}

kubecert_string_list_t HostServices::keep_list(const std::vector<std::string>& items) {
    auto& ptrs = m_lists.emplace_back();
    ptrs.reserve(items.size());
    for (const auto& i : items) ptrs.push_back(keep(i));
    return {ptrs.data(), ptrs.size()};
}

kubecert_status_t HostServices::fail(kubecert_status_t status, std::string message) {
    m_last_error = std::move(message);
    return status;
}

} // namespace kubecert::app
