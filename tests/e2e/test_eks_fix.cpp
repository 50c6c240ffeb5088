// End-to-end fixes of EKS nodes: targeted edits, restart through a recording
// systemctl stand-in, dry-run, rollback when the kubelet does not come back.
#include <algorithm>

#include <gtest/gtest.h>

#include "test_eks_node.hpp"

using namespace kubecert::test;
using namespace kubecert::test::eks;

namespace {

const std::string k_gate_true = "\"RotateKubeletServerCertificate\": true";
const std::string k_gate_false = "\"RotateKubeletServerCertificate\": false";

std::vector<std::string> actions_of(const nlohmann::json& j, const std::string& field) {
    std::vector<std::string> v;
    for (const auto& a : j.value("actions", nlohmann::json::array())) v.push_back(a.value(field, ""));
    return v;
}

TEST(EksFix, GateFalseInFileIsSetTrueKeepingEverythingElse) {
    EksNode node;
    node.al2();
    const std::string original = read_file(ami("kubelet-config.json"));
    node.put(k_config, replace_once(original, k_gate_true, k_gate_false));
    auto r = node.kubecert({"fix", "--yes"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    // Byte for byte the AMI's file again: other keys, their order and the indentation kept.
    EXPECT_EQ(node.get(k_config), original);
    EXPECT_EQ(node.calls(), k_restart_calls);
    EXPECT_EQ(status(j["after"], "eks.rotate-server-cert"), "PASS");
    auto targets = actions_of(j, "target");
    EXPECT_NE(std::find(targets.begin(), targets.end(), k_config), targets.end()) << j["actions"].dump(1);
    for (const auto& s : actions_of(j, "status")) EXPECT_EQ(s, "applied");
}

TEST(EksFix, FeatureGatesObjectIsCreatedWhenTheGateIsAbsent) {
    EksNode node;
    node.al2();
    node.put(k_config,
             "{\n    \"kind\": \"KubeletConfiguration\",\n    \"apiVersion\": \"kubelet.config.k8s.io/v1beta1\",\n"
             "    \"serverTLSBootstrap\": true\n}\n");
    auto r = node.kubecert({"fix", "--yes"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(status(j["findings"], "eks.rotate-server-cert"), "WARN");
    EXPECT_EQ(status(j["after"], "eks.rotate-server-cert"), "PASS");
    auto cfg = nlohmann::ordered_json::parse(node.get(k_config));
    EXPECT_EQ(cfg["featureGates"]["RotateKubeletServerCertificate"], true);
    EXPECT_EQ(cfg.begin().key(), "kind");
    EXPECT_NE(node.get(k_config).find("\n    \"serverTLSBootstrap\": true"), std::string::npos) << node.get(k_config);
}

TEST(EksFix, RotateServerCertificatesFalseIsFlippedInTheDropIn) {
    EksNode node;
    node.al2(k_default_args + " --rotate-server-certificates=false --max-pods=58");
    auto r = node.kubecert({"fix", "--yes"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(node.get(k_args_dropin),
              args_dropin(k_default_args + " --rotate-server-certificates=true --max-pods=58"));
    EXPECT_EQ(node.get(k_config), read_file(ami("kubelet-config.json")));
    EXPECT_EQ(status(j["after"], "eks.server-tls-bootstrap"), "PASS");
}

TEST(EksFix, BogusFlagIsRemovedAndFalseCommandLineGateDropped) {
    EksNode node;
    node.al2("--node-ip=10.0.1.23 --rotate-kubelet-server-certificate=true "
             "--feature-gates=RotateKubeletServerCertificate=false,CSIMigration=true --v=2");
    auto r = node.kubecert({"fix", "--yes"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(status(j["findings"], "eks.rotate-server-cert"), "FAIL");
    EXPECT_EQ(node.get(k_args_dropin), args_dropin("--node-ip=10.0.1.23 --feature-gates=CSIMigration=true --v=2"));
    EXPECT_EQ(status(j["after"], "eks.rotate-server-cert"), "PASS");
}

TEST(EksFix, BogusFlagOnItsOwnExecStartLineIsRemovedWithTheLine) {
    EksNode node;
    node.al2();
    const std::string unit = read_file(ami("kubelet.service"));
    node.put(k_unit, replace_once(unit, "    $KUBELET_EXTRA_ARGS\n",
                                  "    $KUBELET_EXTRA_ARGS \\\n    --rotate-kubelet-server-certificate=true\n"));
    auto r = node.kubecert({"fix", "--yes"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(node.get(k_unit), unit);
}

TEST(EksFix, AllFlagsUnitGetsRotateServerCertificatesAppended) {
    EksNode node;
    node.copy("2018-19279be-kubelet.service", k_unit);
    const std::string unit = read_file(ami("2018-19279be-kubelet.service"));
    auto r = node.kubecert({"fix", "--yes"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(node.get(k_unit), replace_once(unit, "  --client-ca-file=CLIENT_CA_FILE\n",
                                             "  --client-ca-file=CLIENT_CA_FILE --rotate-server-certificates=true\n"));
    EXPECT_EQ(status(j["after"], "eks.server-tls-bootstrap"), "PASS");
}

TEST(EksFix, DryRunPrintsTheDiffAndChangesNothing) {
    EksNode node;
    node.al2(k_default_args + " --rotate-server-certificates=false");
    node.put(k_config, replace_once(read_file(ami("kubelet-config.json")), k_gate_true, k_gate_false));
    auto before = node_files(node);
    auto r = node.kubecert({"fix", "--dry-run"});
    auto j = report(r);
    EXPECT_EQ(node_files(node), before);
    const std::string diff = action_details(j);
    EXPECT_NE(diff.find("+Environment='KUBELET_ARGS=" + k_default_args + " --rotate-server-certificates=true'"),
              std::string::npos)
        << diff;
    EXPECT_NE(diff.find("-    \"RotateKubeletServerCertificate\": false"), std::string::npos) << diff;
    EXPECT_NE(diff.find("+    \"RotateKubeletServerCertificate\": true"), std::string::npos) << diff;
    // Only read-only systemctl calls would be allowed; the fix makes none under --dry-run.
    EXPECT_EQ(node.calls().find("restart"), std::string::npos) << node.calls();
    EXPECT_EQ(node.calls().find("daemon-reload"), std::string::npos) << node.calls();
    // The after-audit previews the result.
    EXPECT_EQ(status(j["after"], "eks.rotate-server-cert"), "PASS");
    EXPECT_EQ(status(j["after"], "eks.server-tls-bootstrap"), "PASS");
}

TEST(EksFix, KubeletThatDoesNotComeBackIsRolledBack) {
    EksNode node;
    node.al2(k_default_args + " --rotate-server-certificates=false");
    node.put(k_config, replace_once(read_file(ami("kubelet-config.json")), k_gate_true, k_gate_false));
    node.kubelet_fails_to_start();
    auto before = node_files(node);
    auto r = node.kubecert({"--eks-restart-timeout", "2s", "fix", "--yes"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
    auto after = node_files(node);
    for (const auto& [path, content] : before) EXPECT_EQ(after[path], content) << path;
    const std::string calls = node.calls();
    EXPECT_EQ(calls.rfind("daemon-reload\nrestart kubelet\nis-active kubelet\nis-active kubelet\n", 0), 0u) << calls;
    // After the rollback: reload and restart once more with the previous files.
    EXPECT_NE(calls.find("is-active kubelet\ndaemon-reload\nrestart kubelet\n"), std::string::npos) << calls;
    bool rolled_back = false;
    for (const auto& a : j.value("actions", nlohmann::json::array()))
        if (a.value("kind", "") == "edit") {
            EXPECT_EQ(a.value("status", ""), "rolled_back") << a.dump();
            rolled_back = true;
        }
    EXPECT_TRUE(rolled_back) << j.dump(1);
}

TEST(EksFix, SecondFixChangesNothing) {
    EksNode node;
    node.al2(k_default_args + " --rotate-server-certificates=false");
    node.put(k_config, replace_once(read_file(ami("kubelet-config.json")), k_gate_true, k_gate_false));
    auto first = node.kubecert({"fix", "--yes"});
    ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
    const std::string calls = node.calls();
    auto snapshot = node_files(node);
    auto second = node.kubecert({"fix", "--yes"});
    auto j = report(second);
    EXPECT_EQ(second.exit_code, 0);
    EXPECT_EQ(node_files(node), snapshot);
    EXPECT_EQ(node.calls(), calls) << "no restart when nothing failed";
    EXPECT_TRUE(j.value("actions", nlohmann::json::array()).empty()) << j["actions"].dump(1);
}

TEST(EksFix, NoRestartEditsWithoutTouchingTheService) {
    EksNode node;
    node.al2();
    node.put(k_config, replace_once(read_file(ami("kubelet-config.json")), k_gate_true, k_gate_false));
    auto r = node.kubecert({"fix", "--yes", "--no-restart"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(node.get(k_config), read_file(ami("kubelet-config.json")));
    EXPECT_EQ(node.calls(), "");
}

TEST(EksFix, Al2023LastDropInThatSetsTheValueIsEdited) {
    EksNode node;
    node.copy("al2023-kubelet.service", k_unit);
    node.put("/etc/eks/kubelet/environment", "NODEADM_KUBELET_ARGS=\"--config=/etc/kubernetes/kubelet/config.json "
                                             "--config-dir=/etc/kubernetes/kubelet/config.json.d --v=2\"\n");
    node.copy("nodeadm-kubelet-config-dir-expected-kubelet-config.json", "/etc/kubernetes/kubelet/config.json");
    node.copy("nodeadm-kubelet-config-dir-expected-kubelet-config-drop-in.json",
              "/etc/kubernetes/kubelet/config.json.d/40-nodeadm.conf");
    const std::string yaml = "# operator override\nkind: KubeletConfiguration\nserverTLSBootstrap: false  # why not\n";
    node.put("/etc/kubernetes/kubelet/config.json.d/50-custom.conf", yaml);
    auto r = node.kubecert({"fix", "--yes"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(node.get("/etc/kubernetes/kubelet/config.json.d/50-custom.conf"),
              replace_once(yaml, "serverTLSBootstrap: false", "serverTLSBootstrap: true"));
    EXPECT_EQ(node.get("/etc/kubernetes/kubelet/config.json"),
              read_file(ami("nodeadm-kubelet-config-dir-expected-kubelet-config.json")));
    EXPECT_EQ(status(j["after"], "eks.server-tls-bootstrap"), "PASS");
}

TEST(EksFix, StaleRunningKubeletIsRestartedWithoutEdits) {
    EksNode node;
    node.al2();
    // The running kubelet still has a flag its unit no longer sets.
    std::string cmdline = "/usr/bin/kubelet";
    for (const char* a :
         {"--config", "/etc/kubernetes/kubelet/kubelet-config.json", "--rotate-server-certificates=false"})
        cmdline += std::string(1, '\0') + a;
    node.put("/proc/4242/cmdline", cmdline + std::string(1, '\0'));
    node.put("/proc/4242/comm", "kubelet\n");
    // The stand-in's restart replaces the process: it disappears from ROOT/proc.
    write_script(node.bin.path(), "systemctl",
                 "#!/bin/sh\necho \"$*\" >> '" + node.log_path() +
                     "'\n"
                     "if [ \"$1\" = restart ]; then rm -rf '" +
                     node.path("/proc/4242") +
                     "'; fi\n"
                     "if [ \"$1\" = is-active ]; then echo active; fi\nexit 0\n");
    const auto before = node_files(node);
    auto r = node.kubecert({"fix", "--yes"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    auto f = finding(j["findings"], "eks.server-tls-bootstrap");
    EXPECT_EQ(f.value("status", ""), "FAIL");
    EXPECT_TRUE(f.value("fixable", false));
    EXPECT_EQ(node.calls(), k_restart_calls);
    EXPECT_EQ(status(j["after"], "eks.server-tls-bootstrap"), "PASS");
    auto after = node_files(node);
    for (const auto& [path, content] : after)
        if (path.find("/proc/") == std::string::npos) {
            EXPECT_EQ(before.at(path), content) << path;
        }
}

TEST(EksFix, DryRunPreviewCountsThePlannedRestart) {
    EksNode node;
    node.al2();
    // The running kubelet still has a flag its unit no longer sets: only the restart fixes it.
    std::string cmdline = "/usr/bin/kubelet";
    for (const char* a :
         {"--config", "/etc/kubernetes/kubelet/kubelet-config.json", "--rotate-server-certificates=false"})
        cmdline += std::string(1, '\0') + a;
    node.put("/proc/4242/cmdline", cmdline + std::string(1, '\0'));
    node.put("/proc/4242/comm", "kubelet\n");
    const auto before = node_files(node);
    auto r = node.kubecert({"fix", "--dry-run"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(status(j["findings"], "eks.server-tls-bootstrap"), "FAIL");
    EXPECT_EQ(status(j["after"], "eks.server-tls-bootstrap"), "PASS") << j["after"].dump(2);
    std::string commands;
    for (const auto& a : j["actions"])
        if (a.value("kind", "") == "command") commands += a.value("status", "") + " " + a.value("target", "") + "\n";
    EXPECT_EQ(commands, "planned systemctl daemon-reload\nplanned systemctl restart kubelet\n"
                        "planned systemctl is-active kubelet\n");
    EXPECT_EQ(node.calls(), "");
    EXPECT_EQ(node_files(node), before);
}

} // namespace

// systemd says `active` the moment it starts a Type=simple kubelet; one that then exits on its new
// configuration (restart loop: `activating`) must still be rolled back.
TEST(EksFixRestart, KubeletThatIsActiveOnlyForAnInstantIsRolledBack) {
    EksNode node;
    node.al2();
    node.put(k_config, replace_once(read_file(ami("kubelet-config.json")), k_gate_true, k_gate_false));
    const auto before = node_files(node);
    write_script(node.bin.path(), "systemctl",
                 "#!/bin/sh\necho \"$*\" >> '" + node.log_path() +
                     "'\n"
                     "if [ \"$1\" = is-active ]; then\n"
                     "  n=$(grep -c is-active '" +
                     node.log_path() +
                     "')\n"
                     "  if [ \"$n\" = 1 ]; then echo active; exit 0; fi\n"
                     "  echo activating; exit 3\n"
                     "fi\nexit 0\n");
    auto r = node.kubecert({"--eks-restart-timeout", "3s", "fix", "--yes"});
    EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
    EXPECT_NE(r.err.find("the kubelet did not stay active"), std::string::npos) << r.err;
    auto after = node_files(node);
    for (const auto& [path, content] : before) EXPECT_EQ(after[path], content) << path;
}
