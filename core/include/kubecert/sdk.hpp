// Header-only C++ SDK over the kubecert C ABI (plugin.h).
//
// A plugin is one class and one macro:
//
//   class MyPlugin {
//   public:
//       static constexpr kubecert::sdk::CheckDecl k_checks[] = {{"my.check", "what it wants"}};
//       static constexpr kubecert::sdk::OptionDecl k_options[] = {{"path", "FILE", "what to read", "/etc/x"}};
//       static constexpr kubecert::sdk::PluginInfo info() { return {"my", "1.0.0", "one line", k_checks, k_options}; }
//       // optional: static constexpr std::uint32_t required_abi_minor = 2; // needs a 1.2 host service
//       bool detect(kubecert::sdk::Host& host);           // is this node mine?
//       void audit(kubecert::sdk::Host& host);            // report findings
//       void fix(kubecert::sdk::Host& host, const std::vector<std::string>& ids);
//   };
//   KUBECERT_PLUGIN(MyPlugin)
//
// The macro generates the exported entry symbol and noexcept trampolines that
// turn any exception into a failing status plus get_last_error(). Host
// services throw kubecert::sdk::Error when they fail. Nothing of this file's
// C++ types crosses the boundary: only the C structs of plugin.h do, so a
// plugin built with another compiler or standard library still loads.
//
// Loading is inert: info() is constexpr and the C descriptor the host reads
// is built from it at compile time (constant data, no global constructor).
// The entry stamps the ABI minor the plugin needs (plugin.h, "Versioning
// rules"): k_sdk_required_abi_minor, or the class's required_abi_minor when
// it declares a higher one.
#pragma once

#include <kubecert/plugin.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace kubecert::sdk {

// A failed host call or a plugin error; carries the ABI status code.
class Error : public std::runtime_error {
public:
    Error(kubecert_status_t status, const std::string& message) : std::runtime_error(message), m_status(status) {}
    kubecert_status_t status() const noexcept { return m_status; }

private:
    kubecert_status_t m_status;
};

enum class Status {
    pass = KUBECERT_PASS,
    fail = KUBECERT_FAIL,
    warn = KUBECERT_WARN,
    info = KUBECERT_INFO,
    error = KUBECERT_ERROR
};

struct Evidence {
    std::string source;
    std::string key;
    std::string actual;
    std::string expected;
};

struct Finding {
    std::string id;
    std::string title; // what the check wants, the same on every node
    Status status = Status::pass;
    std::string benchmark;
    std::vector<Evidence> evidence;
    std::string remediation;
    bool fixable = false;
    // One line: what is the case here ("expires in 14d (Dec 15, 2026 04:11 UTC)"); "" lets the host derive it
    // from the evidence. Last, so aggregate initialisation written before it still compiles.
    std::string result;
};

struct Certificate {
    std::string name;
    std::string path;
    std::string subject;
    std::string issuer;
    std::int64_t not_before = 0;
    std::int64_t not_after = 0;
    std::string authority;
    bool externally_managed = false;
    bool is_authority = false;
};

// A plugin's declarations are constant data: string literals in constexpr
// arrays, so that loading the plugin runs none of its code.
struct CheckDecl {
    const char* id;    // "eks.configz"; a family as "kubeadm.cert-expiry/<name>"
    const char* title; // what the check wants, one line
};

struct OptionDecl {
    const char* name;                 // "api-proxy" -> --<plugin>-api-proxy
    const char* value_name = nullptr; // "URL"; nullptr or "" for a boolean flag
    const char* help = "";
    const char* default_value = nullptr; // nullptr when none; ignored for flags
};

struct PluginInfo {
    const char* name; // [a-z0-9-]+
    const char* version;
    const char* description; // one line
    std::span<const CheckDecl> checks;
    std::span<const OptionDecl> options;
};

// The ABI minor the SDK itself needs: every service of a later minor it uses
// (working_dir, cert_issue_batch, live_system, list_processes, extensions,
// among them kubecert.https.v1, kubecert.csr.v1 and kubecert.run.v1 of 1.5, the finding's
// result and evidence_items) is probed at run time with
// KUBECERT_HAS_FIELD and has a fallback, and the descriptor it builds also
// carries the ABI 1.0 arrays. A plugin that cannot do without a later
// service declares `static constexpr std::uint32_t required_abi_minor = N;`.
inline constexpr std::uint32_t k_sdk_required_abi_minor = 0;

struct FileInfo {
    kubecert_file_type_t type = KUBECERT_FILE_MISSING; // KUBECERT_FILE_*
    std::uint32_t mode = 0;
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
    std::uint64_t size = 0;
    std::int64_t mtime = 0;
    bool exists() const { return type != KUBECERT_FILE_MISSING; }
};

