#include "layout.hpp"

namespace kubecert::kubeadm {

const AuthoritySpec* Layout::authority(const std::string& name) const {
    for (const auto& a : authorities)
        if (a.name == name) return &a;
    return nullptr;
}

Layout kubeadm_layout(const std::string& pki_dir, const std::string& kubeconfig_dir) {
    const std::string worker = "not present: a worker node has no control-plane certificates";
    const std::string etcd = "not present: no local etcd on this node (worker, or external etcd)";
    const std::string super_admin = "not present: kubeadm before 1.29 does not write super-admin.conf";
    Layout l;
    l.authorities = {
        {"ca", pki_dir + "/ca.crt", pki_dir + "/ca.key", worker},
        {"etcd-ca", pki_dir + "/etcd/ca.crt", pki_dir + "/etcd/ca.key", etcd},
        {"front-proxy-ca", pki_dir + "/front-proxy-ca.crt", pki_dir + "/front-proxy-ca.key", worker},
    };
    auto pem = [&](const std::string& name, const std::string& base, const std::string& ca, const std::string& why) {
        return LeafSpec{name, CertHolder::pem_files, pki_dir + "/" + base + ".crt", pki_dir + "/" + base + ".key", ca,
                        why};
    };
    auto conf = [&](const std::string& name, const std::string& why) {
        return LeafSpec{name, CertHolder::kubeconfig, kubeconfig_dir + "/" + name, "", "ca", why};
    };
    l.leaves = {
        conf("admin.conf", worker),
        pem("apiserver", "apiserver", "ca", worker),
        pem("apiserver-etcd-client", "apiserver-etcd-client", "etcd-ca", etcd),
        pem("apiserver-kubelet-client", "apiserver-kubelet-client", "ca", worker),
        conf("controller-manager.conf", worker),
        pem("etcd-healthcheck-client", "etcd/healthcheck-client", "etcd-ca", etcd),
        pem("etcd-peer", "etcd/peer", "etcd-ca", etcd),
        pem("etcd-server", "etcd/server", "etcd-ca", etcd),
        pem("front-proxy-client", "front-proxy-client", "front-proxy-ca", worker),
        conf("scheduler.conf", worker),
        conf("super-admin.conf", super_admin),
    };
    return l;
}

bool is_user_kubeconfig(const std::string& leaf_name) {
    return leaf_name == "admin.conf" || leaf_name == "super-admin.conf";
}

} // namespace kubecert::kubeadm
