// Reading `crictl ps` tables: which static pods' containers are listed.
#include <gtest/gtest.h>

#include "crictl.hpp"

namespace {

using kubecert::kubeadm::crictl_lists_container;

const char* k_ps =
    "CONTAINER      IMAGE          CREATED       STATE    NAME                      ATTEMPT  POD ID   POD\n"
    "3f1e2a9c4b7d   6f1d0b9c1a2e   2 hours ago   Running  kube-apiserver            0        aa11     "
    "kube-apiserver-cp1\n"
    "7a8b9c0d1e2f   9e8d7c6b5a4f   2 hours ago   Running  etcd                      0        bb22     "
    "etcd-cp1\n";

TEST(KubeadmCrictl, ListsContainersByName) {
    EXPECT_TRUE(crictl_lists_container(k_ps, "kube-apiserver"));
    EXPECT_TRUE(crictl_lists_container(k_ps, "etcd"));
    EXPECT_FALSE(crictl_lists_container(k_ps, "kube-scheduler"));
    // Pod names carry the node's suffix: they are not container names.
    EXPECT_FALSE(crictl_lists_container(k_ps, "etcd-cp1x"));
    EXPECT_FALSE(crictl_lists_container("CONTAINER IMAGE CREATED STATE NAME ATTEMPT POD ID POD\n", "etcd"));
}

} // namespace