struct Process {
    int pid = 0;
    std::vector<std::string> argv;
};

struct CommandResult {
    int exit_code = -1;
    bool timed_out = false;
    bool dry_run = false;
    std::string out;
    std::string err;
    bool ok() const { return dry_run || (!timed_out && exit_code == 0); }
};

struct CertInfo {
    std::string subject;
    std::string issuer;
    std::string common_name;
    std::string issuer_common_name;
    std::vector<std::string> organizations;
    std::vector<std::string> sans;
    std::string key_usage;
    std::string ext_key_usage;
    bool is_ca = false;
    bool self_signed = false;
    std::int64_t not_before = 0;
    std::int64_t not_after = 0;
    std::string serial;
    std::string public_key_algorithm;
    int public_key_bits = 0;
    std::string sha256_fingerprint;
    std::string pem;
};

struct Issued {
    std::string cert_pem;
    std::string key_pem;
};

// One certificate to issue in a batch (Host::issue_certs).
struct IssueRequest {
    std::string tmpl; // the certificate to renew
    std::string ca_cert;
    std::string ca_key;
    // The key being replaced, "" when unknown: the new key keeps its
    // algorithm, size and PEM encoding (hosts of ABI 1.2 and later).
    std::string old_key;
    std::int64_t validity_seconds = 0;
};

// The outcome of one IssueRequest.
struct IssueResult {
    kubecert_status_t status = KUBECERT_ERR_FAILED;
    std::string error; // why not, when status is not KUBECERT_OK
    Issued issued;
    bool ok() const { return status == KUBECERT_OK; }
};

struct VerifyResult {
    bool ok = false;
    std::string reason;
};

struct HttpResponse {
    int status = 0;
    std::string body;
};

// One HTTPS request to a cluster's API (Host::https_request, the host's
// kubecert.https.v1 service): the trust and credentials of a kubeconfig.
struct HttpsRequest {
    std::string method = "GET";       // GET, POST, PUT, PATCH, DELETE
    std::string url;                  // https:// only
    std::vector<std::string> headers; // "Name: value"
    std::string body;
    std::string ca_pem; // required: the server is always verified against it, and only it
    std::string client_cert_pem;
    std::string client_key_pem;
    std::string bearer_token;
    std::string tls_server_name;
    std::string proxy_url;                // "" : no proxy (the environment's are ignored)
    std::uint32_t timeout_ms = 10000;     // the whole request
    std::uint64_t max_response_bytes = 0; // 0: the host's default, 8 MiB
};

struct HttpsResponse {
    int status = 0; // 0 when not sent (dry run)
    std::string content_type;
    std::string body;
    bool dry_run = false; // a change to the cluster not sent because of --dry-run
};

// What a PKCS#10 certificate signing request asks for (Host::parse_csr).
struct CsrInfo {
    std::string subject; // RFC 2253, as `openssl req -subject -nameopt RFC2253`
    std::string common_name;
    std::vector<std::string> organizations;
    bool other_subject_attributes = false; // the subject holds more than CN and O
    std::vector<std::string> dns_names;
    std::vector<std::string> ip_addresses;
    std::vector<std::string> email_addresses;
    std::vector<std::string> uris;
    std::string key_type; // "RSA", "EC", "ED25519", ...
    int key_bits = 0;
    bool signature_valid = false;
};

namespace detail {
inline std::string str(const char* s) {
    return s ? std::string(s) : std::string();
}
inline std::string str(const kubecert_buffer_t& b) {
    return b.data ? std::string(b.data, b.size) : std::string();
}
inline std::vector<std::string> strs(const kubecert_string_list_t& l) {
    std::vector<std::string> v;
    v.reserve(l.count);
    for (size_t i = 0; i < l.count; ++i) v.push_back(str(l.items[i]));
    return v;
}
inline CertInfo to_cert_info(const kubecert_cert_info_t& c) {
    CertInfo i;
    i.subject = str(c.subject);
    i.issuer = str(c.issuer);
    i.common_name = str(c.common_name);
    i.issuer_common_name = str(c.issuer_common_name);
    i.organizations = strs(c.organizations);
    i.sans = strs(c.sans);
    i.key_usage = str(c.key_usage);
    i.ext_key_usage = str(c.ext_key_usage);
    i.is_ca = c.is_ca != 0;
    i.self_signed = c.self_signed != 0;
    i.not_before = c.not_before;
    i.not_after = c.not_after;
    i.serial = str(c.serial);
    i.public_key_algorithm = str(c.public_key_algorithm);
    i.public_key_bits = c.public_key_bits;
    i.sha256_fingerprint = str(c.sha256_fingerprint);
    i.pem = str(c.pem);
    return i;
}
} // namespace detail

