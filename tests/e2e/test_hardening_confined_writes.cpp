// End-to-end: a fix writes nothing outside --root, whatever links the node
// holds or swaps while it runs (issue 10, point 1; docs/security.md).
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "kubeadm_node.hpp"

using namespace kubecert::test;
namespace fs = std::filesystem;

namespace {

// A kubeadm node whose etcd certificates are expired, so that `fix` renews them.
KubeadmNodeSpec etcd_expired() {
    KubeadmNodeSpec spec;
    spec.leaf_days = {{"etcd-server", -1}, {"etcd-peer", -1}, {"etcd-healthcheck-client", -1}};
    return spec;
}

// Everything under `dir`, for "nothing appeared there" checks.
std::string listing(const std::string& dir) {
    std::string out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) out += e.path().string() + "\n";
    return out;
}

// A relative link target from node folder `from_node` (e.g. "/var") that climbs out of `root` to `host_dir`.
std::string climbing_link(const std::string& from_node, const std::string& host_dir) {
    std::string up;
    for (char c : from_node)
        if (c == '/') up += "../";
    return up + "../../../../../../.." + host_dir; // more ".." than the host has folders: ends at "/"
}

} // namespace

TEST(ConfinedWrites, BackupFolderLinkedOutOfTheRootIsRefusedAndNothingIsWrittenThere) {
    for (const bool absolute : {true, false}) {
        SCOPED_TRACE(absolute ? "absolute link" : "relative link");
        KubeadmTestNode node(etcd_expired());
        TempDir outside;
        fs::create_directories(node / "/var");
        fs::remove_all(node / "/var/backups");
        fs::create_directory_symlink(absolute ? outside.path() : climbing_link("/var", outside.path()),
                                     node / "/var/backups");
        const auto before = node_files(node);
        const auto r = node.kubecert({"fix", "--yes", "--no-restart"});
        EXPECT_EQ(listing(outside.path()), "") << "stdout:\n" << r.out << "\nstderr:\n" << r.err;
        EXPECT_EQ(r.exit_code, 3) << r.err;
        EXPECT_NE(r.err.find("/var/backups"), std::string::npos) << r.err;
        EXPECT_EQ(changed_files(before, node_files(node)), "") << "a refused fix changes nothing";
    }
}

TEST(ConfinedWrites, BackupFolderLinkedInsideTheRootIsFollowedThere) {
    KubeadmTestNode node(etcd_expired());
    fs::create_directories(node / "/srv/backups");
    fs::remove_all(node / "/var/backups");
    fs::create_directories(node / "/var");
    fs::create_directory_symlink("/srv/backups", node / "/var/backups");
    const auto r = node.kubecert({"fix", "--yes", "--no-restart"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::string manifests;
    for (const auto& e : fs::directory_iterator(node / "/srv/backups/kubecert"))
        if (fs::exists(e.path() / "MANIFEST")) manifests += e.path().string();
    EXPECT_NE(manifests, "") << "the backup is in ROOT/srv/backups/kubecert";
    // The report names where the backup really is, so `kubecert restore` finds it.
    const auto report = kubeadm_report(r);
    bool named = false;
    for (const auto& a : report["actions"])
        if (a["backup"].is_string() && a["backup"].get<std::string>().rfind(node / "/srv/backups/kubecert/", 0) == 0)
            named = true;
    EXPECT_TRUE(named) << report["actions"].dump(1);
}

TEST(ConfinedWrites, PkiFolderLinkedOutOfTheRootIsAnErrorNamingIt) {
    for (const bool absolute : {true, false}) {
        SCOPED_TRACE(absolute ? "absolute link" : "relative link");
        KubeadmTestNode node;
        TempDir outside;
        // The node's real PKI moves out of the root; the node keeps a link to it.
        fs::copy(node / "/etc/kubernetes/pki", outside.path() + "/pki", fs::copy_options::recursive);
        fs::remove_all(node / "/etc/kubernetes/pki");
        fs::create_directory_symlink(absolute ? outside.path() + "/pki"
                                              : climbing_link("/etc/kubernetes", outside.path() + "/pki"),
                                     node / "/etc/kubernetes/pki");
        const auto r = node.kubecert({"audit"});
        EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
        const std::string all = r.out + r.err;
        EXPECT_NE(all.find("/etc/kubernetes/pki is a symbolic link to"), std::string::npos) << all;
        EXPECT_NE(all.find("does not exist inside --root"), std::string::npos) << all;
    }
}

// A loop swaps pki/etcd for a link to a folder outside the root while fixes
// renew the etcd certificates: whatever each fix ends with, the outside
// folder stays empty. Bounded: a few fixes, at most ~20 s.
TEST(ConfinedWrites, FolderSwappedForALinkOutDuringAFixNeverLeadsWritesOut) {
    for (const bool absolute : {true, false}) {
        SCOPED_TRACE(absolute ? "absolute link" : "relative link");
        KubeadmTestNode node(etcd_expired());
        TempDir outside;
        const std::string etcd = node / "/etc/kubernetes/pki/etcd";
        const std::string real = node / "/etc/kubernetes/pki/etcd.real";
        const std::string link = node / "/etc/kubernetes/pki/etcd.link";
        const std::string target = absolute ? outside.path() : climbing_link("/etc/kubernetes/pki", outside.path());
        std::atomic<bool> stop{false};
        std::atomic<int> swaps{0};
        std::thread swapper([&] {
            while (!stop.load()) {
                // Never a moment without pki/etcd: the folder and the link take turns by rename.
                if (::rename(etcd.c_str(), real.c_str()) != 0) continue;
                ::symlink(target.c_str(), link.c_str());
                ::rename(link.c_str(), etcd.c_str());
                std::this_thread::sleep_for(std::chrono::microseconds(200));
                ::rename(etcd.c_str(), link.c_str());
                ::unlink(link.c_str());
                ::rename(real.c_str(), etcd.c_str());
                std::this_thread::sleep_for(std::chrono::microseconds(200));
                ++swaps;
            }
        });
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(8);
        int runs = 0;
        while (runs < 3 && std::chrono::steady_clock::now() < deadline) {
            const auto r = node.kubecert({"fix", "--yes", "--no-restart"});
            ++runs;
            EXPECT_NE(r.exit_code, -1) << "kubecert hung or crashed: " << r.err;
            EXPECT_EQ(listing(outside.path()), "") << "run " << runs << " wrote outside the root:\n" << r.err;
        }
        stop = true;
        swapper.join();
        EXPECT_GT(swaps.load(), 0);
        EXPECT_EQ(listing(outside.path()), "");
        ASSERT_TRUE(fs::is_directory(etcd) && !fs::is_symlink(etcd));
        // With the folder left alone, the next fix recovers what was interrupted and completes.
        const auto done = node.kubecert({"fix", "--yes", "--no-restart"});
        EXPECT_EQ(done.exit_code, 0) << done.err;
        EXPECT_EQ(listing(outside.path()), "");
    }
}
