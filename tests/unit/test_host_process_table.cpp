#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "host/process_table.hpp"
#include "test_support.hpp"

namespace kubecert::host {
namespace {

// A fake ROOT/proc entry: cmdline is NUL separated with a trailing NUL, as the kernel writes it.
void add_process(const test::TempDir& root, int pid, const std::vector<std::string>& argv, const std::string& comm) {
    std::string cmdline;
    for (const auto& a : argv) cmdline += a + std::string(1, '\0');
    test::write_file(root / ("/proc/" + std::to_string(pid) + "/cmdline"), cmdline);
    test::write_file(root / ("/proc/" + std::to_string(pid) + "/comm"), comm + "\n");
}

TEST(ProcessTable, FindsByArgv0BasenameSortedByPid) {
    test::TempDir root;
    add_process(root, 912, {"/usr/bin/kubelet", "--config=/var/lib/kubelet/config.yaml", "--v=2"}, "kubelet");
    add_process(root, 77, {"kubelet", "--kubeconfig", "/etc/kubernetes/kubelet.conf"}, "kubelet");
    add_process(root, 100, {"/usr/bin/containerd"}, "containerd");
    add_process(root, 5, {"/usr/bin/kubelet-wrapper"}, "kubelet-wrapper");
    test::write_file(root / "/proc/self/cmdline", std::string("kubelet\0", 8));
    test::write_file(root / "/proc/meminfo", "MemTotal: 1 kB\n");

    auto found = find_processes(RootFs(root.path()), "kubelet");
    ASSERT_TRUE(found.ok()) << found.error().message;
    ASSERT_EQ(found->size(), 2u);
    EXPECT_EQ((*found)[0].pid, 77);
    EXPECT_EQ((*found)[0].argv, (std::vector<std::string>{"kubelet", "--kubeconfig", "/etc/kubernetes/kubelet.conf"}));
    EXPECT_EQ((*found)[1].pid, 912);
    EXPECT_EQ((*found)[1].argv.size(), 3u);
    EXPECT_EQ((*found)[1].argv[2], "--v=2");
}

TEST(ProcessTable, MatchesCommWhenArgvIsRewrittenOrTruncated) {
    test::TempDir root;
    add_process(root, 10, {"etcd: leader"}, "etcd");
    // comm keeps only 15 characters of the name.
    add_process(root, 20, {}, "kube-controller");
    add_process(root, 30, {"/usr/local/bin/kube-controller-manager", "--leader-elect=true"}, "kube-controller");

    auto etcd = find_processes(RootFs(root.path()), "etcd");
    ASSERT_TRUE(etcd.ok());
    ASSERT_EQ(etcd->size(), 1u);
    EXPECT_EQ((*etcd)[0].pid, 10);

    auto kcm = find_processes(RootFs(root.path()), "kube-controller-manager");
    ASSERT_TRUE(kcm.ok());
    ASSERT_EQ(kcm->size(), 2u);
    EXPECT_EQ((*kcm)[0].pid, 20);
    EXPECT_TRUE((*kcm)[0].argv.empty());
    EXPECT_EQ((*kcm)[1].argv[1], "--leader-elect=true");
}

TEST(ProcessTable, RootWithoutProcHasNoProcesses) {
    test::TempDir root;
    test::write_file(root / "/etc/hostname", "node\n");
    auto found = find_processes(RootFs(root.path()), "kubelet");
    ASSERT_TRUE(found.ok());
    EXPECT_TRUE(found->empty());
}

TEST(ProcessTable, SeesThisTestOnTheRealProc) {
    char exe[4096];
    ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    ASSERT_GT(n, 0);
    std::string name(exe, static_cast<std::size_t>(n));
    name = name.substr(name.find_last_of('/') + 1);
    auto found = find_processes(RootFs("/"), name);
    ASSERT_TRUE(found.ok()) << found.error().message;
    bool self = false;
    for (const auto& p : *found) self = self || p.pid == ::getpid();
    EXPECT_TRUE(self);
}

} // namespace
} // namespace kubecert::host