// The host's services, as C++. Every method throws Error when the host call
// fails, except where a missing file is an expected answer (read_file).
class Host {
public:
    explicit Host(const kubecert_host_t* host) : m_host(host) {}
    const kubecert_host_t* raw() const { return m_host; }

    // --- context ---
    std::optional<std::string> option(const std::string& name) const {
        const char* v = m_host->option(m_host, name.c_str());
        return v ? std::optional<std::string>(v) : std::nullopt;
    }
    bool flag(const std::string& name) const {
        auto v = option(name);
        return v && (*v == "true" || *v == "1" || *v == "yes");
    }
    std::int64_t now() const { return m_host->now(m_host); }
    std::int64_t warn_within() const { return m_host->warn_within(m_host); }
    std::string benchmark() const { return detail::str(m_host->benchmark(m_host)); }
    bool dry_run() const { return m_host->dry_run(m_host) != 0; }
    bool no_restart() const { return m_host->no_restart(m_host) != 0; }
    bool check_selected(const std::string& id) const { return m_host->check_selected(m_host, id.c_str()) != 0; }
    void log(kubecert_log_level_t level, const std::string& message) const {
        m_host->log(m_host, level, message.c_str());
    }
    void debug(const std::string& m) const { log(KUBECERT_LOG_DEBUG, m); }
    void info(const std::string& m) const { log(KUBECERT_LOG_INFO, m); }
    void warn(const std::string& m) const { log(KUBECERT_LOG_WARN, m); }
    void progress(const std::string& m) const { log(KUBECERT_LOG_PROGRESS, m); }
    void sleep_ms(std::uint32_t ms) const { m_host->sleep_ms(m_host, ms); }
    std::string node_name() const { return detail::str(m_host->node_name(m_host)); }
    // The node path kubecert was started in, when inside --root (hosts before ABI 1.1: none).
    std::optional<std::string> working_dir() const {
        if (!KUBECERT_HAS_FIELD(m_host, kubecert_host_t, working_dir) || !m_host->working_dir) return std::nullopt;
        const char* d = m_host->working_dir(m_host);
        return d ? std::optional<std::string>(d) : std::nullopt;
    }
    // Whether the node under --root is the running system (plugin.h,
    // live_system): only then may a plugin run commands, or probe ports
    // whose address the user did not give. Hosts before ABI 1.3 have no such
    // rule and ran everything: taken as live, as they behaved.
    struct LiveSystem {
        bool live = true;
        std::string reason;
    };
    LiveSystem live_system() const {
        if (!KUBECERT_HAS_FIELD(m_host, kubecert_host_t, live_system) || !m_host->live_system)
            return {true, "this kubecert host (plugin ABI before 1.3) does not tell whether the node is live"};
        const char* reason = nullptr;
        const bool live = m_host->live_system(m_host, &reason) != 0;
        return {live, detail::str(reason)};
    }
    // The host extension `name` ("kubecert.<service>.v<N>", plugin.h), as the
    // struct or table T that service defines, or nullptr when this host does
    // not offer it (hosts before ABI 1.4 offer none).
    template <class T> const T* extension(const char* name) const {
        if (!KUBECERT_HAS_FIELD(m_host, kubecert_host_t, get_extension) || !m_host->get_extension) return nullptr;
        return static_cast<const T*>(m_host->get_extension(m_host, name));
    }
    // kubecert's own version ("0.1.0"), or nullopt from a host without the
    // kubecert.host-info.v1 extension.
    std::optional<std::string> host_version() const {
        const auto* info = extension<kubecert_ext_host_info_v1_t>(KUBECERT_EXT_HOST_INFO_V1);
        if (!info || !KUBECERT_HAS_FIELD(info, kubecert_ext_host_info_v1_t, version) || !info->version)
            return std::nullopt;
        return std::string(info->version);
    }
    // Whether this run's fix handed this plugin finding `id` and its fix()
    // succeeded, with the fix's changes standing (plugin.h, kubecert.run.v1,
    // ABI 1.5): true only in the audit after a fix (under --dry-run too, as
    // a preview); false in detect, a plain audit and fix(), for another
    // plugin's ids, after a rolled-back fix, and from a host without the
    // extension (before ABI 1.5). Lets the new instance that audits after the
    // fix know what its fix did, without state outside the instance.
    bool fixed_in_this_run(std::string_view id) const {
        const auto* run = extension<kubecert_run_v1_t>(KUBECERT_EXT_RUN_V1);
        if (!run || !KUBECERT_HAS_FIELD(run, kubecert_run_v1_t, fixed_in_this_run) || !run->fixed_in_this_run)
            return false;
        const std::string nul_terminated(id);
        return run->fixed_in_this_run(m_host, nul_terminated.c_str()) != 0;
    }
    std::optional<std::string> user_home() const {
        const char* h = m_host->user_home(m_host);
        return h ? std::optional<std::string>(h) : std::nullopt;
    }

