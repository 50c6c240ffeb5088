// End-to-end: files that are not files on a node (a FIFO, a device, a huge
// sparse file, an endless command line) give exit 3, a complete report naming
// the file, and no change, quickly.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "kubeadm_node.hpp"

using namespace kubecert::test;

namespace {

// The ERROR findings of a JSON report whose evidence mentions `text`.
int errors_mentioning(const nlohmann::json& report, const std::string& text) {
    int n = 0;
    for (const auto& f : report["findings"])
        if (f.value("status", "") == "ERROR" && evidence_text(f).find(text) != std::string::npos) ++n;
    return n;
}

} // namespace

TEST(HostileNodeFiles, AFifoForTheKubeletConfigIsAnErrorNotAHang) {
    KubeadmTestNode node;
    const auto config = node / "/var/lib/kubelet/config.yaml";
    std::filesystem::remove(config);
    ASSERT_EQ(::mkfifo(config.c_str(), 0644), 0);
    const auto before = node_files(node);

    const auto started = std::chrono::steady_clock::now();
    const auto audit = node.kubecert({"audit"});
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30)); // run() kills at 120 s
    EXPECT_EQ(audit.exit_code, 3) << audit.err;
    const auto report = kubeadm_report(audit);
    EXPECT_GE(errors_mentioning(report, "/var/lib/kubelet/config.yaml: refused, a FIFO where a file was expected"), 1)
        << report.dump(2);
    // The rest of the node is still audited: the report is complete.
    EXPECT_EQ(kubeadm_finding(report["findings"], "kubeadm.cert-expiry/apiserver").value("status", ""), "PASS");

    const auto fix = node.kubecert({"fix", "--yes", "--kubeadm-renew-all"});
    EXPECT_EQ(fix.exit_code, 3) << fix.err;
    EXPECT_EQ(changed_files(before, node_files(node)), "");
}

TEST(HostileNodeFiles, AHugeSparseKubeconfigIsRefusedWithoutReadingIt) {
    KubeadmTestNode node;
    const auto admin = node / "/etc/kubernetes/admin.conf";
    ASSERT_EQ(::truncate(admin.c_str(), 1ll << 30), 0);
    const auto audit = node.kubecert({"audit"});
    EXPECT_EQ(audit.exit_code, 3) << audit.err;
    const auto report = kubeadm_report(audit);
    EXPECT_GE(errors_mentioning(report, "/etc/kubernetes/admin.conf: refused, larger than the 4096 KiB"), 1)
        << report.dump(2);
    ASSERT_EQ(::truncate(admin.c_str(), 0), 0); // node_files() of the fixture would read it
}
