#include "kubeadm_node.hpp"

#include <filesystem>
#include <vector>

#include <gtest/gtest.h>

#include <kubecert/util/base64.hpp>

#include "test_support.hpp"

namespace kubecert::test {

namespace {

struct LeafPlan {
    std::string name;
    std::string authority;
    std::string file; // under pki ("apiserver"), or "" for a kubeconfig
    CertSpec cert;
};

CertSpec spec_of(const std::string& cn, std::vector<std::string> orgs, std::vector<std::string> sans, bool server,
                 bool client) {
    CertSpec s;
    s.common_name = cn;
    s.organizations = std::move(orgs);
    s.sans = std::move(sans);
    s.server_auth = server;
    s.client_auth = client;
    return s;
}

std::string manifest(const std::string& name) {
    return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name +
           "\n  namespace: kube-system\nspec:\n"
           "  containers:\n  - name: " +
           name + "\n    image: registry.k8s.io/" + name +
           ":v1.30.0\n"
           "  hostNetwork: true\n";
}

} // namespace

std::string make_kubeconfig(const std::string& user, const KeyPair& cert, const KeyPair& ca,
                            const std::string& server) {
    return "apiVersion: v1\n"
           "clusters:\n"
           "- cluster:\n"
           "    certificate-authority-data: " +
           util::base64_encode(ca.cert_pem) +
           "\n"
           "    server: " +
           server +
           "\n"
           "  name: kubernetes\n"
           "contexts:\n"
           "- context:\n"
           "    cluster: kubernetes\n"
           "    user: " +
           user +
           "\n"
           "  name: " +
           user +
           "@kubernetes\n"
           "current-context: " +
           user +
           "@kubernetes\n"
           "kind: Config\n"
           "preferences: {}\n"
           "users:\n"
           "- name: " +
           user +
           "\n"
           "  user:\n"
           "    client-certificate-data: " +
           util::base64_encode(cert.cert_pem) +
           "\n"
           "    client-key-data: " +
           util::base64_encode(cert.key_pem) + "\n";
}

KubeadmNode write_kubeadm_node(const std::string& root, const KubeadmNodeSpec& spec) {
    const std::int64_t now = spec.now ? spec.now : now_seconds();
    const std::string pki = root + "/etc/kubernetes/pki";
    KubeadmNode node;

    std::vector<std::string> ca_names = {"ca", "front-proxy-ca"};
    if (spec.local_etcd) ca_names.push_back("etcd-ca");
    for (const auto& name : ca_names) {
        CertSpec s;
        s.common_name = name == "ca" ? "kubernetes" : name;
        s.is_ca = true;
        s.key_type = spec.key_type;
        const auto it = spec.ca_days_by_name.find(name);
        const std::int64_t days = it != spec.ca_days_by_name.end() ? it->second : spec.ca_days;
        s.not_after = now + days * k_day;
        s.not_before = std::min(now - 30 * k_day, s.not_after - 3650 * k_day);
        node.authorities[name] = make_self_signed(s);
        const std::string base = name == "etcd-ca" ? pki + "/etcd/ca" : pki + "/" + name;
        write_file(base + ".crt", node.authorities[name].cert_pem, 0644);
        write_file(base + ".key", node.authorities[name].key_pem, 0600);
    }

    const std::string& n = spec.node_name;
    const std::vector<std::string> etcd_sans = {"DNS:localhost", "DNS:" + n, "IP:127.0.0.1", "IP:192.168.2.2"};
    std::vector<LeafPlan> plans = {
        {"apiserver", "ca", "apiserver",
         spec_of("kube-apiserver", {},
                 {"DNS:" + n, "DNS:kubernetes", "DNS:kubernetes.default", "DNS:kubernetes.default.svc",
                  "DNS:kubernetes.default.svc.cluster.local", "IP:10.96.0.1", "IP:192.168.2.2"},
                 true, false)},
        {"apiserver-kubelet-client", "ca", "apiserver-kubelet-client",
         spec_of("kube-apiserver-kubelet-client", {"kubeadm:cluster-admins"}, {}, false, true)},
        {"front-proxy-client", "front-proxy-ca", "front-proxy-client",
         spec_of("front-proxy-client", {}, {}, false, true)},
        {"admin.conf", "ca", "", spec_of("kubernetes-admin", {"kubeadm:cluster-admins"}, {}, false, true)},
        {"controller-manager.conf", "ca", "", spec_of("system:kube-controller-manager", {}, {}, false, true)},
        {"scheduler.conf", "ca", "", spec_of("system:kube-scheduler", {}, {}, false, true)},
    };
    if (spec.super_admin)
        plans.push_back(
            {"super-admin.conf", "ca", "", spec_of("kubernetes-super-admin", {"system:masters"}, {}, false, true)});
    if (spec.local_etcd) {
        plans.push_back({"apiserver-etcd-client", "etcd-ca", "apiserver-etcd-client",
                         spec_of("kube-apiserver-etcd-client", {}, {}, false, true)});
        plans.push_back({"etcd-server", "etcd-ca", "etcd/server", spec_of(n, {}, etcd_sans, true, true)});
        plans.push_back({"etcd-peer", "etcd-ca", "etcd/peer", spec_of(n, {}, etcd_sans, true, true)});
        plans.push_back({"etcd-healthcheck-client", "etcd-ca", "etcd/healthcheck-client",
                         spec_of("kube-etcd-healthcheck-client", {}, {}, false, true)});
    }
    for (auto& p : plans) {
        const auto it = spec.leaf_days.find(p.name);
        const std::int64_t days = it != spec.leaf_days.end() ? it->second : spec.default_days;
        p.cert.not_after = now + days * k_day;
        p.cert.not_before = p.cert.not_after - 365 * k_day;
        p.cert.key_type = spec.key_type;
        const auto& ca = node.authorities.at(p.authority);
        node.leaves[p.name] = make_signed(p.cert, ca);
        if (!p.file.empty()) {
            write_file(pki + "/" + p.file + ".crt", node.leaves[p.name].cert_pem, 0644);
            write_file(pki + "/" + p.file + ".key", node.leaves[p.name].key_pem, 0600);
        } else {
            const auto user = p.name == "admin.conf"                ? "kubernetes-admin"
                              : p.name == "super-admin.conf"        ? "kubernetes-super-admin"
                              : p.name == "controller-manager.conf" ? "system:kube-controller-manager"
                                                                    : "system:kube-scheduler";
            write_file(root + "/etc/kubernetes/" + p.name,
                       make_kubeconfig(user, node.leaves[p.name], node.authorities.at("ca")), 0600);
        }
    }

    // The kubelet's client certificate: rotated by the kubelet into a dated file behind a symlink.
    CertSpec kc = spec_of("system:node:" + n, {"system:nodes"}, {}, false, true);
    kc.not_after = now + spec.kubelet_client_days * k_day;
    kc.not_before = kc.not_after - 365 * k_day;
    kc.key_type = spec.kubelet_client_key_type.empty() ? spec.key_type : spec.kubelet_client_key_type;
    if (kc.key_type == "ec") kc.key_usage = "digitalSignature";
    node.leaves["kubelet-client"] = make_signed(kc, node.authorities.at("ca"));
    const std::string kpki = root + "/var/lib/kubelet/pki";
    if (spec.kubelet_client_embedded) {
        write_file(root + "/etc/kubernetes/kubelet.conf",
                   make_kubeconfig("system:node:" + n, node.leaves["kubelet-client"], node.authorities.at("ca")), 0600);
        std::filesystem::create_directories(kpki);
    } else {
        write_file(kpki + "/kubelet-client-2026-01-01-00-00-00.pem",
                   node.leaves["kubelet-client"].cert_pem + node.leaves["kubelet-client"].key_pem, 0600);
        std::filesystem::create_symlink("kubelet-client-2026-01-01-00-00-00.pem", kpki + "/kubelet-client-current.pem");
        write_file(root + "/etc/kubernetes/kubelet.conf",
                   "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: " +
                       util::base64_encode(node.authorities.at("ca").cert_pem) +
                       "\n    server: https://192.168.2.2:6443\n  name: kubernetes\ncontexts:\n- context:\n"
                       "    cluster: kubernetes\n    user: system:node:" +
                       n + "\n  name: system:node:" + n + "@kubernetes\ncurrent-context: system:node:" + n +
                       "@kubernetes\nkind: Config\npreferences: {}\n"
                       "users:\n- name: system:node:" +
                       n +
                       "\n  user:\n"
                       "    client-certificate: /var/lib/kubelet/pki/kubelet-client-current.pem\n"
                       "    client-key: /var/lib/kubelet/pki/kubelet-client-current.pem\n",
                   0600);
    }

    for (const auto& m : {"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"})
        if (spec.local_etcd || std::string(m) != "etcd")
            write_file(root + "/etc/kubernetes/manifests/" + m + ".yaml", manifest(m), 0600);

    std::string config = "# written by kubeadm\napiVersion: kubelet.config.k8s.io/v1beta1\n"
                         "authentication:\n  x509:\n    clientCAFile: /etc/kubernetes/pki/ca.crt\n"
                         "cgroupDriver: systemd\nkind: KubeletConfiguration\n";
    config += std::string("rotateCertificates: ") + (spec.rotate_certificates ? "true" : "false") + "\n";
    if (spec.server_tls_bootstrap) config += "serverTLSBootstrap: true\n";
    config += "staticPodPath: /etc/kubernetes/manifests\n";
    write_file(root + "/var/lib/kubelet/config.yaml", config);
    write_file(root + "/var/lib/kubelet/kubeadm-flags.env",
               "KUBELET_KUBEADM_ARGS=\"--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock "
               "--pod-infra-container-image=registry.k8s.io/pause:3.9\"\n");
    const std::string fixtures = upstream_fixtures();
    copy_file(fixtures + "/kubernetes-release/kubelet.service", root + "/usr/lib/systemd/system/kubelet.service");
    copy_file(fixtures + "/kubernetes-release/10-kubeadm.conf",
              root + "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf");
    copy_file(fixtures + "/kubernetes-release/kubelet.env", root + "/etc/sysconfig/kubelet");

    if (spec.root_kubeconfig) copy_file(root + "/etc/kubernetes/admin.conf", root + "/root/.kube/config", 0600);
    return node;
}

KubeadmTestNode::KubeadmTestNode(const KubeadmNodeSpec& spec) : pki(write_kubeadm_node(root.path(), spec)) {
    write_script(bin.path(), "systemctl", "#!/bin/sh\necho \"systemctl $*\" >> '" + bin.path() + "/systemctl.log'\n");
    install_crictl();
}

void KubeadmTestNode::install_crictl(bool always_running) const {
    const std::string manifests = root / "/etc/kubernetes/manifests";
    const auto row = [](const std::string& name) {
        return "printf '%s\\n' '3f4e5d6c7b8a9   6f1d4e5c3b2a1   2 hours ago   Running   " + name +
               "   0   "
               "9a8b7c6d5e4f3   " +
               name + "-cp-1'\n";
    };
    std::string pods;
    for (const std::string name : {"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"})
        pods += always_running && name == "kube-apiserver"
                    ? row(name)
                    : "if [ -f '" + manifests + "/" + name + ".yaml' ]; then\n" + row(name) + "fi\n";
    write_script(
        bin.path(), "crictl",
        "#!/bin/sh\n"
        "echo \"crictl $*\" >> '" +
            bin.path() +
            "/crictl.log'\n"
            "printf '%s\\n' 'CONTAINER       IMAGE           CREATED       STATE     NAME             ATTEMPT   "
            "POD ID          POD'\n" +
            pods +
            "printf '%s\\n' '1a2b3c4d5e6f7   0f9e8d7c6b5a4   2 hours ago   Running   kube-proxy       0   "
            "7c6b5a4f3e2d1   kube-proxy-8xk2p'\n");
}

std::string KubeadmTestNode::log(const std::string& standin) const {
    const auto path = bin.path() + "/" + standin + ".log";
    return file_exists(path) ? read_file(path) : "";
}

ProcResult KubeadmTestNode::kubecert(const std::vector<std::string>& args) const {
    std::vector<std::string> all = {"--root", root.path(), "--flavor", "kubeadm", "--format", "json"};
    all.insert(all.end(), args.begin(), args.end());
    return run_kubecert(all, {{"PATH", path_with(bin.path())}, {"HOME", "/home/alice"}, {"SUDO_USER", "\x01unset"}});
}

nlohmann::json kubeadm_report(const ProcResult& r) {
    try {
        return nlohmann::json::parse(r.out);
    } catch (const std::exception& e) {
        ADD_FAILURE() << "not a JSON report (" << e.what() << "):\n" << r.out << "\nstderr:\n" << r.err;
        return nlohmann::json::object();
    }
}

nlohmann::json kubeadm_finding(const nlohmann::json& findings, const std::string& id) {
    if (findings.is_array())
        for (const auto& f : findings)
            if (f.value("id", "") == id) return f;
    return nullptr;
}

std::map<std::string, std::string> node_files(const KubeadmTestNode& node) {
    auto files = snapshot_tree(node.root.path());
    const auto lock_dir = node.root.path() + "/run/kubecert/";
    std::erase_if(files, [&](const auto& kv) { return kv.first.rfind(lock_dir, 0) == 0; });
    return files;
}

std::string changed_files(const std::map<std::string, std::string>& a, const std::map<std::string, std::string>& b) {
    std::string out;
    for (const auto& [path, content] : a) {
        auto it = b.find(path);
        if (it == b.end())
            out += "removed " + path + "\n";
        else if (it->second != content)
            out += "changed " + path + "\n";
    }
    for (const auto& [path, content] : b)
        if (!a.count(path)) out += "added " + path + "\n";
    return out;
}

std::string evidence_text(const nlohmann::json& finding) {
    std::string out;
    if (!finding.is_object() || !finding.contains("evidence")) return out;
    for (const auto& e : finding["evidence"])
        out += e.value("source", "") + " | " + e.value("key", "") + " | " + e.value("actual", "") + " | " +
               e.value("expected", "") + "\n";
    return out;
}

} // namespace kubecert::test