    // --- results ---
    void report(const Finding& f) const {
        // Both forms of the evidence: a host of ABI 1.4 reads the items, an older one the 1.0 array.
        std::vector<kubecert_evidence_t> ev;
        std::vector<kubecert_evidence_item_t> items;
        ev.reserve(f.evidence.size());
        items.reserve(f.evidence.size());
        for (const auto& e : f.evidence) {
            ev.push_back({e.source.c_str(), e.key.c_str(), e.actual.c_str(), e.expected.c_str()});
            items.push_back({sizeof(kubecert_evidence_item_t), e.source.c_str(), e.key.c_str(), e.actual.c_str(),
                             e.expected.c_str()});
        }
        kubecert_finding_t c{};
        c.struct_size = sizeof c;
        c.id = f.id.c_str();
        c.title = f.title.c_str();
        c.status = static_cast<kubecert_finding_status_t>(f.status);
        c.benchmark = f.benchmark.empty() ? nullptr : f.benchmark.c_str();
        c.evidence = ev.data();
        c.evidence_count = ev.size();
        c.remediation = f.remediation.empty() ? nullptr : f.remediation.c_str();
        c.fixable = f.fixable ? 1 : 0;
        c.result = f.result.empty() ? nullptr : f.result.c_str();
        c.evidence_items = items.data();
        c.evidence_item_count = items.size();
        check(m_host->report_finding(m_host, &c));
    }
    void report(const Certificate& cert) const {
        kubecert_certificate_t c{};
        c.struct_size = sizeof c;
        c.name = cert.name.c_str();
        c.path = cert.path.c_str();
        c.subject = cert.subject.c_str();
        c.issuer = cert.issuer.c_str();
        c.not_before = cert.not_before;
        c.not_after = cert.not_after;
        c.authority = cert.authority.c_str();
        c.externally_managed = cert.externally_managed ? 1 : 0;
        c.is_authority = cert.is_authority ? 1 : 0;
        check(m_host->report_certificate(m_host, &c));
    }

    // --- reading the node ---
    // The file's bytes, or nullopt when it does not exist.
    std::optional<std::string> read_file(const std::string& path) const {
        kubecert_buffer_t b{};
        auto st = m_host->read_file(m_host, path.c_str(), &b);
        if (st == KUBECERT_ERR_NOT_FOUND) return std::nullopt;
        check(st);
        return detail::str(b);
    }
    FileInfo stat(const std::string& path) const { return stat_impl(path, m_host->stat_file); }
    FileInfo lstat(const std::string& path) const { return stat_impl(path, m_host->lstat_file); }
    bool exists(const std::string& path) const { return stat(path).exists(); }
    // Sorted names in a folder; empty when the folder does not exist.
    std::vector<std::string> list_dir(const std::string& path) const {
        kubecert_string_list_t l{};
        auto st = m_host->list_dir(m_host, path.c_str(), &l);
        if (st == KUBECERT_ERR_NOT_FOUND) return {};
        check(st);
        return detail::strs(l);
    }
    std::string resolve_path(const std::string& path) const {
        const char* out = nullptr;
        check(m_host->resolve_path(m_host, path.c_str(), &out));
        return detail::str(out);
    }
    // Processes under ROOT/proc named `name`: from list_processes() with the
    // host's stride (ABI 1.4), else from the 1.0 find_processes().
    std::vector<Process> find_processes(const std::string& name) const {
        std::vector<Process> v;
        size_t n = 0;
        if (KUBECERT_HAS_FIELD(m_host, kubecert_host_t, list_processes) && m_host->list_processes) {
            const kubecert_process_info_t* ps = nullptr;
            check(m_host->list_processes(m_host, name.c_str(), &ps, &n));
            for (size_t i = 0; i < n; ++i) {
                const auto* p = KUBECERT_ELEMENT(kubecert_process_info_t, ps, ps[0].struct_size, i);
                v.push_back({p->pid, detail::strs(p->argv)});
            }
            return v;
        }
        const kubecert_process_t* ps = nullptr;
        check(m_host->find_processes(m_host, name.c_str(), &ps, &n));
        for (size_t i = 0; i < n; ++i) v.push_back({ps[i].pid, detail::strs(ps[i].argv)});
        return v;
    }

