#include "facts.hpp"

#include "check_ids.hpp"
#include "serving_cert.hpp"

#include <kubecert/formats/parse_error.hpp>
#include <kubecert/util/plugin_options.hpp>

#include <algorithm>

namespace kubecert::rke {

namespace {

constexpr std::uint32_t k_inspect_timeout_ms = 15000;

std::optional<std::string> non_empty_option(const sdk::Host& host, const std::string& name) {
    auto value = host.option(name);
    if (value && value->empty()) return std::nullopt;
    return value;
}

ClusterFacts load_cluster(const sdk::Host& host, const std::string& path) {
    ClusterFacts facts;
    facts.path = path;
    facts.state_path = rkestate_path_for(path);
    try {
        auto text = host.read_file(path);
        if (!text) {
            // Option paths are node paths: say where it was looked for, not only that it is missing.
            facts.error = path + ": not found, looked for under --root (--rke-cluster-config is a node path, "
                                 "read inside the node's root)";
            return facts;
        }
        facts.found = true;
        facts.text = std::move(*text);
        facts.config = parse_cluster_config(facts.text, path);
    } catch (const std::exception& e) { // formats::ParseError or an unreadable file (sdk::Error)
        facts.error = e.what();
        return facts;
    }
    try {
        if (auto state = host.read_file(facts.state_path)) {
            facts.state_found = true;
            facts.state = parse_rkestate(*state, facts.state_path);
        }
    } catch (const std::exception& e) {
        facts.state_error = e.what();
    }
    return facts;
}

// Chooses the serving certificate the kubelet uses: its --tls-cert-file when the container is
// known, else RKE's kube-kubelet-<address>.pem, else the kubelet's own kubelet.crt.
void choose_disk_cert(const sdk::Host& host, Facts& facts) {
    const std::string ssl_dir(k_rke_ssl_dir);
    if (facts.container) {
        if (auto cert = kubelet_flag_value(facts.container->args, "tls-cert-file")) {
            auto key = kubelet_flag_value(facts.container->args, "tls-private-key-file").value_or(key_path_for(*cert));
            facts.disk = read_disk_cert(host, *cert, key, "--tls-cert-file of the kubelet container");
            return;
        }
        if (host.exists(std::string(k_legacy_cert_path)) || !facts.container->args.empty()) {
            facts.disk = read_disk_cert(host, std::string(k_legacy_cert_path), std::string(k_legacy_key_path),
                                        "the kubelet container has no --tls-cert-file: the kubelet's own certificate");
            return;
        }
    }
    if (facts.options.node_address) {
        const std::string path = ssl_dir + "/" + kubelet_cert_file_name(*facts.options.node_address);
        if (host.exists(path)) {
            facts.disk = read_disk_cert(host, path, key_path_for(path), "RKE certificate of --rke-node-address");
            return;
        }
    }
    const auto candidates = kubelet_cert_files(host.list_dir(ssl_dir));
    if (candidates.size() > 1 && !facts.options.node_address) {
        facts.disk_error = "several kube-kubelet-*.pem in " + ssl_dir + "; pass --rke-node-address to choose";
        return;
    }
    if (candidates.size() == 1) {
        const std::string path = ssl_dir + "/" + candidates.front();
        facts.disk = read_disk_cert(host, path, key_path_for(path), "the only kube-kubelet-*.pem in " + ssl_dir);
        return;
    }
    if (host.exists(std::string(k_legacy_cert_path)))
        facts.disk = read_disk_cert(host, std::string(k_legacy_cert_path), std::string(k_legacy_key_path),
                                    "no RKE serving certificate: the kubelet's own certificate");
}

} // namespace

Options read_options(const sdk::Host& host) {
    Options options;
    options.cluster_config = non_empty_option(host, "cluster-config");
    // Like `rke up`, which reads ./cluster.yml: the one in the folder kubecert runs in.
    if (!options.cluster_config) {
        if (auto cwd = host.working_dir()) {
            const std::string candidate = (*cwd == "/" ? std::string() : *cwd) + "/cluster.yml";
            if (host.stat(candidate).type == KUBECERT_FILE_REGULAR) options.cluster_config = candidate;
        }
    }
    options.node_address = non_empty_option(host, "node-address");
    const util::PluginOptions typed(host, "rke");
    options.timeout_ms = static_cast<std::uint32_t>(
        typed.duration_or("timeout", util::k_one_second, util::k_one_day, options.timeout_ms / 1000) * 1000);
    options.restart_wait_seconds =
        typed.duration_or("restart-wait", util::k_one_second, util::k_one_day, options.restart_wait_seconds);
    options.legacy = host.flag("legacy");
    options.run_up = host.flag("run-up");
    if (auto docker = non_empty_option(host, "docker")) options.docker = *docker;
    options.kubelet_address = non_empty_option(host, "kubelet-address").value_or("");
    options.kubelet_address_given = !options.kubelet_address.empty();
    if (options.kubelet_address.empty()) options.kubelet_address = kubelet_address(options);
    return options;
}

std::string kubelet_address(const Options& options) {
    const std::string node = options.node_address.value_or("127.0.0.1");
    const bool ipv6 = node.find(':') != std::string::npos && node.front() != '[';
    return (ipv6 ? "[" + node + "]" : node) + ":10250";
}

bool has_rke_node_files(const sdk::Host& host) {
    const auto names = host.list_dir(std::string(k_rke_ssl_dir));
    if (!kubelet_cert_files(names).empty()) return true;
    return std::any_of(names.begin(), names.end(),
                       [](const std::string& n) { return n == "kube-node.pem" || n == "kube-ca.pem"; });
}

bool is_rke_kubelet(const KubeletContainer& container) {
    const auto& image = container.image;
    if (image.find("rancher/hyperkube") != std::string::npos || image.find("rancher/rke-tools") != std::string::npos)
        return true;
    return !container.entrypoint.empty() && container.entrypoint.find("rke-tools") != std::string::npos;
}

bool detect_rke(const sdk::Host& host, const Options& options) {
    if (options.cluster_config) return true;
    if (has_rke_node_files(host)) return true;
    // `rke up` writes cluster.rkestate beside cluster.yml, in the folder it ran in.
    if (auto cwd = host.working_dir())
        if (host.stat((*cwd == "/" ? std::string() : *cwd) + "/cluster.rkestate").type == KUBECERT_FILE_REGULAR)
            return true;
    // A kubelet.crt or /etc/kubernetes/ssl alone is any kubelet's (kubespray keeps its certificates
    // there); RKE's kubelet runs in a docker container of RKE's images, which only the running
    // system can be asked about.
    const bool kubelet_files = host.exists(std::string(k_legacy_cert_path)) ||
                               host.stat(std::string(k_rke_ssl_dir)).type == KUBECERT_FILE_DIRECTORY;
    if (!kubelet_files || !host.live_system().live) return false;
    std::string why;
    const auto container = inspect_kubelet(host, options.docker, why);
    return container && is_rke_kubelet(*container);
}

std::optional<KubeletContainer> inspect_kubelet(const sdk::Host& host, const std::string& docker, std::string& why) {
    sdk::CommandResult result;
    try {
        result = host.run({docker, "inspect", "kubelet"}, k_inspect_timeout_ms,
                          KUBECERT_CMD_READ_ONLY | KUBECERT_CMD_NO_ACTION);
    } catch (const sdk::Error& e) {
        why = docker + " could not be run: " + e.what();
        return std::nullopt;
    }
    if (result.timed_out || result.exit_code != 0) {
        why = docker + " inspect kubelet: " +
              (result.timed_out ? std::string("timed out") : "exit " + std::to_string(result.exit_code)) +
              (result.err.empty() ? "" : ": " + result.err.substr(0, result.err.find('\n')));
        return std::nullopt;
    }
    try {
        auto container = parse_docker_inspect(result.out, docker + " inspect kubelet");
        if (!container) why = docker + " inspect kubelet: no container";
        return container;
    } catch (const formats::ParseError& e) {
        why = e.what();
        return std::nullopt;
    }
}

ServedCert fetch_served(const sdk::Host& host, const std::string& address, std::uint32_t timeout_ms) {
    ServedCert served;
    served.address = address;
    try {
        served.cert = host.tls_fetch_cert(address, timeout_ms);
    } catch (const sdk::Error& e) {
        served.error = e.what();
    }
    return served;
}

DiskCert read_disk_cert(const sdk::Host& host, const std::string& path, const std::string& key_path,
                        const std::string& origin) {
    DiskCert disk;
    disk.path = path;
    disk.key_path = key_path;
    disk.origin = origin;
    try {
        auto bytes = host.read_file(path);
        if (!bytes) {
            disk.error = path + ": not found";
            return disk;
        }
        disk.cert = host.parse_cert(*bytes, path);
    } catch (const sdk::Error& e) {
        disk.error = e.what();
    }
    return disk;
}

Facts gather_facts(const sdk::Host& host) {
    Facts facts;
    facts.options = read_options(host);
    const auto live = host.live_system();
    facts.live = live.live;
    facts.live_reason = live.reason;
    if (facts.options.cluster_config) facts.cluster = load_cluster(host, *facts.options.cluster_config);

    const bool rke_ssl = host.stat(std::string(k_rke_ssl_dir)).type == KUBECERT_FILE_DIRECTORY;
    const bool kubelet_crt = host.exists(std::string(k_legacy_cert_path));
    facts.on_node = rke_ssl || kubelet_crt;
    if (!facts.on_node) return facts; // an admin host: nothing of a node to ask docker or the port about

    facts.ca_key_on_node = host.exists(std::string(k_rke_ssl_dir) + "/kube-ca-key.pem");
    // docker and the kubelet port answer for the machine kubecert runs on: only ask them when
    // that machine is the node (or, for the port, when the user named it).
    if (facts.live)
        facts.container = inspect_kubelet(host, facts.options.docker, facts.container_note);
    else
        facts.container_note = "not the running system (" + facts.live_reason + "): docker was not asked";
    choose_disk_cert(host, facts);
    if (host.check_selected(k_check_served) && (facts.live || facts.options.kubelet_address_given))
        facts.served = fetch_served(host, facts.options.kubelet_address, facts.options.timeout_ms);
    return facts;
}

} // namespace kubecert::rke
