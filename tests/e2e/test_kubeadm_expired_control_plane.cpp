// End-to-end: a kubeadm control plane whose certificates and kubelet client certificate all
// expired a week ago (API server down) comes back with one `kubecert fix --yes`, checked the way
// an operator would: openssl verify, key match, a mutual-TLS handshake on loopback.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <regex>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include <kubecert/util/base64.hpp>

#include "kubeadm_node.hpp"
#include "servers.hpp"

using namespace kubecert::test;
using nlohmann::json;

namespace {

constexpr const char* k_current = "/var/lib/kubelet/pki/kubelet-client-current.pem";

ProcResult openssl(const std::vector<std::string>& args, const std::string& input = "", int timeout_seconds = 30) {
    std::vector<std::string> argv = {"openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, {}, input, timeout_seconds);
}

std::string openssl_ok(const std::vector<std::string>& args) {
    const auto r = openssl(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
    return r.out;
}

unsigned mode_of(const std::string& file) {
    struct stat st {};
    EXPECT_EQ(::stat(file.c_str(), &st), 0) << file;
    return st.st_mode & 07777;
}

std::string status(const json& findings, const std::string& id) {
    const auto f = kubeadm_finding(findings, id);
    return f.is_null() ? "absent" : f.value("status", "");
}

// Writes a kubeconfig's embedded client certificate and key to DIR/NAME.crt and DIR/NAME.key (0600).
void extract_credentials(const std::string& kubeconfig, const std::string& dir, const std::string& name) {
    const auto user = YAML::LoadFile(kubeconfig)["users"][0]["user"];
    const auto cert = kubecert::util::base64_decode(user["client-certificate-data"].as<std::string>());
    const auto key = kubecert::util::base64_decode(user["client-key-data"].as<std::string>());
    ASSERT_TRUE(cert && key) << kubeconfig;
    write_file(dir + "/" + name + ".crt", *cert);
    write_file(dir + "/" + name + ".key", *key, 0600);
}

// `cert` verifies against `ca` (openssl verify at the real clock) and `key` is its key.
void expect_valid_pair(const std::string& cert, const std::string& key, const std::string& ca) {
    const auto v = openssl({"verify", "-CAfile", ca, cert});
    EXPECT_EQ(v.exit_code, 0) << cert << ": " << v.out << v.err;
    EXPECT_NE(v.out.find(": OK"), std::string::npos) << cert << ": " << v.out;
    EXPECT_EQ(openssl_ok({"pkey", "-in", key, "-pubout"}), openssl_ok({"x509", "-in", cert, "-noout", "-pubkey"}))
        << cert << " and " << key << " do not match";
}

// A mutual-TLS handshake on 127.0.0.1: s_server presents server_cert and demands a client
// certificate signed by `ca`; s_client presents client_cert and checks the server's. True when
// the server answered an HTTP request over it (both sides accepted each other). Bounded in time.
bool mutual_tls(const std::string& server_cert, const std::string& server_key, const std::string& client_cert,
                const std::string& client_key, const std::string& ca, std::string* log) {
    TlsServer server(server_cert, server_key, {"-CAfile", ca, "-Verify", "1", "-verify_return_error", "-www"});
    const auto r = openssl({"s_client", "-connect", server.address(), "-cert", client_cert, "-key", client_key,
                            "-CAfile", ca, "-verify_return_error", "-ign_eof", "-quiet"},
                           "GET / HTTP/1.0\r\n\r\n", 15);
    if (log) *log = "exit " + std::to_string(r.exit_code) + "\n" + r.out.substr(0, 400) + "\n" + r.err;
    return r.exit_code == 0 && r.out.find("HTTP/1.0 200 ok") != std::string::npos;
}

KubeadmNodeSpec expired_control_plane(bool embedded) {
    KubeadmNodeSpec spec;
    spec.default_days = -7;
    spec.kubelet_client_days = -7;
    spec.kubelet_client_key_type = "ec";
    spec.kubelet_client_embedded = embedded;
    return spec;
}

// What the renewed kubelet client certificate must be; returns the dated file's node path.
std::string expect_kubelet_client_renewed(const KubeadmTestNode& node, const std::string& old_target) {
    const auto link = node / k_current;
    std::error_code ec;
    EXPECT_TRUE(std::filesystem::is_symlink(link, ec)) << link;
    const std::string target = std::filesystem::read_symlink(link, ec).string();
    EXPECT_TRUE(std::regex_match(target, std::regex(R"(/var/lib/kubelet/pki/kubelet-client-\d{4}(-\d\d){5}\.pem)")))
        << target;
    EXPECT_NE(target, old_target);
    const auto file = node / target;
    EXPECT_EQ(mode_of(file), 0600u);
    const auto pem = read_file(file);
    EXPECT_LT(pem.find("BEGIN CERTIFICATE"), pem.find("PRIVATE KEY")) << "certificate first, then key";
    expect_valid_pair(file, file, node / "/etc/kubernetes/pki/ca.crt");
    const auto subject = openssl_ok({"x509", "-in", file, "-noout", "-subject", "-nameopt", "RFC2253"});
    EXPECT_NE(subject.find("CN=system:node:cp-1"), std::string::npos) << subject;
    EXPECT_NE(subject.find("O=system:nodes"), std::string::npos) << subject;
    const auto usages = openssl_ok({"x509", "-in", file, "-noout", "-ext", "extendedKeyUsage,keyUsage"});
    EXPECT_NE(usages.find("TLS Web Client Authentication"), std::string::npos) << usages;
    EXPECT_EQ(usages.find("TLS Web Server Authentication"), std::string::npos) << usages;
    EXPECT_NE(usages.find("Digital Signature"), std::string::npos) << usages;
    EXPECT_EQ(usages.find("Key Encipherment"), std::string::npos) << usages;
    const auto text = openssl_ok({"x509", "-in", file, "-noout", "-text"});
    EXPECT_NE(text.find("prime256v1"), std::string::npos) << "an ECDSA P-256 key, as the kubelet makes";
    return target;
}

void recovers_with_one_fix(bool embedded) {
    KubeadmTestNode node(expired_control_plane(embedded));
    TempDir scratch;
    const auto pki = node / "/etc/kubernetes/pki";
    const auto admin = node / "/etc/kubernetes/admin.conf";
    const auto& s = scratch.path();

    // Before: the audit fails, and the API server's certificate no longer passes a handshake.
    const auto audit_before = node.kubecert({"audit"});
    EXPECT_EQ(audit_before.exit_code, 1) << audit_before.err;
    const auto kc_before =
        kubeadm_finding(kubeadm_report(audit_before)["findings"], "kubeadm.cert-expiry/kubelet-client");
    EXPECT_EQ(kc_before.value("status", ""), "FAIL");
    EXPECT_TRUE(kc_before.value("fixable", false)) << kc_before.dump(2);
    extract_credentials(admin, s, "admin-old");
    std::string log;
    EXPECT_FALSE(mutual_tls(pki + "/apiserver.crt", pki + "/apiserver.key", s + "/admin-old.crt", s + "/admin-old.key",
                            pki + "/ca.crt", &log))
        << "an expired pair must not pass:\n"
        << log;
    std::error_code ec;
    const std::string old_target = embedded ? "" : std::filesystem::read_symlink(node / k_current, ec).string();

    // One command, nothing else typed.
    const auto r = node.kubecert({"fix", "--yes"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    const auto report = kubeadm_report(r);
    EXPECT_EQ(status(report["after"], "kubeadm.cert-expiry/kubelet-client"), "PASS") << r.err;

    // The audit an operator runs next, at the real clock.
    const auto audit_after = node.kubecert({"audit"});
    EXPECT_EQ(audit_after.exit_code, 0) << audit_after.out << audit_after.err;

    // Every renewed certificate verifies against its CA and matches its key.
    for (const auto* f : {"apiserver", "apiserver-kubelet-client"})
        expect_valid_pair(pki + "/" + f + ".crt", pki + "/" + f + ".key", pki + "/ca.crt");
    expect_valid_pair(pki + "/front-proxy-client.crt", pki + "/front-proxy-client.key", pki + "/front-proxy-ca.crt");
    for (const auto* f : {"apiserver-etcd-client", "etcd/server", "etcd/peer", "etcd/healthcheck-client"})
        expect_valid_pair(pki + "/" + f + ".crt", pki + "/" + f + ".key", pki + "/etcd/ca.crt");
    for (const auto* f : {"admin.conf", "super-admin.conf", "controller-manager.conf", "scheduler.conf"}) {
        extract_credentials(node / (std::string("/etc/kubernetes/") + f), s, f);
        expect_valid_pair(s + "/" + f + ".crt", s + "/" + f + ".key", pki + "/ca.crt");
    }
    expect_kubelet_client_renewed(node, old_target);

    // kubelet.conf names the rotating file (kubeadm's procedure) when it embedded the certificate.
    const auto kubelet_user = YAML::LoadFile(node / "/etc/kubernetes/kubelet.conf")["users"][0]["user"];
    EXPECT_EQ(kubelet_user["client-certificate"].as<std::string>(""), k_current);
    EXPECT_EQ(kubelet_user["client-key"].as<std::string>(""), k_current);
    EXPECT_FALSE(kubelet_user["client-certificate-data"].IsDefined());
    EXPECT_FALSE(kubelet_user["client-key-data"].IsDefined());
    EXPECT_EQ(mode_of(node / "/etc/kubernetes/kubelet.conf"), 0600u);

    EXPECT_EQ(read_file(node / "/root/.kube/config"), read_file(admin));

    // The static pods were restarted the manual way, then the kubelet, checked active.
    EXPECT_NE(node.log("crictl").find("crictl ps"), std::string::npos);
    for (const auto* m : {"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"})
        EXPECT_TRUE(file_exists(node / (std::string("/etc/kubernetes/manifests/") + m + ".yaml"))) << m;
    const auto systemctl = node.log("systemctl");
    const auto restart_at = systemctl.find("systemctl restart kubelet");
    EXPECT_NE(restart_at, std::string::npos) << systemctl;
    EXPECT_NE(systemctl.find("systemctl is-active kubelet", restart_at), std::string::npos) << systemctl;
    // The report lists every step, the waits included (their polls as one action each).
    std::string commands;
    for (const auto& a : report["actions"])
        if (a.value("kind", "") == "command")
            commands += a.value("status", "") + " " + a.value("target", "") + " (" + a.value("detail", "") + ")\n";
    EXPECT_TRUE(std::regex_search(
        commands, std::regex("applied crictl ps \\(ran \\d+ times?, last exit code 0\\)\n"
                             "applied crictl ps \\(ran \\d+ times?, last exit code 0\\)\n"
                             "applied systemctl daemon-reload \\(\\)\n"
                             "applied systemctl restart kubelet \\(\\)\n"
                             "applied systemctl is-active kubelet \\(ran 4 times, last exit code 0\\)\n")))
        << commands;

    // The renewed API server and admin credentials accept each other; so does the kubelet's.
    EXPECT_TRUE(mutual_tls(pki + "/apiserver.crt", pki + "/apiserver.key", s + "/admin.conf.crt", s + "/admin.conf.key",
                           pki + "/ca.crt", &log))
        << log;
    const auto kubelet_file = node / std::filesystem::read_symlink(node / k_current, ec).string();
    EXPECT_TRUE(
        mutual_tls(pki + "/apiserver.crt", pki + "/apiserver.key", kubelet_file, kubelet_file, pki + "/ca.crt", &log))
        << log;

    // A second fix has nothing to do.
    const auto before = node_files(node);
    const auto again = node.kubecert({"fix", "--yes"});
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(changed_files(before, node_files(node)), "");
}

} // namespace

TEST(KubeadmExpiredControlPlane, OneFixBringsItBackWithTheKubeletClientSymlink) {
    recovers_with_one_fix(false);
}

TEST(KubeadmExpiredControlPlane, OneFixBringsItBackWithAnEmbeddedKubeletConf) {
    recovers_with_one_fix(true);
}

TEST(KubeadmExpiredControlPlane, KubeletThatDoesNotComeBackRollsTheLinkBack) {
    KubeadmTestNode node(expired_control_plane(false));
    write_script(node.bin.path(), "systemctl",
                 "#!/bin/sh\necho \"systemctl $*\" >> '" + node.bin.path() +
                     "/systemctl.log'\n[ \"$1\" = is-active ] && { echo failed; exit 3; }\nexit 0\n");
    std::error_code ec;
    const auto old_target = std::filesystem::read_symlink(node / k_current, ec).string();
    const auto old_files = node_files(node);
    const auto r = node.kubecert({"fix", "--yes", "--kubeadm-restart-timeout", "2s"});
    EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
    EXPECT_NE(r.err.find("the kubelet is not active"), std::string::npos) << r.err;
    EXPECT_EQ(std::filesystem::read_symlink(node / k_current, ec).string(), old_target);
    // Every file is as it was (the new dated file removed); the backup folder is new.
    std::string changed;
    for (const auto& line : [&] {
             std::vector<std::string> v;
             std::istringstream in(changed_files(old_files, node_files(node)));
             for (std::string l; std::getline(in, l);) v.push_back(l);
             return v;
         }())
        if (line.find("/var/backups/kubecert/") == std::string::npos) changed += line + "\n";
    EXPECT_EQ(changed, "");
}

TEST(KubeadmExpiredControlPlane, RestorePutsTheOldLinkBack) {
    KubeadmTestNode node(expired_control_plane(false));
    TempDir backup;
    std::error_code ec;
    const auto old_target = std::filesystem::read_symlink(node / k_current, ec).string();
    const auto r = node.kubecert({"fix", "--yes", "--no-restart", "--backup-dir", backup.path() + "/b"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(std::filesystem::read_symlink(node / k_current, ec).string(), old_target);
    const auto manifest = read_file(backup.path() + "/b/MANIFEST");
    EXPECT_NE(manifest.find(std::string(k_current) + "\tlinks" + k_current), std::string::npos) << manifest;
    const auto restored = run_kubecert({"--root", node.root.path(), "restore", backup.path() + "/b"});
    EXPECT_EQ(restored.exit_code, 0) << restored.err;
    EXPECT_EQ(std::filesystem::read_symlink(node / k_current, ec).string(), old_target);
    EXPECT_TRUE(std::filesystem::is_symlink(node / k_current, ec));
}

TEST(KubeadmExpiredControlPlane, WorkerWithoutCaKeyGetsTheManualProcedure) {
    KubeadmNodeSpec spec;
    spec.kubelet_client_days = -7;
    KubeadmTestNode node(spec);
    // A worker: kubelet.conf and the cluster CA certificate, nothing of the control plane.
    const auto k8s = node / "/etc/kubernetes";
    for (const auto& entry : std::filesystem::directory_iterator(k8s))
        if (entry.path().filename() != "kubelet.conf" && entry.path().filename() != "pki")
            std::filesystem::remove_all(entry.path());
    for (const auto& entry : std::filesystem::directory_iterator(k8s + "/pki"))
        if (entry.path().filename() != "ca.crt") std::filesystem::remove_all(entry.path());
    std::filesystem::remove_all(node / "/root/.kube");

    const auto audit = node.kubecert({"audit"});
    const auto f = kubeadm_finding(kubeadm_report(audit)["findings"], "kubeadm.cert-expiry/kubelet-client");
    EXPECT_EQ(f.value("status", ""), "FAIL") << audit.out << audit.err;
    EXPECT_FALSE(f.value("fixable", true));
    const auto remediation = f.value("remediation", "");
    EXPECT_NE(remediation.find("kubeadm kubeconfig user --org system:nodes --client-name system:node:cp-1"),
              std::string::npos)
        << remediation;
    EXPECT_NE(remediation.find("client-certificate: /var/lib/kubelet/pki/kubelet-client-current.pem"),
              std::string::npos)
        << remediation;

    const auto before = node_files(node);
    const auto r = node.kubecert({"fix", "--yes"});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_EQ(changed_files(before, node_files(node)), "");
    EXPECT_EQ(node.log("systemctl"), "");
    EXPECT_EQ(node.log("crictl"), "");
}