    // --- changing the node ---
    void begin_action(const std::string& finding_id) const { m_host->begin_action(m_host, finding_id.c_str()); }
    void write_file(const std::string& path, const std::string& data, std::uint32_t mode = 0644,
                    bool force_mode = false) const {
        check(m_host->write_file(m_host, path.c_str(), data.data(), data.size(), mode, force_mode ? 1 : 0));
    }
    void backup_file(const std::string& path) const { check(m_host->backup_file(m_host, path.c_str())); }
    void park_file(const std::string& path) const { check(m_host->park_file(m_host, path.c_str())); }
    void unpark_file(const std::string& path) const { check(m_host->unpark_file(m_host, path.c_str())); }
    void rollback() const { check(m_host->rollback(m_host)); }
    // Whether the host can swap symlinks in a fix (ABI 1.2).
    bool has_replace_symlink() const {
        return KUBECERT_HAS_FIELD(m_host, kubecert_host_t, replace_symlink) && m_host->replace_symlink;
    }
    // Points the symlink `path` at `target` atomically, in the fix's transaction (ABI 1.2).
    void replace_symlink(const std::string& path, const std::string& target) const {
        if (!has_replace_symlink())
            throw Error(KUBECERT_ERR_FAILED, "this kubecert host (plugin ABI before 1.2) cannot replace symlinks");
        check(m_host->replace_symlink(m_host, path.c_str(), target.c_str()));
    }

    // --- commands ---
    // Runs a command; throws only when it could not be started at all.
    CommandResult run(const std::vector<std::string>& argv, std::uint32_t timeout_ms, std::uint32_t flags = 0) const {
        std::vector<const char*> a;
        for (const auto& s : argv) a.push_back(s.c_str());
        a.push_back(nullptr);
        kubecert_command_result_t r{};
        r.struct_size = sizeof r;
        check(m_host->run_command(m_host, a.data(), argv.size(), timeout_ms, flags, &r));
        CommandResult c;
        c.exit_code = r.exit_code;
        c.timed_out = r.timed_out != 0;
        c.dry_run = r.dry_run != 0;
        c.out = detail::str(r.out);
        c.err = detail::str(r.err);
        return c;
    }

    // --- certificates ---
    CertInfo parse_cert(std::string_view data, const std::string& source) const {
        kubecert_cert_info_t c{};
        c.struct_size = sizeof c;
        check(m_host->cert_parse(m_host, data.data(), data.size(), source.c_str(), &c));
        return detail::to_cert_info(c);
    }
    bool key_matches_cert(std::string_view key, std::string_view cert) const {
        int m = 0;
        check(m_host->key_matches_cert(m_host, key.data(), key.size(), cert.data(), cert.size(), &m));
        return m != 0;
    }
    VerifyResult verify_cert(std::string_view cert, std::string_view ca) const {
        int ok = 0;
        const char* reason = nullptr;
        check(m_host->cert_verify(m_host, cert.data(), cert.size(), ca.data(), ca.size(), &ok, &reason));
        return {ok != 0, detail::str(reason)};
    }
    Issued issue_cert(std::string_view tmpl, std::string_view ca_cert, std::string_view ca_key,
                      std::int64_t validity_seconds) const {
        kubecert_issued_t r{};
        r.struct_size = sizeof r;
        check(m_host->cert_issue(m_host, tmpl.data(), tmpl.size(), ca_cert.data(), ca_cert.size(), ca_key.data(),
                                 ca_key.size(), validity_seconds, &r));
        return {detail::str(r.cert_pem), detail::str(r.key_pem)};
    }

    // Issues every request, results in request order: in one host call whose
    // keys are generated concurrently (ABI 1.2), else one cert_issue() at a
    // time (older hosts, which ignore old_key). Throws only when the host
    // refuses the call as a whole (bad arguments); a request that fails is a
    // result with its status and error.
    std::vector<IssueResult> issue_certs(const std::vector<IssueRequest>& requests) const {
        std::vector<IssueResult> out(requests.size());
        if (!KUBECERT_HAS_FIELD(m_host, kubecert_host_t, cert_issue_batch) || !m_host->cert_issue_batch) {
            for (size_t i = 0; i < requests.size(); ++i) {
                const auto& r = requests[i];
                try {
                    out[i].issued = issue_cert(r.tmpl, r.ca_cert, r.ca_key, r.validity_seconds);
                    out[i].status = KUBECERT_OK;
                } catch (const Error& e) {
                    out[i].status = e.status();
                    out[i].error = e.what();
                }
            }
            return out;
        }
        std::vector<kubecert_issue_request_t> c_requests(requests.size());
        std::vector<kubecert_issue_result_t> c_results(requests.size());
        std::vector<const kubecert_issue_request_t*> request_ptrs;
        std::vector<kubecert_issue_result_t*> result_ptrs;
        for (size_t i = 0; i < requests.size(); ++i) {
            const auto& r = requests[i];
            auto& c = c_requests[i];
            c.struct_size = sizeof c;
            c.tmpl = r.tmpl.data();
            c.tmpl_size = r.tmpl.size();
            c.ca_cert = r.ca_cert.data();
            c.ca_cert_size = r.ca_cert.size();
            c.ca_key = r.ca_key.data();
            c.ca_key_size = r.ca_key.size();
            c.old_key = r.old_key.empty() ? nullptr : r.old_key.data();
            c.old_key_size = r.old_key.size();
            c.validity_seconds = r.validity_seconds;
            c_results[i].struct_size = sizeof(kubecert_issue_result_t);
            request_ptrs.push_back(&c);
            result_ptrs.push_back(&c_results[i]);
        }
        check(m_host->cert_issue_batch(m_host, request_ptrs.data(), requests.size(), result_ptrs.data()));
        for (size_t i = 0; i < requests.size(); ++i) {
            const auto& c = c_results[i];
            out[i].status = c.status;
            out[i].error = detail::str(c.error);
            out[i].issued = {detail::str(c.cert_pem), detail::str(c.key_pem)};
        }
        return out;
    }

