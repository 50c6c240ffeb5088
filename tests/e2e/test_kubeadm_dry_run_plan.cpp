// End-to-end: `fix --dry-run` shows every step it would take, restarts included, in every
// report format, and previews the node as of --now.
#include <gtest/gtest.h>

#include <pugixml.hpp>

#include <kubecert/util/time.hpp>

#include "kubeadm_node.hpp"

using namespace kubecert::test;

namespace {

ProcResult kubecert_as(const KubeadmTestNode& node, const std::string& format, std::vector<std::string> args) {
    std::vector<std::string> all = {"--root", node.root.path(), "--flavor", "kubeadm", "--format", format};
    all.insert(all.end(), args.begin(), args.end());
    return run_kubecert(all,
                        {{"PATH", path_with(node.bin.path())}, {"HOME", "/home/alice"}, {"SUDO_USER", "\x01unset"}});
}

std::string status(const nlohmann::json& findings, const std::string& id) {
    const auto f = kubeadm_finding(findings, id);
    return f.is_null() ? "absent" : f.value("status", "");
}

KubeadmNodeSpec due_everywhere() {
    KubeadmNodeSpec spec;
    spec.leaf_days = {{"apiserver", -3}};
    spec.kubelet_client_days = -7;
    spec.rotate_certificates = false;
    return spec;
}

// The steps of the control-plane and kubelet restarts, as they appear in a report.
const std::vector<std::string> k_planned_steps = {"/etc/kubernetes/manifests/kube-apiserver.yaml",
                                                  "crictl ps",
                                                  "systemctl daemon-reload",
                                                  "systemctl restart kubelet",
                                                  "systemctl is-active kubelet",
                                                  "/var/lib/kubelet/pki/kubelet-client-current.pem"};

} // namespace

TEST(KubeadmDryRunPlan, EveryFormatListsTheRestartsAsPlannedCommands) {
    KubeadmTestNode node(due_everywhere());
    const auto before = node_files(node);
    for (const std::string format : {"text", "json", "junit"}) {
        const auto r = kubecert_as(node, format, {"fix", "--dry-run"});
        EXPECT_EQ(r.exit_code, 0) << format << ": " << r.err;
        for (const auto& step : k_planned_steps)
            EXPECT_NE(r.out.find(step), std::string::npos) << format << " lacks " << step << ":\n" << r.out;
        if (format == "junit") {
            pugi::xml_document doc;
            EXPECT_TRUE(doc.load_string(r.out.c_str())) << r.out;
            const std::string out = doc.select_node("//testsuite[@name='kubeadm']/system-out").node().text().get();
            EXPECT_NE(out.find("planned command: systemctl restart kubelet"), std::string::npos) << out;
        }
    }
    const auto j = kubeadm_report(kubecert_as(node, "json", {"fix", "--dry-run"}));
    std::string commands;
    for (const auto& a : j["actions"]) {
        EXPECT_EQ(a.value("status", ""), "planned") << a.dump();
        if (a.value("kind", "") == "command") commands += a.value("target", "") + "\n";
    }
    EXPECT_EQ(
        commands,
        "crictl ps\ncrictl ps\nsystemctl daemon-reload\nsystemctl restart kubelet\nsystemctl is-active kubelet\n");
    // The preview counts the planned steps as done.
    for (const auto* id :
         {"kubeadm.cert-expiry/apiserver", "kubeadm.cert-expiry/kubelet-client", "kubeadm.kubelet-client-rotation"})
        EXPECT_EQ(status(j["after"], id), "PASS") << id;
    // Prometheus describes the node as audited (it lists no actions) and still works.
    const auto prom = kubecert_as(node, "prometheus", {"fix", "--dry-run"});
    EXPECT_EQ(prom.exit_code, 0) << prom.err;
    EXPECT_NE(prom.out.find("kubecert_finding_status"), std::string::npos);
    // And nothing ran or changed.
    EXPECT_EQ(changed_files(before, node_files(node)), "");
    EXPECT_EQ(node.log("crictl"), "");
    EXPECT_EQ(node.log("systemctl"), "");
}

TEST(KubeadmDryRunPlan, PreviewAtNowIssuesAsOfNow) {
    KubeadmTestNode node; // every certificate has 300 days left
    const auto at = kubecert::util::format_rfc3339(now_seconds() + 400 * k_day);
    const auto before = node_files(node);
    const auto r = node.kubecert({"--now", at, "fix", "--dry-run"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto j = kubeadm_report(r);
    EXPECT_EQ(status(j["findings"], "kubeadm.cert-expiry/apiserver"), "FAIL");
    // Issued as of --now (valid a year from then), so the preview at --now passes.
    EXPECT_EQ(status(j["after"], "kubeadm.cert-expiry/apiserver"), "PASS") << r.err;
    EXPECT_EQ(status(j["after"], "kubeadm.cert-expiry/kubelet-client"), "PASS") << r.err;
    EXPECT_EQ(changed_files(before, node_files(node)), "");
    // A real fix at --now is refused: it would issue from the clock and contradict its own after-audit.
    const auto refused = node.kubecert({"--now", at, "fix", "--yes"});
    EXPECT_EQ(refused.exit_code, 2) << refused.err;
    EXPECT_EQ(changed_files(before, node_files(node)), "");
    EXPECT_EQ(node.log("systemctl"), "");
}
