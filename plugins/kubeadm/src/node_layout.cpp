#include "node_layout.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>

namespace kubecert::kubeadm {

namespace {

std::string dir_of(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

// The key beside a certificate, by the two naming habits: "x.pem" -> "x-key.pem" (kubespray,
// cfssl), "x.crt" -> "x.key" (kubeadm).
std::string key_beside(const std::string& cert) {
    if (cert.ends_with(".pem")) return cert.substr(0, cert.size() - 4) + "-key.pem";
    if (cert.ends_with(".crt")) return cert.substr(0, cert.size() - 4) + ".key";
    return cert + ".key";
}

std::string scalar(const YAML::Node& n) {
    return n && n.IsScalar() ? n.Scalar() : std::string();
}

// The ClusterConfiguration document of kubeadm-config.yaml (which may hold several).
std::optional<YAML::Node> cluster_configuration(const std::string& text) {
    for (const auto& doc : YAML::LoadAll(text))
        if (doc.IsMap() && scalar(doc["kind"]) == "ClusterConfiguration") return doc;
    return std::nullopt;
}

// A node path given by the user, resolved inside the root when it exists.
std::string resolved(const sdk::Host& host, const std::string& path) {
    try {
        return host.resolve_path(path);
    } catch (const sdk::Error&) {
        return path;
    }
}

// The file of etcd's own certificates named `prefix`<node>.pem in `dir`: the node's own, else the
// only one there.
std::string etcd_member_file(const sdk::Host& host, const std::string& dir, const std::string& prefix) {
    std::vector<std::string> found;
    for (const auto& n : host.list_dir(dir))
        if (n.starts_with(prefix) && n.ends_with(".pem") && !n.ends_with("-key.pem")) found.push_back(n);
    const std::string own = prefix + host.node_name() + ".pem";
    if (std::find(found.begin(), found.end(), own) != found.end()) return dir + "/" + own;
    return found.size() == 1 ? dir + "/" + found.front() : std::string();
}

} // namespace

NodeLayout discover_layout(const sdk::Host& host, const std::optional<std::string>& pki_option) {
    NodeLayout out;
    std::string config_dir;
    if (auto text = host.read_file(k_kubeadm_config)) {
        try {
            if (auto cc = cluster_configuration(*text)) {
                config_dir = scalar((*cc)["certificatesDir"]);
                const auto ext = (*cc)["etcd"]["external"];
                if (ext && ext.IsMap()) {
                    ExternalEtcd e;
                    e.source = std::string(k_kubeadm_config) + " (etcd.external)";
                    e.ca_file = scalar(ext["caFile"]);
                    e.cert_file = scalar(ext["certFile"]);
                    e.key_file = scalar(ext["keyFile"]);
                    if (!e.ca_file.empty()) out.etcd = e;
                }
            }
        } catch (const YAML::Exception& e) {
            out.notes.push_back(std::string(k_kubeadm_config) + ":" + std::to_string(e.mark.line + 1) + ":" +
                                std::to_string(e.mark.column + 1) + ": " + e.msg + " (its certificatesDir is ignored)");
        }
    }
    if (pki_option) {
        out.pki_dir = resolved(host, *pki_option);
        out.pki_origin = "--kubeadm-pki-dir " + *pki_option;
        if (host.stat(*pki_option).type != KUBECERT_FILE_DIRECTORY)
            out.notes.push_back("--kubeadm-pki-dir " + *pki_option +
                                ": no such folder, looked for under --root (plugin option paths are node paths)");
    } else if (!config_dir.empty()) {
        out.pki_dir = resolved(host, config_dir);
        out.pki_origin = "certificatesDir in " + std::string(k_kubeadm_config);
    } else if (host.stat("/etc/kubernetes/pki").type == KUBECERT_FILE_DIRECTORY) {
        out.pki_dir = resolved(host, "/etc/kubernetes/pki");
        out.pki_origin =
            out.pki_dir == "/etc/kubernetes/pki" ? "kubeadm's default" : "/etc/kubernetes/pki links to " + out.pki_dir;
    } else if (host.exists(std::string(k_kubespray_cert_dir) + "/ca.crt")) {
        out.pki_dir = k_kubespray_cert_dir;
        out.pki_origin = "kubespray's certificatesDir (ca.crt there, no /etc/kubernetes/pki)";
    } else {
        out.pki_dir = "/etc/kubernetes/pki";
        out.pki_origin = "kubeadm's default";
    }
    // kubespray's default etcd (etcd_deployment_type: host) on a node without kubeadm-config.yaml.
    if (!out.etcd && host.exists(std::string(k_kubespray_etcd_dir) + "/ca.pem") &&
        !host.exists(out.pki_dir + "/etcd/ca.crt")) {
        ExternalEtcd e;
        e.source = "kubespray's etcd certificates in " + std::string(k_kubespray_etcd_dir);
        e.ca_file = std::string(k_kubespray_etcd_dir) + "/ca.pem";
        e.cert_file = etcd_member_file(host, k_kubespray_etcd_dir, "node-");
        e.key_file = e.cert_file.empty() ? "" : key_beside(e.cert_file);
        out.etcd = e;
    }
    return out;
}

Layout layout_for(const sdk::Host& host, const NodeLayout& node, const std::string& kubeconfig_dir) {
    Layout l = kubeadm_layout(node.pki_dir, kubeconfig_dir);
    if (!node.etcd) return l;
    const ExternalEtcd& e = *node.etcd;
    const std::string managed = "external etcd (" + e.source +
                                "): kubeadm does not renew its certificates; whoever runs etcd does (kubespray: "
                                "its etcd role, e.g. cluster.yml with etcd_certificates regenerated)";
    const std::string dir = dir_of(e.ca_file);
    for (auto& a : l.authorities) {
        if (a.name != "etcd-ca") continue;
        a.cert_path = e.ca_file;
        a.key_path = key_beside(e.ca_file);
        a.absent_reason = "not present: " + e.ca_file + " is named by " + e.source + " but absent";
        a.managed_by = managed;
    }
    for (auto& leaf : l.leaves) {
        if (leaf.name == "apiserver-etcd-client") {
            if (e.cert_file.empty()) {
                leaf.absent_reason = "not present: no etcd client certificate found for " + e.source;
                leaf.cert_path = dir + "/node-" + host.node_name() + ".pem";
                leaf.key_path = key_beside(leaf.cert_path);
            } else {
                leaf.cert_path = e.cert_file;
                leaf.key_path = e.key_file.empty() ? key_beside(e.cert_file) : e.key_file;
                leaf.absent_reason = "not present: " + e.cert_file + " is named by " + e.source + " but absent";
            }
        } else if (leaf.name == "etcd-server" || leaf.name == "etcd-peer" || leaf.name == "etcd-healthcheck-client") {
            // etcd's own certificates: kubespray gives each member one certificate for both its
            // client and peer ports (member-<node>.pem) and etcdctl an admin-<node>.pem.
            const std::string file =
                etcd_member_file(host, dir, leaf.name == "etcd-healthcheck-client" ? "admin-" : "member-");
            const std::string expected =
                dir + (leaf.name == "etcd-healthcheck-client" ? "/admin-" : "/member-") + host.node_name() + ".pem";
            leaf.cert_path = file.empty() ? expected : file;
            leaf.key_path = file.empty() ? "" : key_beside(file);
            leaf.absent_reason = "not present: external etcd (" + e.source + ") does not run on this node";
        }
    }
    return l;
}

} // namespace kubecert::kubeadm
