// kubeadm's certificate layout: the names and paths `kubeadm certs check-expiration` lists.
#include <gtest/gtest.h>

#include <algorithm>

#include "layout.hpp"

namespace {

using namespace kubecert::kubeadm;

TEST(KubeadmLayout, NamesEveryCertificateKubeadmLists) {
    const Layout layout = kubeadm_layout("/etc/kubernetes/pki", "/etc/kubernetes");
    std::vector<std::string> names;
    for (const auto& l : layout.leaves) names.push_back(l.name);
    for (const char* expected :
         {"admin.conf", "apiserver", "apiserver-etcd-client", "apiserver-kubelet-client", "controller-manager.conf",
          "etcd-healthcheck-client", "etcd-peer", "etcd-server", "front-proxy-client", "scheduler.conf"})
        EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
    ASSERT_NE(layout.authority("etcd-ca"), nullptr);
    EXPECT_EQ(layout.authority("etcd-ca")->cert_path, "/etc/kubernetes/pki/etcd/ca.crt");
    EXPECT_EQ(layout.authority("nope"), nullptr);
}

TEST(KubeadmLayout, UserKubeconfigsNeedNoControlPlaneRestart) {
    EXPECT_TRUE(is_user_kubeconfig("admin.conf"));
    EXPECT_FALSE(is_user_kubeconfig("apiserver"));
    EXPECT_FALSE(is_user_kubeconfig("controller-manager.conf"));
}

} // namespace
