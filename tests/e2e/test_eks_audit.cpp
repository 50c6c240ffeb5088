// End-to-end audits of EKS node layouts (AL2 bootstrap.sh, AL2023 nodeadm,
// 2018 AMIs, a kubelet seen only as a process) by the built kubecert binary.
#include <cstdio>

#include <gtest/gtest.h>

#include "pki.hpp"
#include "test_eks_node.hpp"

using namespace kubecert::test;
using namespace kubecert::test::eks;

namespace {

const std::string k_gate_key = "featureGates.RotateKubeletServerCertificate";

TEST(EksAudit, Al2AmiLayoutPasses) {
    EksNode node;
    node.al2();
    auto r = node.kubecert({"audit"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    const auto& fs = j["findings"];
    auto gate = finding(fs, "eks.rotate-server-cert");
    EXPECT_EQ(gate.value("status", ""), "PASS") << text_of(gate);
    EXPECT_EQ(gate.value("benchmark", ""), "CIS Amazon EKS Benchmark v1.8.0 3.2.9");
    EXPECT_NE(effective(gate, k_gate_key).find(k_config), std::string::npos) << text_of(gate);
    // Every source is named: the unit's ExecStart and the config file.
    EXPECT_NE(text_of(gate).find("/etc/systemd/system/kubelet.service"), std::string::npos) << text_of(gate);
    auto stb = finding(fs, "eks.server-tls-bootstrap");
    EXPECT_EQ(stb.value("status", ""), "PASS");
    EXPECT_NE(stb.value("remediation", "").find("kubectl get csr"), std::string::npos);
    // The AMI's kubeconfig authenticates with aws-iam-authenticator: no client certificate.
    auto client = finding(fs, "eks.rotate-client-cert");
    EXPECT_EQ(client.value("status", ""), "INFO");
    EXPECT_NE(text_of(client).find("aws-iam-authenticator"), std::string::npos);
    EXPECT_EQ(client.value("benchmark", ""), "CIS Amazon EKS Benchmark v1.8.0 3.2.8");
    EXPECT_EQ(status(fs, "eks.configz"), "INFO");
    EXPECT_EQ(status(fs, "eks.serving-cert-expiry"), "INFO");
    EXPECT_EQ(node.calls(), "") << "an audit runs no systemctl";
}

TEST(EksAudit, BenchmarkSelectsTheCitedNumbers) {
    EksNode node;
    node.al2();
    struct Case {
        std::string name, server, client;
    };
    for (const Case& c :
         {Case{"eks-1.0.1", "CIS Amazon EKS Benchmark v1.0.1 3.2.11", "CIS Amazon EKS Benchmark v1.0.1 3.2.10"},
          Case{"eks-1.2.0", "CIS Amazon EKS Benchmark v1.2.0 3.2.11", "CIS Amazon EKS Benchmark v1.2.0 3.2.10"},
          Case{"eks-1.5.0", "CIS Amazon EKS Benchmark v1.5.0 3.2.9", "CIS Amazon EKS Benchmark v1.5.0 3.2.8"},
          Case{"cis-1.12", "CIS Kubernetes Benchmark v1.12 4.2.11", "CIS Kubernetes Benchmark v1.12 4.2.10"},
          Case{"no-such-benchmark", "CIS Amazon EKS Benchmark v1.8.0 3.2.9",
               "CIS Amazon EKS Benchmark v1.8.0 3.2.8"}}) {
        auto r = node.kubecert({"--benchmark", c.name, "audit"});
        auto j = report(r);
        EXPECT_EQ(r.exit_code, 0) << c.name << r.err;
        EXPECT_EQ(finding(j["findings"], "eks.rotate-server-cert").value("benchmark", ""), c.server) << c.name;
        EXPECT_EQ(finding(j["findings"], "eks.rotate-client-cert").value("benchmark", ""), c.client) << c.name;
        if (c.name == "no-such-benchmark") {
            EXPECT_NE(r.err.find("no-such-benchmark"), std::string::npos) << r.err;
        }
    }
}

TEST(EksAudit, GateFalseInConfigFileFails) {
    EksNode node;
    node.al2();
    node.put(k_config, replace_once(node.get(k_config), "\"RotateKubeletServerCertificate\": true",
                                    "\"RotateKubeletServerCertificate\": false"));
    auto r = node.kubecert({"audit"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 1);
    auto f = finding(j["findings"], "eks.rotate-server-cert");
    EXPECT_EQ(f.value("status", ""), "FAIL");
    EXPECT_TRUE(f.value("fixable", false));
    EXPECT_EQ(effective(f, k_gate_key).rfind("false (from /etc/kubernetes/kubelet/kubelet-config.json)", 0), 0u)
        << text_of(f);
}

// The kubelet's code merges command-line feature gates over the config file (issue 11): the
// gate is on, and the file's false is a warning.
TEST(EksAudit, CommandLineFeatureGateWinsOverTheConfigFile) {
    EksNode node;
    node.al2(k_default_args + " --feature-gates=RotateKubeletServerCertificate=true");
    node.put(k_config, replace_once(node.get(k_config), "\"RotateKubeletServerCertificate\": true",
                                    "\"RotateKubeletServerCertificate\": false"));
    auto j = report(node.kubecert({"audit"}));
    auto f = finding(j["findings"], "eks.rotate-server-cert");
    EXPECT_EQ(f.value("status", ""), "WARN") << text_of(f);
    // Both sources are shown; the command line wins.
    EXPECT_NE(text_of(f).find(std::string(k_args_dropin) +
                              ":2 (KUBELET_ARGS) | --feature-gates RotateKubeletServerCertificate | true"),
              std::string::npos)
        << text_of(f);
    EXPECT_EQ(effective(f, k_gate_key).rfind("true (from " + std::string(k_args_dropin), 0), 0u) << text_of(f);
}

TEST(EksAudit, RotateServerCertificatesFalseInDropInOverridesTheFile) {
    EksNode node;
    node.al2(k_default_args + " --rotate-server-certificates=false");
    auto r = node.kubecert({"audit"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(status(j["findings"], "eks.rotate-server-cert"), "PASS");
    auto f = finding(j["findings"], "eks.server-tls-bootstrap");
    EXPECT_EQ(f.value("status", ""), "FAIL");
    EXPECT_TRUE(f.value("fixable", false));
    EXPECT_NE(
        effective(f, "serverTLSBootstrap").find("false (from " + std::string(k_args_dropin) + ":2 (KUBELET_ARGS))"),
        std::string::npos)
        << text_of(f);
    EXPECT_NE(text_of(f).find(std::string(k_config) + " | serverTLSBootstrap | true"), std::string::npos);
}

TEST(EksAudit, BogusRotateKubeletServerCertificateFlagFails) {
    EksNode node;
    node.al2(k_default_args + " --rotate-kubelet-server-certificate=true");
    auto r = node.kubecert({"audit"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 1);
    auto f = finding(j["findings"], "eks.rotate-server-cert");
    EXPECT_EQ(f.value("status", ""), "FAIL");
    EXPECT_TRUE(f.value("fixable", false));
    EXPECT_NE(f.value("remediation", "").find("not a kubelet flag"), std::string::npos);
    EXPECT_NE(f.value("remediation", "").find("refuses to start"), std::string::npos);
}

TEST(EksAudit, FlagsOnlyOnTheRunningProcess) {
    EksNode node;
    node.copy("kubelet-config.json", k_config);
    std::string cmdline = "/usr/bin/kubelet";
    for (const char* a : {"--config", "/etc/kubernetes/kubelet/kubelet-config.json", "--kubeconfig",
                          "/var/lib/kubelet/kubeconfig", "--rotate-server-certificates=false"})
        cmdline += std::string(1, '\0') + a;
    cmdline += std::string(1, '\0');
    node.put("/proc/4242/cmdline", cmdline);
    node.put("/proc/4242/comm", "kubelet\n");
    auto r = node.kubecert({"audit"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    auto f = finding(j["findings"], "eks.server-tls-bootstrap");
    EXPECT_EQ(f.value("status", ""), "FAIL");
    EXPECT_NE(effective(f, "serverTLSBootstrap").find("false (from /proc/4242/cmdline)"), std::string::npos)
        << text_of(f);
    // No file sets the flag: nothing kubecert could edit.
    EXPECT_FALSE(f.value("fixable", true));
    EXPECT_NE(f.value("remediation", "").find("cannot be edited"), std::string::npos) << f.value("remediation", "");
}

TEST(EksAudit, Al2023NodeadmConfigDirDropInsWin) {
    EksNode node;
    node.copy("al2023-kubelet.service", k_unit);
    node.put("/etc/eks/kubelet/environment",
             "NODEADM_KUBELET_ARGS=\"--node-ip=10.0.1.23 --hostname-override=i-1234567890abcdef0 "
             "--config=/etc/kubernetes/kubelet/config.json --config-dir=/etc/kubernetes/kubelet/config.json.d "
             "--kubeconfig=/var/lib/kubelet/kubeconfig --v=2\"\n");
    node.copy("nodeadm-kubelet-config-dir-expected-kubelet-config.json", "/etc/kubernetes/kubelet/config.json");
    node.copy("nodeadm-kubelet-config-dir-expected-kubelet-config-drop-in.json",
              "/etc/kubernetes/kubelet/config.json.d/40-nodeadm.conf");
    node.put("/etc/kubernetes/kubelet/config.json.d/50-custom.conf",
             "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nserverTLSBootstrap: false\n"
             "featureGates:\n  SomeOtherGate: true\n");
    auto j = report(node.kubecert({"audit"}));
    const auto& fs = j["findings"];
    auto gate = finding(fs, "eks.rotate-server-cert");
    EXPECT_EQ(gate.value("status", ""), "PASS") << text_of(gate);
    EXPECT_NE(effective(gate, k_gate_key).find("true (from /etc/kubernetes/kubelet/config.json)"), std::string::npos);
    EXPECT_NE(text_of(gate).find("/etc/eks/kubelet/environment:1 (NODEADM_KUBELET_ARGS)"), std::string::npos)
        << text_of(gate);
    auto stb = finding(fs, "eks.server-tls-bootstrap");
    EXPECT_EQ(stb.value("status", ""), "FAIL");
    EXPECT_NE(
        effective(stb, "serverTLSBootstrap").find("false (from /etc/kubernetes/kubelet/config.json.d/50-custom.conf)"),
        std::string::npos)
        << text_of(stb);
}

TEST(EksAudit, GateAbsentWarns) {
    EksNode node;
    node.al2();
    node.put(k_config, replace_once(node.get(k_config),
                                    "  \"featureGates\": {\n    \"RotateKubeletServerCertificate\": true\n  },\n", ""));
    auto r = node.kubecert({"audit"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 0) << "WARN alone does not fail";
    auto f = finding(j["findings"], "eks.rotate-server-cert");
    EXPECT_EQ(f.value("status", ""), "WARN");
    EXPECT_TRUE(f.value("fixable", false));
    EXPECT_NE(f.value("remediation", "").find("on by default"), std::string::npos);
    // CIS Kubernetes 1.12's test passes when the gate is not set to false.
    auto cis = report(node.kubecert({"--benchmark", "cis-1.12", "audit"}));
    EXPECT_EQ(status(cis["findings"], "eks.rotate-server-cert"), "PASS");
}

TEST(EksAudit, November2018AmiLacksServerTlsBootstrap) {
    EksNode node;
    node.copy("2018-67053cf-kubelet.service", k_unit);
    node.copy("2018-67053cf-kubelet-config.json", "/etc/systemd/system/kubelet.service.d/kubelet-config.json");
    node.put(k_args_dropin, args_dropin("--node-ip=10.0.1.23"));
    auto r = node.kubecert({"audit"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 1);
    auto gate = finding(j["findings"], "eks.rotate-server-cert");
    EXPECT_EQ(gate.value("status", ""), "PASS") << text_of(gate);
    EXPECT_NE(effective(gate, k_gate_key).find("/etc/systemd/system/kubelet.service.d/kubelet-config.json"),
              std::string::npos);
    auto stb = finding(j["findings"], "eks.server-tls-bootstrap");
    EXPECT_EQ(stb.value("status", ""), "FAIL");
    EXPECT_NE(effective(stb, "serverTLSBootstrap").find("not set"), std::string::npos);
}

TEST(EksAudit, June2018AllFlagsUnit) {
    EksNode node;
    node.copy("2018-19279be-kubelet.service", k_unit);
    auto r = node.kubecert({"audit"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 1);
    auto gate = finding(j["findings"], "eks.rotate-server-cert");
    EXPECT_EQ(gate.value("status", ""), "PASS") << text_of(gate);
    EXPECT_NE(effective(gate, k_gate_key).find("true (from /etc/systemd/system/kubelet.service:8)"), std::string::npos)
        << text_of(gate);
    auto stb = finding(j["findings"], "eks.server-tls-bootstrap");
    EXPECT_EQ(stb.value("status", ""), "FAIL");
    EXPECT_TRUE(stb.value("fixable", false)) << "fix adds --rotate-server-certificates=true to ExecStart";
    EXPECT_NE(text_of(stb).find("no --config"), std::string::npos) << text_of(stb);
}

TEST(EksAudit, MalformedConfigIsAnErrorNamingFileAndLine) {
    EksNode node;
    node.al2();
    node.put(k_config, "{\n  \"kind\": \"KubeletConfiguration\",\n  \"featureGates\": {\n    "
                       "\"RotateKubeletServerCertificate\": tru\n  }\n}\n");
    auto before = node_files(node);
    for (const char* cmd : {"audit", "fix"}) {
        std::vector<std::string> args{cmd};
        if (std::string(cmd) == "fix") args.push_back("--yes");
        auto r = node.kubecert(args);
        auto j = report(r);
        EXPECT_EQ(r.exit_code, 3) << cmd;
        auto f = finding(j["findings"], "eks.rotate-server-cert");
        EXPECT_EQ(f.value("status", ""), "ERROR");
        EXPECT_NE(text_of(f).find("/etc/kubernetes/kubelet/kubelet-config.json:4:"), std::string::npos) << text_of(f);
    }
    EXPECT_EQ(node_files(node), before);
    EXPECT_EQ(node.calls(), "");
}

TEST(EksAudit, MalformedUnitDropInIsAnErrorNamingFileAndLine) {
    EksNode node;
    node.al2();
    node.put(k_args_dropin, "[Service]\nEnvironment='KUBELET_ARGS=--v=2'\nthis is not a unit line\n");
    auto before = node_files(node);
    auto r = node.kubecert({"fix", "--yes"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 3);
    auto f = finding(j["findings"], "eks.server-tls-bootstrap");
    EXPECT_EQ(f.value("status", ""), "ERROR");
    EXPECT_NE(text_of(f).find(std::string(k_args_dropin) + ":3"), std::string::npos) << text_of(f);
    EXPECT_EQ(node_files(node), before);
    EXPECT_EQ(node.calls(), "");
}

TEST(EksAudit, ServingAndClientCertificateExpiry) {
    EksNode node;
    node.al2();
    const auto now = now_seconds();
    auto ca = make_self_signed(
        {.common_name = "kubernetes", .not_before = now - 400 * k_day, .not_after = now + 3000 * k_day, .is_ca = true});
    auto server = make_signed({.common_name = "system:node:ip-10-0-1-23",
                               .not_before = now - 40 * k_day,
                               .not_after = now - k_day,
                               .server_auth = true},
                              ca);
    auto client = make_signed({.common_name = "system:node:ip-10-0-1-23",
                               .organizations = {"system:nodes"},
                               .not_before = now - 300 * k_day,
                               .not_after = now + 10 * k_day,
                               .client_auth = true},
                              ca);
    node.put("/var/lib/kubelet/pki/kubelet-server-current.pem", server.cert_pem + server.key_pem);
    node.put("/var/lib/kubelet/pki/kubelet-client-current.pem", client.cert_pem + client.key_pem);
    auto r = node.kubecert({"audit"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 1);
    auto f = finding(j["findings"], "eks.serving-cert-expiry");
    EXPECT_EQ(f.value("status", ""), "FAIL") << text_of(f);
    EXPECT_NE(text_of(f).find("/var/lib/kubelet/pki/kubelet-server-current.pem"), std::string::npos);
    EXPECT_NE(text_of(f).find("/var/lib/kubelet/pki/kubelet-client-current.pem"), std::string::npos);
    std::map<std::string, std::string> certs;
    for (const auto& c : j["certificates"]) certs[c.value("name", "")] = c.value("path", "");
    EXPECT_EQ(certs["kubelet-server"], "/var/lib/kubelet/pki/kubelet-server-current.pem");
    EXPECT_EQ(certs["kubelet-client"], "/var/lib/kubelet/pki/kubelet-client-current.pem");

    // Only the client certificate, inside the 30-day window: WARN.
    std::remove(node.path("/var/lib/kubelet/pki/kubelet-server-current.pem").c_str());
    auto j2 = report(node.kubecert({"audit"}));
    EXPECT_EQ(status(j2["findings"], "eks.serving-cert-expiry"), "WARN");
    auto j3 = report(node.kubecert({"--warn-within", "5d", "audit"}));
    EXPECT_EQ(status(j3["findings"], "eks.serving-cert-expiry"), "PASS");
}

TEST(EksAudit, BogusFlagInKubeletExtraArgsDropIn) {
    EksNode node;
    node.al2();
    node.put(
        "/etc/systemd/system/kubelet.service.d/30-kubelet-extra-args.conf",
        "[Service]\nEnvironment='KUBELET_EXTRA_ARGS=--node-labels=team=a --rotate-kubelet-server-certificate=true'\n");
    auto j = report(node.kubecert({"audit"}));
    auto f = finding(j["findings"], "eks.rotate-server-cert");
    EXPECT_EQ(f.value("status", ""), "FAIL");
    EXPECT_NE(
        text_of(f).find("/etc/systemd/system/kubelet.service.d/30-kubelet-extra-args.conf:2 (KUBELET_EXTRA_ARGS) | "
                        "--rotate-kubelet-server-certificate"),
        std::string::npos)
        << text_of(f);
}

// A false gate on the command line turns the gate off whatever the file says: the finding says it
// is off (not "overridden"), and the fix drops the false.
TEST(EksAudit, FalseCommandLineGateTurnsTheGateOff) {
    EksNode node;
    node.al2(k_default_args + " --feature-gates=RotateKubeletServerCertificate=false");
    auto j = report(node.kubecert({"audit"}));
    auto f = finding(j["findings"], "eks.rotate-server-cert");
    EXPECT_EQ(f.value("status", ""), "FAIL") << text_of(f);
    EXPECT_TRUE(f.value("fixable", false));
    EXPECT_EQ(effective(f, k_gate_key).rfind("false (from " + std::string(k_args_dropin), 0), 0u) << text_of(f);
    EXPECT_NE(f.value("remediation", "").find("is off"), std::string::npos) << text_of(f);
    EXPECT_EQ(f.value("remediation", "").find("overrid"), std::string::npos) << text_of(f);
}

TEST(EksAudit, ClientCertificateKubeconfigWithRotationOff) {
    EksNode node;
    node.al2();
    node.put(
        "/var/lib/kubelet/kubeconfig",
        "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://example\n  name: k\n"
        "contexts:\n- context:\n    cluster: k\n    user: kubelet\n  name: kubelet\ncurrent-context: kubelet\n"
        "users:\n- name: kubelet\n  user:\n    client-certificate: /var/lib/kubelet/pki/kubelet-client-current.pem\n"
        "    client-key: /var/lib/kubelet/pki/kubelet-client-current.pem\n");
    node.put(k_config, replace_once(node.get(k_config), "\"serverTLSBootstrap\": true,",
                                    "\"serverTLSBootstrap\": true,\n  \"rotateCertificates\": false,"));
    auto r = node.kubecert({"fix", "--yes"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    auto f = finding(j["findings"], "eks.rotate-client-cert");
    EXPECT_EQ(f.value("status", ""), "FAIL") << text_of(f);
    EXPECT_EQ(status(j["after"], "eks.rotate-client-cert"), "PASS");
    EXPECT_NE(node.get(k_config).find("\"rotateCertificates\": true,"), std::string::npos);
}

TEST(EksAudit, AutoFlavorDetectsEksNodes) {
    EksNode node;
    node.al2();
    auto r =
        run_kubecert({"--root", node.root.path(), "--format", "json", "audit"}, {{"PATH", path_with(node.bin.path())}});
    auto j = report(r);
    EXPECT_EQ(status(j["findings"], "eks.rotate-server-cert"), "PASS") << r.err;

    // Only /etc/eks (an AL2023 node before nodeadm wrote the kubelet config) is enough.
    EksNode bare;
    bare.put("/etc/eks/kubelet/environment", "NODEADM_KUBELET_ARGS=\"--v=2\"\n");
    auto r2 =
        run_kubecert({"--root", bare.root.path(), "--format", "json", "audit"}, {{"PATH", path_with(bare.bin.path())}});
    bool eks_ran = false;
    for (const auto& f : report(r2).value("findings", nlohmann::json::array()))
        if (f.value("plugin", "") == "eks") eks_ran = true;
    EXPECT_TRUE(eks_ran) << r2.out << r2.err;
}

TEST(EksAudit, StaticTlsCertFileMeansRotationIsNotTheKubeletsJob) {
    EksNode node;
    node.al2();
    node.put(k_config,
             replace_once(
                 node.get(k_config), "\"serverTLSBootstrap\": true,",
                 "\"serverTLSBootstrap\": false,\n  \"tlsCertFile\": \"/etc/kubernetes/pki/kubelet-serving.crt\","));
    const auto now = now_seconds();
    auto cert = make_self_signed({.common_name = "ip-10-0-1-23",
                                  .not_before = now - k_day,
                                  .not_after = now + 200 * k_day,
                                  .server_auth = true});
    node.put("/etc/kubernetes/pki/kubelet-serving.crt", cert.cert_pem);
    auto r = node.kubecert({"audit"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    auto f = finding(j["findings"], "eks.server-tls-bootstrap");
    EXPECT_EQ(f.value("status", ""), "INFO") << text_of(f);
    EXPECT_NE(f.value("remediation", "").find("/etc/kubernetes/pki/kubelet-serving.crt"), std::string::npos);
    EXPECT_EQ(status(j["findings"], "eks.serving-cert-expiry"), "PASS");
    bool listed = false;
    for (const auto& c : j["certificates"])
        if (c.value("name", "") == "kubelet-server" && c.value("path", "") == "/etc/kubernetes/pki/kubelet-serving.crt")
            listed = true;
    EXPECT_TRUE(listed) << j["certificates"].dump(1);
}

} // namespace

// The kubelet decodes its config strictly: a setting of the wrong type stops it from starting, so it is
// malformed input (ERROR naming the file and key, exit 3), not "unset" and not "on".
TEST(EksAudit, WronglyTypedSettingsAreErrorsNamingFileAndKey) {
    struct Case {
        std::string from, to, id, message;
    };
    for (const Case& c :
         {Case{"\"serverTLSBootstrap\": true", "\"serverTLSBootstrap\": \"yes\"", "eks.server-tls-bootstrap",
               "/etc/kubernetes/kubelet/kubelet-config.json: serverTLSBootstrap must be a boolean (true or false), not "
               "\"yes\""},
          Case{"\"RotateKubeletServerCertificate\": true", "\"RotateKubeletServerCertificate\": 1",
               "eks.rotate-server-cert",
               "/etc/kubernetes/kubelet/kubelet-config.json: featureGates.RotateKubeletServerCertificate must be a "
               "boolean (true or false), not 1"}}) {
        EksNode node;
        node.al2();
        node.put(k_config, replace_once(node.get(k_config), c.from, c.to));
        const auto before = node.get(k_config);
        auto r = node.kubecert({"audit"});
        EXPECT_EQ(r.exit_code, 3) << r.err;
        auto f = finding(report(r)["findings"], c.id);
        EXPECT_EQ(f.value("status", ""), "ERROR") << c.to;
        EXPECT_NE(text_of(f).find(c.message), std::string::npos) << text_of(f);
        auto fixed = node.kubecert({"fix", "--yes"});
        EXPECT_EQ(fixed.exit_code, 3) << fixed.err;
        EXPECT_EQ(node.get(k_config), before) << "a fix on malformed input changes nothing";
    }
}
