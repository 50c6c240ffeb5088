#pragma once

#include "cluster_config.hpp"
#include "kubelet_container.hpp"

#include <kubecert/sdk.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace kubecert::rke {

// The plugin's --rke-* options, read once per run.
struct Options {
    std::optional<std::string> cluster_config; // node path of cluster.yml
    std::optional<std::string> node_address;
    std::string kubelet_address;        // HOST:PORT of the kubelet's HTTPS port
    bool kubelet_address_given = false; // --rke-kubelet-address: probed even off the running system
    std::uint32_t timeout_ms = 5000;
    std::int64_t restart_wait_seconds = 90; // how long a restarted kubelet gets to serve the expected certificate
    bool legacy = false;                    // prefer the node-side regeneration over cluster.yml
    bool run_up = false;                    // run `rke up` after editing cluster.yml
    std::string docker = "docker";
};

// cluster.yml and the state file beside it.
struct ClusterFacts {
    std::string path;
    bool found = false;
    std::string text;  // the file as read
    std::string error; // why it could not be used ("FILE:LINE:COLUMN: ..."), "" when fine
    ClusterConfig config;
    std::string state_path; // the .rkestate beside it
    bool state_found = false;
    std::string state_error;
    RkeState state;
};

// The kubelet serving certificate on disk.
struct DiskCert {
    std::string path;
    std::string key_path;
    std::string origin;                // how the path was chosen, for the evidence
    std::optional<sdk::CertInfo> cert; // nullopt when missing or unreadable (see error)
    std::string error;
};

// The certificate the kubelet port serves.
struct ServedCert {
    std::string address;
    std::optional<sdk::CertInfo> cert;
    std::string error; // why it could not be fetched
};

// Everything the audit learned; the fix acts on the same facts.
struct Facts {
    Options options;
    std::optional<ClusterFacts> cluster; // nullopt when no --rke-cluster-config
    bool on_node = false;                // RKE node files (or the kubelet container) are here
    std::optional<KubeletContainer> container;
    std::string container_note;       // why no container is known
    std::optional<DiskCert> disk;     // nullopt when the node has no serving certificate file
    std::string disk_error;           // when the serving certificate file cannot be chosen
    std::optional<ServedCert> served; // nullopt off a node
    bool ca_key_on_node = false;      // RKE's kube-ca-key.pem is here (a control-plane node)
    bool live = true;                 // the node under --root is the running system (the host's rule)
    std::string live_reason;          // why (or why not), for the evidence
};

// Reads the --rke-* options; throws sdk::Error for a malformed value.
Options read_options(const sdk::Host& host);

// True when this root looks like an RKE admin host or node, on RKE's own evidence only (see
// detect in docs/plugins/rke.md): /etc/kubernetes/ssl alone is kubespray's folder too.
bool detect_rke(const sdk::Host& host, const Options& options);

// True when /etc/kubernetes/ssl holds files only RKE writes there (kube-kubelet-*.pem, kube-node.pem,
// kube-ca.pem).
bool has_rke_node_files(const sdk::Host& host);

// True for the kubelet container RKE runs: an image of RKE's (rancher/hyperkube, rancher/rke-tools)
// or RKE's entrypoint.
bool is_rke_kubelet(const KubeletContainer& container);

// Asks `docker inspect kubelet` (read only); nullopt with `why` when docker or the container is missing.
std::optional<KubeletContainer> inspect_kubelet(const sdk::Host& host, const std::string& docker, std::string& why);

// The address of the kubelet's port for `options`: --rke-kubelet-address, else NODE:10250.
std::string kubelet_address(const Options& options);

// Reads the served certificate at `address`; the error says why when the port does not answer.
ServedCert fetch_served(const sdk::Host& host, const std::string& address, std::uint32_t timeout_ms);

// Reads the serving certificate file `path` (and names its key).
DiskCert read_disk_cert(const sdk::Host& host, const std::string& path, const std::string& key_path,
                        const std::string& origin);

// Gathers every fact of the audit through the host (reads, read-only commands, the TLS probe).
Facts gather_facts(const sdk::Host& host);

} // namespace kubecert::rke