    // --- network ---
    CertInfo tls_fetch_cert(const std::string& address, std::uint32_t timeout_ms) const {
        kubecert_cert_info_t c{};
        c.struct_size = sizeof c;
        check(m_host->tls_fetch_cert(m_host, address.c_str(), timeout_ms, &c));
        return detail::to_cert_info(c);
    }
    HttpResponse http_get(const std::string& url, std::uint32_t timeout_ms) const {
        kubecert_http_response_t r{};
        r.struct_size = sizeof r;
        check(m_host->http_get(m_host, url.c_str(), timeout_ms, &r));
        return {r.status, detail::str(r.body)};
    }

    // Whether the host offers HTTPS requests to a cluster's API (kubecert.https.v1, ABI 1.5).
    bool has_https() const { return extension<kubecert_https_v1_t>(KUBECERT_EXT_HTTPS_V1) != nullptr; }
    // Sends an HTTPS request (plugin.h, kubecert.https.v1): any HTTP answer is
    // returned, whatever its status; throws Error when none came (unreachable,
    // timeout, TLS verification) or the host refused it (a change to the
    // cluster outside fix()). Under --dry-run a change is not sent: dry_run is set.
    HttpsResponse https_request(const HttpsRequest& request) const {
        const auto* https = extension<kubecert_https_v1_t>(KUBECERT_EXT_HTTPS_V1);
        if (!https || !KUBECERT_HAS_FIELD(https, kubecert_https_v1_t, request) || !https->request)
            throw Error(KUBECERT_ERR_FAILED, "this kubecert host (plugin ABI before 1.5) cannot send HTTPS requests");
        std::vector<const char*> headers;
        for (const auto& h : request.headers) headers.push_back(h.c_str());
        const auto or_null = [](const std::string& s) { return s.empty() ? nullptr : s.c_str(); };
        kubecert_https_request_t c{};
        c.struct_size = sizeof c;
        c.method = request.method.c_str();
        c.url = request.url.c_str();
        c.headers = headers.data();
        c.header_count = headers.size();
        c.body = request.body.data();
        c.body_size = request.body.size();
        c.ca_pem = request.ca_pem.data();
        c.ca_pem_size = request.ca_pem.size();
        c.client_cert_pem = or_null(request.client_cert_pem);
        c.client_cert_pem_size = request.client_cert_pem.size();
        c.client_key_pem = or_null(request.client_key_pem);
        c.client_key_pem_size = request.client_key_pem.size();
        c.bearer_token = or_null(request.bearer_token);
        c.tls_server_name = or_null(request.tls_server_name);
        c.timeout_ms = request.timeout_ms;
        c.max_response_bytes = request.max_response_bytes;
        c.proxy_url = or_null(request.proxy_url);
        kubecert_https_response_t r{};
        r.struct_size = sizeof r;
        check(https->request(m_host, &c, &r));
        HttpsResponse out;
        out.status = r.status;
        out.content_type = detail::str(r.content_type);
        out.body = detail::str(r.body);
        out.dry_run = r.dry_run != 0;
        return out;
    }
    // Whether the host parses certificate signing requests (kubecert.csr.v1, ABI 1.5).
    bool has_csr_parser() const { return extension<kubecert_csr_v1_t>(KUBECERT_EXT_CSR_V1) != nullptr; }
    // Parses a PEM PKCS#10 request; throws Error naming `source` when it is malformed.
    CsrInfo parse_csr(std::string_view pem, const std::string& source) const {
        const auto* csr = extension<kubecert_csr_v1_t>(KUBECERT_EXT_CSR_V1);
        if (!csr || !KUBECERT_HAS_FIELD(csr, kubecert_csr_v1_t, parse) || !csr->parse)
            throw Error(KUBECERT_ERR_FAILED, "this kubecert host (plugin ABI before 1.5) cannot parse CSRs");
        kubecert_csr_info_t c{};
        c.struct_size = sizeof c;
        check(csr->parse(m_host, pem.data(), pem.size(), source.c_str(), &c));
        CsrInfo i;
        i.subject = detail::str(c.subject);
        i.common_name = detail::str(c.common_name);
        i.organizations = detail::strs(c.organizations);
        i.other_subject_attributes = c.any_other_subject_attributes != 0;
        i.dns_names = detail::strs(c.dns_names);
        i.ip_addresses = detail::strs(c.ip_addresses);
        i.email_addresses = detail::strs(c.email_addresses);
        i.uris = detail::strs(c.uris);
        i.key_type = detail::str(c.key_type);
        i.key_bits = c.key_bits;
        i.signature_valid = c.signature_valid != 0;
        return i;
    }

