#include "fixes.hpp"

#include "cluster_config.hpp"
#include "serving_cert.hpp"

#include <kubecert/util/wait.hpp>

#include <algorithm>
#include <functional>

namespace kubecert::rke {

namespace {

constexpr std::uint32_t k_exec_timeout_ms = 30'000;
constexpr std::uint32_t k_restart_timeout_ms = 120'000;
constexpr std::uint32_t k_rke_up_timeout_ms = 60 * 60'000;
constexpr std::uint32_t k_poll_interval_ms = 500;

bool has(const std::vector<std::string>& ids, const char* id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// The first of `candidates` that is among `ids` (the finding the actions are attributed to).
std::string first_of(const std::vector<std::string>& ids, std::initializer_list<const char*> candidates) {
    for (const char* c : candidates)
        if (has(ids, c)) return c;
    return "";
}

std::string tail(const std::string& text) {
    constexpr size_t k_max = 2000;
    return text.size() <= k_max ? text : "..." + text.substr(text.size() - k_max);
}

void run_or_throw(const sdk::Host& host, const std::vector<std::string>& argv, std::uint32_t timeout_ms,
                  std::uint32_t flags = 0) {
    const auto result = host.run(argv, timeout_ms, flags);
    if (result.ok()) return;
    std::string line;
    for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
    throw sdk::Error(result.timed_out ? KUBECERT_ERR_TIMEOUT : KUBECERT_ERR_FAILED,
                     line + (result.timed_out ? ": timed out" : ": exit " + std::to_string(result.exit_code)) + "\n" +
                         tail(result.out + result.err));
}

// Polls the kubelet port until `good` accepts the certificate it serves; throws at the deadline.
void wait_for_served(const sdk::Host& host, const Facts& facts, const std::string& what,
                     const std::function<bool(const sdk::CertInfo&)>& good) {
    util::WaitSpec spec;
    spec.what = "the kubelet at " + facts.options.kubelet_address + " to " + what;
    spec.timeout_seconds = facts.options.restart_wait_seconds;
    spec.poll_ms = k_poll_interval_ms;
    const auto result = util::wait_until(host, spec, [&] {
        const auto served = fetch_served(host, facts.options.kubelet_address, facts.options.timeout_ms);
        if (served.cert && good(*served.cert)) return util::Probe{true, ""};
        return util::Probe{false, served.cert ? "it serves " + served.cert->subject + " (" +
                                                    served.cert->sha256_fingerprint + ")"
                                              : served.error};
    });
    if (!result.done)
        throw sdk::Error(KUBECERT_ERR_TIMEOUT, "the kubelet at " + facts.options.kubelet_address + " did not " + what +
                                                   " within " + std::to_string(facts.options.restart_wait_seconds) +
                                                   "s after the restart; last: " + result.last_seen);
}

void edit_cluster_config(const sdk::Host& host, const Facts& facts, const std::string& finding) {
    const std::string& path = facts.cluster->path;
    host.begin_action(finding);
    // Read again: the edit must start from the file as it is now.
    const auto text = host.read_file(path);
    if (!text) throw sdk::Error(KUBECERT_ERR_NOT_FOUND, path + ": not found");
    const std::string edited = enable_serving_certificate(*text, path);
    if (edited == *text) return;
    host.write_file(path, edited);
    const std::vector<std::string> up{"rke", "up", "--config", path};
    if (facts.options.run_up && !facts.live) {
        host.info(path + " now sets services.kubelet.generate_serving_certificate: true; not the running system (" +
                  facts.live_reason + "), so `rke up` was not run: run rke up --config " + path + " on the admin host");
        return;
    }
    if (!facts.options.run_up) {
        host.info(path +
                  " now sets services.kubelet.generate_serving_certificate: true; apply it with: rke up --config " +
                  path + " (or pass --rke-run-up)");
        return;
    }
    run_or_throw(host, up, k_rke_up_timeout_ms, KUBECERT_CMD_STREAM);
}

std::string old_fingerprint(const Facts& facts) {
    if (facts.served && facts.served->cert) return facts.served->cert->sha256_fingerprint;
    return facts.disk->cert->sha256_fingerprint;
}

void regenerate_own_cert(const sdk::Host& host, const Facts& facts, const std::string& finding) {
    const auto& disk = *facts.disk;
    const std::string& docker = facts.options.docker;
    if (host.no_restart()) {
        host.warn("--no-restart: the kubelet's own certificate " + disk.path + " is not renewed; run: " + docker +
                  " exec kubelet rm -f " + disk.path + " " + disk.key_path + " && " + docker + " restart kubelet");
        return;
    }
    const std::string before = old_fingerprint(facts);
    host.begin_action(finding);
    // The kubelet regenerates both files only when both are gone; keep copies for a rollback.
    host.backup_file(disk.path);
    if (host.exists(disk.key_path)) host.backup_file(disk.key_path);
    run_or_throw(host, {docker, "exec", "kubelet", "rm", "-f", disk.path, disk.key_path}, k_exec_timeout_ms);
    run_or_throw(host, {docker, "restart", "kubelet"}, k_restart_timeout_ms);
    if (host.dry_run()) return;
    wait_for_served(host, facts, "serve a new certificate",
                    [&](const sdk::CertInfo& c) { return c.sha256_fingerprint != before; });
}

void restart_kubelet(const sdk::Host& host, const Facts& facts, const std::string& finding) {
    const std::string& docker = facts.options.docker;
    if (host.no_restart()) {
        host.warn("--no-restart: the kubelet keeps serving another certificate than " + facts.disk->path +
                  "; run: " + docker + " restart kubelet");
        return;
    }
    const std::string expected = facts.disk->cert->sha256_fingerprint;
    host.begin_action(finding);
    run_or_throw(host, {docker, "restart", "kubelet"}, k_restart_timeout_ms);
    if (host.dry_run()) return;
    wait_for_served(host, facts, "serve the certificate of " + facts.disk->path,
                    [&](const sdk::CertInfo& c) { return c.sha256_fingerprint == expected; });
}

} // namespace

void apply_fixes(const sdk::Host& host, const Facts& facts, const FixPlan& plan, const std::vector<std::string>& ids) {
    // cluster.yml first: it is the lasting fix; the node-side steps only renew for a year.
    const std::string config_finding =
        facts.options.legacy ? first_of(ids, {k_check_generate}) : first_of(ids, {k_check_generate, k_check_legacy});
    if (plan.edit_config && !config_finding.empty()) edit_cluster_config(host, facts, config_finding);

    const std::string node_finding = first_of(ids, {k_check_expiry, k_check_legacy, k_check_served});
    if (plan.regenerate && !node_finding.empty()) {
        regenerate_own_cert(host, facts, node_finding);
    } else if (plan.restart && has(ids, k_check_served)) {
        restart_kubelet(host, facts, k_check_served);
    }
}

} // namespace kubecert::rke