    // Throws Error with the host's last error when `st` is not OK.
    void check(kubecert_status_t st) const {
        if (st != KUBECERT_OK) throw Error(st, detail::str(m_host->last_error(m_host)));
    }

private:
    using StatFn = kubecert_status_t (*)(const kubecert_host_t*, const char*, kubecert_file_info_t*);
    FileInfo stat_impl(const std::string& path, StatFn fn) const {
        kubecert_file_info_t i{};
        i.struct_size = sizeof i;
        check(fn(m_host, path.c_str(), &i));
        return {i.type, i.mode, i.uid, i.gid, i.size, i.mtime};
    }
    const kubecert_host_t* m_host;
};

namespace detail {

// Per-run state: the plugin object plus its last error.
template <class P> struct Instance {
    P plugin;
    std::string last_error;
};

inline std::string& orphan_error() {
    static std::string e;
    return e;
}

template <class P> struct Trampolines {
    static_assert(std::is_default_constructible_v<P>, "a kubecert plugin class needs a default constructor");
    static_assert(std::is_same_v<decltype(P::info()), PluginInfo>,
                  "expected signature: static constexpr kubecert::sdk::PluginInfo info()");
    static_assert(std::is_invocable_r_v<bool, decltype(&P::detect), P&, Host&>,
                  "expected signature: bool detect(kubecert::sdk::Host&)");
    static_assert(std::is_invocable_v<decltype(&P::audit), P&, Host&>,
                  "expected signature: void audit(kubecert::sdk::Host&)");
    static_assert(std::is_invocable_v<decltype(&P::fix), P&, Host&, const std::vector<std::string>&>,
                  "expected signature: void fix(kubecert::sdk::Host&, const std::vector<std::string>&)");

    template <class F> static kubecert_status_t guard(void* self, F&& f) noexcept {
        auto* inst = static_cast<Instance<P>*>(self);
        try {
            f(inst->plugin);
            return KUBECERT_OK;
        } catch (const Error& e) {
            inst->last_error = e.what();
            return e.status() == KUBECERT_OK ? KUBECERT_ERR_FAILED : e.status();
        } catch (const std::exception& e) {
            inst->last_error = e.what();
            return KUBECERT_ERR_FAILED;
        } catch (...) {
            inst->last_error = "unknown exception in plugin";
            return KUBECERT_ERR_FAILED;
        }
    }

    static void* create(const kubecert_host_t*) noexcept {
        try {
            return new Instance<P>{};
        } catch (const std::exception& e) {
            orphan_error() = e.what();
        } catch (...) {
            orphan_error() = "unknown exception while creating the plugin";
        }
        return nullptr;
    }
    static void destroy(void* self) noexcept { delete static_cast<Instance<P>*>(self); }
    static kubecert_status_t detect(void* self, const kubecert_host_t* h, int* matches) noexcept {
        return guard(self, [&](P& p) {
            Host host(h);
            *matches = p.detect(host) ? 1 : 0;
        });
    }
    static kubecert_status_t audit(void* self, const kubecert_host_t* h) noexcept {
        return guard(self, [&](P& p) {
            Host host(h);
            p.audit(host);
        });
    }
    static kubecert_status_t fix(void* self, const kubecert_host_t* h, const char* const* ids, size_t n) noexcept {
        return guard(self, [&](P& p) {
            Host host(h);
            std::vector<std::string> v;
            for (size_t i = 0; i < n; ++i) v.push_back(str(ids[i]));
            p.fix(host, v);
        });
    }
    static const char* last_error(void* self) noexcept {
        if (!self) return orphan_error().c_str();
        return static_cast<Instance<P>*>(self)->last_error.c_str();
    }

    static const kubecert_plugin_t* get(const kubecert_version_t* host_abi) noexcept;
};

constexpr bool valid_plugin_name(const char* name) {
    if (!name || !*name) return false;
    for (const char* p = name; *p; ++p)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')) return false;
    return true;
}

constexpr bool declarations_complete(const PluginInfo& info) {
    if (!info.version || !info.description) return false;
    for (const auto& c : info.checks)
        if (!c.id || !*c.id || !c.title) return false;
    for (const auto& o : info.options)
        if (!valid_plugin_name(o.name) || !o.help) return false;
    return true;
}

template <std::size_t N> constexpr std::array<kubecert_check_decl_t, N> c_checks(std::span<const CheckDecl> in) {
    std::array<kubecert_check_decl_t, N> out{};
    for (std::size_t i = 0; i < N; ++i) out[i] = {sizeof(kubecert_check_decl_t), in[i].id, in[i].title};
    return out;
}

template <std::size_t N> constexpr std::array<kubecert_option_decl_t, N> c_options(std::span<const OptionDecl> in) {
    std::array<kubecert_option_decl_t, N> out{};
    for (std::size_t i = 0; i < N; ++i) {
        const OptionDecl& o = in[i];
        const bool flag = !o.value_name || !*o.value_name;
        out[i] = {sizeof(kubecert_option_decl_t), o.name, flag ? nullptr : o.value_name, o.help,
                  flag ? nullptr : o.default_value};
    }
    return out;
}

// The C descriptor of plugin P, computed at compile time from P::info():
// constant data in the library, so loading it runs no code of the plugin.
// The arrays serve hosts before ABI 1.4 (1.0-sized elements), the
// get_check()/get_option() accessors serve 1.4 and later.
template <class P> struct StaticDescriptor {
    static constexpr PluginInfo info = P::info();
    static_assert(valid_plugin_name(info.name), "a plugin name is [a-z0-9-]+");
    static_assert(declarations_complete(info), "every check needs an id and a title, every option a name and help");
    static constexpr std::size_t check_count = info.checks.size();
    static constexpr std::size_t option_count = info.options.size();
    static constexpr std::array<kubecert_check_decl_t, check_count> checks = c_checks<check_count>(info.checks);
    static constexpr std::array<kubecert_option_decl_t, option_count> options = c_options<option_count>(info.options);

    static std::uint32_t get_check_count(const kubecert_plugin_t*) noexcept {
        return static_cast<std::uint32_t>(check_count);
    }
    static const kubecert_check_decl_t* get_check(const kubecert_plugin_t*, std::uint32_t i) noexcept {
        return i < check_count ? &checks[i] : nullptr;
    }
    static std::uint32_t get_option_count(const kubecert_plugin_t*) noexcept {
        return static_cast<std::uint32_t>(option_count);
    }
    static const kubecert_option_decl_t* get_option(const kubecert_plugin_t*, std::uint32_t i) noexcept {
        return i < option_count ? &options[i] : nullptr;
    }

    static constexpr kubecert_plugin_t plugin = {
        sizeof(kubecert_plugin_t),
        info.name,
        info.version,
        info.description,
        check_count ? checks.data() : nullptr,
        check_count,
        option_count ? options.data() : nullptr,
        option_count,
        &Trampolines<P>::create,
        &Trampolines<P>::destroy,
        &Trampolines<P>::detect,
        &Trampolines<P>::audit,
        &Trampolines<P>::fix,
        &Trampolines<P>::last_error,
        &get_check_count,
        &get_check,
        &get_option_count,
        &get_option,
    };
};

template <class P> const kubecert_plugin_t* Trampolines<P>::get(const kubecert_version_t* host_abi) noexcept {
    if (!host_abi || host_abi->major != KUBECERT_ABI_MAJOR) return nullptr;
    return &StaticDescriptor<P>::plugin;
}

// The minor the entry stamps: the SDK's own, or the class's higher
// `required_abi_minor`.
template <class P> constexpr std::uint32_t required_abi_minor() {
    std::uint32_t minor = k_sdk_required_abi_minor;
    if constexpr (requires { P::required_abi_minor; })
        if (P::required_abi_minor > minor) minor = P::required_abi_minor;
    return minor;
}

} // namespace detail
} // namespace kubecert::sdk

// Registers `Class` as this library's kubecert plugin: defines the one
// exported entry symbol, constant data stamped with the ABI the plugin needs.
#define KUBECERT_PLUGIN(Class)                                                                                         \
    static_assert(::kubecert::sdk::detail::required_abi_minor<Class>() <= KUBECERT_ABI_MINOR,                          \
                  "required_abi_minor is newer than this SDK's plugin.h");                                             \
    extern "C" KUBECERT_EXPORT const kubecert_plugin_entry_t kubecert_plugin_entry;                                    \
    extern "C" KUBECERT_EXPORT constinit const kubecert_plugin_entry_t kubecert_plugin_entry = {                       \
        {KUBECERT_ABI_MAJOR, ::kubecert::sdk::detail::required_abi_minor<Class>(), 0},                                 \
        sizeof(kubecert_plugin_entry_t),                                                                               \
        &::kubecert::sdk::detail::Trampolines<Class>::get};
