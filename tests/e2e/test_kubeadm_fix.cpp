// End-to-end: `kubecert --flavor kubeadm fix` renews, restarts and refreshes on generated kubeadm nodes,
// checked with the openssl command line.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <ctime>
#include <filesystem>

#include <yaml-cpp/yaml.h>

#include <kubecert/util/base64.hpp>

#include "kubeadm_node.hpp"

using namespace kubecert::test;
using nlohmann::json;

namespace {

std::string openssl(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto r = run(argv, {}, "", 30);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
    return r.out;
}

// notAfter of a PEM certificate file, read by `openssl x509 -enddate`.
std::int64_t openssl_not_after(const std::string& file) {
    const auto out = openssl({"x509", "-in", file, "-noout", "-enddate"}); // notAfter=Nov 23 16:00:00 2027 GMT
    std::tm tm{};
    const auto eq = out.find('=');
    if (eq == std::string::npos || !strptime(out.c_str() + eq + 1, "%b %d %H:%M:%S %Y", &tm)) {
        ADD_FAILURE() << "unexpected enddate: " << out;
        return 0;
    }
    return timegm(&tm);
}

std::string subject_and_sans(const std::string& file) {
    return openssl({"x509", "-in", file, "-noout", "-subject", "-ext", "subjectAltName"});
}

// Writes the client certificate embedded in a kubeconfig to `out` (PEM).
YAML::Node kubeconfig_user(const std::string& file) {
    return YAML::LoadFile(file)["users"][0]["user"];
}

void extract_client_cert(const std::string& kubeconfig, const std::string& out) {
    const auto pem =
        kubecert::util::base64_decode(kubeconfig_user(kubeconfig)["client-certificate-data"].as<std::string>());
    ASSERT_TRUE(pem.has_value());
    write_file(out, *pem);
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

constexpr std::int64_t k_year = 365 * k_day;

std::string trim_newline(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
}

} // namespace

TEST(KubeadmFix, RenewsRestartsAndRefreshes) {
    KubeadmNodeSpec spec;
    spec.leaf_days = {{"apiserver", -3}, {"etcd-peer", 10}, {"admin.conf", -1}};
    spec.rotate_certificates = false;
    KubeadmTestNode node(spec);
    TempDir scratch;
    const auto pki = node / "/etc/kubernetes/pki";
    copy_file(pki + "/apiserver.crt", scratch.path() + "/old-apiserver.crt");
    const auto old_front_proxy = read_file(pki + "/front-proxy-client.crt");
    const auto old_admin = YAML::LoadFile(node / "/etc/kubernetes/admin.conf");

    const auto r = node.kubecert({"fix", "--yes"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto report = kubeadm_report(r);
    for (const auto* id :
         {"kubeadm.cert-expiry/apiserver", "kubeadm.cert-expiry/etcd-peer", "kubeadm.cert-expiry/admin.conf",
          "kubeadm.kubelet-client-rotation", "kubeadm.user-kubeconfig-current"})
        EXPECT_EQ(status(report["after"], id), "PASS") << id << "\n" << r.err;
    EXPECT_EQ(status(report["findings"], "kubeadm.cert-expiry/apiserver"), "FAIL");
    bool apiserver_action = false;
    for (const auto& a : report["actions"])
        apiserver_action = apiserver_action || a.value("finding", "") == "kubeadm.cert-expiry/apiserver";
    EXPECT_TRUE(apiserver_action) << report["actions"].dump(2);

    // The renewed apiserver certificate: one year, same identity, signed by the CA on disk, with its new key.
    const auto now = now_seconds();
    EXPECT_NEAR(double(openssl_not_after(pki + "/apiserver.crt")), double(now + k_year), double(k_day));
    EXPECT_EQ(subject_and_sans(pki + "/apiserver.crt"), subject_and_sans(scratch.path() + "/old-apiserver.crt"));
    EXPECT_NE(subject_and_sans(pki + "/apiserver.crt").find("DNS:kubernetes.default.svc"), std::string::npos);
    EXPECT_NE(openssl({"verify", "-CAfile", pki + "/ca.crt", pki + "/apiserver.crt"}).find("OK"), std::string::npos);
    EXPECT_EQ(openssl({"pkey", "-in", pki + "/apiserver.key", "-pubout"}),
              openssl({"x509", "-in", pki + "/apiserver.crt", "-noout", "-pubkey"}));
    EXPECT_EQ(mode_of(pki + "/apiserver.key"), 0600u);
    EXPECT_NE(openssl({"verify", "-CAfile", pki + "/etcd/ca.crt", pki + "/etcd/peer.crt"}).find("OK"),
              std::string::npos);
    EXPECT_EQ(openssl({"pkey", "-in", pki + "/etcd/peer.key", "-pubout"}),
              openssl({"x509", "-in", pki + "/etcd/peer.crt", "-noout", "-pubkey"}));
    // A certificate that was fine is left alone.
    EXPECT_EQ(read_file(pki + "/front-proxy-client.crt"), old_front_proxy);

    // admin.conf: new credentials, every other field kept; /root/.kube/config follows it.
    const auto admin_path = node / "/etc/kubernetes/admin.conf";
    const auto admin = YAML::LoadFile(admin_path);
    EXPECT_EQ(admin["current-context"].as<std::string>(), old_admin["current-context"].as<std::string>());
    EXPECT_EQ(admin["clusters"][0]["cluster"]["server"].as<std::string>(), "https://192.168.2.2:6443");
    EXPECT_EQ(admin["clusters"][0]["cluster"]["certificate-authority-data"].as<std::string>(),
              old_admin["clusters"][0]["cluster"]["certificate-authority-data"].as<std::string>());
    EXPECT_NE(admin["users"][0]["user"]["client-certificate-data"].as<std::string>(),
              old_admin["users"][0]["user"]["client-certificate-data"].as<std::string>());
    extract_client_cert(admin_path, scratch.path() + "/admin.crt");
    EXPECT_NEAR(double(openssl_not_after(scratch.path() + "/admin.crt")), double(now + k_year), double(k_day));
    EXPECT_NE(openssl({"verify", "-CAfile", pki + "/ca.crt", scratch.path() + "/admin.crt"}).find("OK"),
              std::string::npos);
    EXPECT_EQ(mode_of(admin_path), 0600u);
    EXPECT_EQ(kubeconfig_user(node / "/root/.kube/config")["client-certificate-data"].as<std::string>(),
              admin["users"][0]["user"]["client-certificate-data"].as<std::string>());

    // The kubelet now rotates its certificate; the comment kubeadm wrote is still there.
    const auto config = read_file(node / "/var/lib/kubelet/config.yaml");
    EXPECT_NE(config.find("rotateCertificates: true"), std::string::npos) << config;
    EXPECT_NE(config.find("# written by kubeadm"), std::string::npos) << config;

    // The restart went the manual way: crictl watched, manifests back, kubelet restarted.
    EXPECT_NE(node.log("crictl").find("crictl ps"), std::string::npos);
    for (const auto* m : {"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"})
        EXPECT_TRUE(file_exists(node / (std::string("/etc/kubernetes/manifests/") + m + ".yaml"))) << m;
    const auto systemctl = node.log("systemctl");
    EXPECT_NE(systemctl.find("systemctl daemon-reload"), std::string::npos) << systemctl;
    EXPECT_NE(systemctl.find("systemctl restart kubelet"), std::string::npos) << systemctl;

    // A second fix finds nothing to do and changes nothing.
    const auto before = node_files(node);
    const auto crictl_calls = node.log("crictl");
    const auto again = node.kubecert({"fix", "--yes"});
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(changed_files(before, node_files(node)), "");
    EXPECT_EQ(node.log("crictl"), crictl_calls);
}

TEST(KubeadmFix, RestartTimeoutPutsManifestsBackAndFails) {
    KubeadmNodeSpec spec;
    spec.leaf_days = {{"apiserver", -3}};
    KubeadmTestNode node(spec);
    node.install_crictl(true); // kube-apiserver never stops
    const auto old_cert = read_file(node / "/etc/kubernetes/pki/apiserver.crt");
    const auto r = node.kubecert({"fix", "--yes", "--kubeadm-restart-timeout", "2s"});
    EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
    for (const auto* m : {"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"})
        EXPECT_TRUE(file_exists(node / (std::string("/etc/kubernetes/manifests/") + m + ".yaml"))) << m;
    // The host rolled the renewal back.
    EXPECT_EQ(read_file(node / "/etc/kubernetes/pki/apiserver.crt"), old_cert);
    EXPECT_NE((r.out + r.err).find("kube-apiserver was still running"), std::string::npos) << r.out << r.err;
    // It polled for about the timeout, not more.
    const auto calls = node.log("crictl");
    const auto n = std::count(calls.begin(), calls.end(), '\n');
    EXPECT_GE(n, 2);
    EXPECT_LE(n, 5);
}

TEST(KubeadmFix, DryRunChangesNothing) {
    KubeadmNodeSpec spec;
    spec.leaf_days = {{"apiserver", -3}, {"admin.conf", -1}};
    spec.rotate_certificates = false;
    KubeadmTestNode node(spec);
    const auto before = node_files(node);
    const auto r = node.kubecert({"fix", "--dry-run"});
    EXPECT_NE(r.exit_code, 3) << r.err;
    EXPECT_EQ(changed_files(before, node_files(node)), "");
    EXPECT_EQ(node.log("crictl"), "");
    EXPECT_EQ(node.log("systemctl"), "");
    EXPECT_NE((r.out + r.err).find("would restart the control plane"), std::string::npos) << r.out << r.err;
    // The preview audit sees the renewed certificate.
    const auto report = kubeadm_report(r);
    EXPECT_EQ(status(report["after"], "kubeadm.cert-expiry/apiserver"), "PASS") << r.err;
}

TEST(KubeadmFix, RenewAllWithoutRestart) {
    KubeadmNodeSpec spec;
    spec.leaf_days = {{"scheduler.conf", -1}};
    KubeadmTestNode node(spec);
    const auto r =
        node.kubecert({"fix", "--yes", "--no-restart", "--kubeadm-renew-all", "--kubeadm-validity", "17520h"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto now = now_seconds();
    int renewed = 0;
    const auto pki = node / "/etc/kubernetes/pki";
    for (const auto* f : {"apiserver", "apiserver-etcd-client", "apiserver-kubelet-client", "front-proxy-client",
                          "etcd/server", "etcd/peer", "etcd/healthcheck-client"}) {
        EXPECT_NEAR(double(openssl_not_after(pki + "/" + f + ".crt")), double(now + 2 * k_year), double(k_day)) << f;
        ++renewed;
    }
    TempDir scratch;
    for (const auto* f : {"admin.conf", "super-admin.conf", "controller-manager.conf", "scheduler.conf"}) {
        extract_client_cert(node / (std::string("/etc/kubernetes/") + f), scratch.path() + "/c.crt");
        EXPECT_NEAR(double(openssl_not_after(scratch.path() + "/c.crt")), double(now + 2 * k_year), double(k_day)) << f;
        ++renewed;
    }
    EXPECT_EQ(renewed, 11);
    EXPECT_EQ(node.log("crictl"), "");
    EXPECT_EQ(node.log("systemctl"), "");
    // CAs are never renewed.
    EXPECT_EQ(read_file(pki + "/ca.crt"), node.pki.authorities.at("ca").cert_pem);
}

// `kubeadm certs renew all` renews a healthy node too; so must --kubeadm-renew-all, and the
// request reads as done afterwards (exit 0), not as "nothing to fix".
TEST(KubeadmFix, RenewAllOnAHealthyNodeRenewsEveryLeaf) {
    KubeadmTestNode node(KubeadmNodeSpec{});
    const auto audit = node.kubecert({"audit"});
    ASSERT_EQ(audit.exit_code, 0) << audit.out << audit.err;
    const auto before = openssl_not_after(node / "/etc/kubernetes/pki/apiserver.crt");

    const auto r =
        node.kubecert({"fix", "--yes", "--no-restart", "--kubeadm-renew-all", "--kubeadm-validity", "17520h"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    const auto report = json::parse(r.out);
    EXPECT_EQ(status(report["findings"], "kubeadm.renew-all"), "WARN");
    EXPECT_EQ(status(report["after"], "kubeadm.renew-all"), "PASS");
    // The new instance that audits after the fix knows from the host (kubecert.run.v1) what its fix did.
    EXPECT_EQ(kubeadm_finding(report["after"], "kubeadm.renew-all").value("title", ""),
              "every leaf certificate was renewed in this run (--kubeadm-renew-all)");
    const auto after = openssl_not_after(node / "/etc/kubernetes/pki/apiserver.crt");
    EXPECT_NEAR(double(after), double(now_seconds() + 2 * k_year), double(k_day));
    EXPECT_GT(after, before);
    TempDir scratch;
    extract_client_cert(node / "/etc/kubernetes/admin.conf", scratch.path() + "/c.crt");
    EXPECT_NEAR(double(openssl_not_after(scratch.path() + "/c.crt")), double(now_seconds() + 2 * k_year),
                double(k_day));
    // Without the flag, a healthy node has nothing to fix.
    const auto again = node.kubecert({"fix", "--yes", "--no-restart"});
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(openssl_not_after(node / "/etc/kubernetes/pki/apiserver.crt"), after);
}

// The preview of --kubeadm-renew-all reads as done in the audit after the dry run, and changes nothing.
TEST(KubeadmFix, RenewAllUnderDryRunPreviewsTheRequestAsDone) {
    KubeadmTestNode node(KubeadmNodeSpec{});
    const auto before = read_file(node / "/etc/kubernetes/pki/apiserver.crt");
    const auto r = node.kubecert({"fix", "--dry-run", "--kubeadm-renew-all"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    const auto report = kubeadm_report(r);
    EXPECT_EQ(status(report["findings"], "kubeadm.renew-all"), "WARN");
    const auto done = kubeadm_finding(report["after"], "kubeadm.renew-all");
    EXPECT_EQ(done.value("status", ""), "PASS") << done.dump();
    EXPECT_EQ(done.value("title", ""), "every leaf certificate was renewed in this run (--kubeadm-renew-all)");
    EXPECT_EQ(read_file(node / "/etc/kubernetes/pki/apiserver.crt"), before);
}

TEST(KubeadmFix, ExternallyManagedCaIsNotRenewed) {
    KubeadmNodeSpec spec;
    spec.leaf_days = {{"apiserver", -3}};
    KubeadmTestNode node(spec);
    std::filesystem::remove(node / "/etc/kubernetes/pki/ca.key");
    const auto before = node_files(node);
    const auto r = node.kubecert({"fix", "--yes"});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_EQ(changed_files(before, node_files(node)), "");
    EXPECT_EQ(status(kubeadm_report(r)["after"], "kubeadm.cert-expiry/apiserver"), "FAIL");
}

TEST(KubeadmFix, StaleUserKubeconfigIsRefreshedAndOthersLeftAlone) {
    KubeadmTestNode node;
    const auto& ca = node.pki.authorities.at("ca");
    CertSpec older;
    older.common_name = "kubernetes-admin";
    older.organizations = {"kubeadm:cluster-admins"};
    older.client_auth = true;
    older.not_before = now_seconds() - 300 * k_day;
    older.not_after = now_seconds() + 60 * k_day;
    const auto stale = make_signed(older, ca);
    const auto alice = node / "/home/alice/.kube/config";
    write_file(alice, make_kubeconfig("kubernetes-admin", stale, ca) + "# alice's notes\n", 0600);
    // root keeps a personal kubeconfig: signed by the same CA, but not a copy of admin.conf.
    CertSpec personal = older;
    personal.common_name = "root-operator";
    personal.organizations = {"ops"};
    const auto root_kubeconfig = make_kubeconfig("root-operator", make_signed(personal, ca), ca);
    write_file(node / "/root/.kube/config", root_kubeconfig, 0600);

    auto r = node.kubecert({"audit"});
    auto f = kubeadm_finding(kubeadm_report(r)["findings"], "kubeadm.user-kubeconfig-current");
    EXPECT_EQ(f.value("status", ""), "FAIL") << f.dump(2);
    EXPECT_TRUE(f.value("fixable", false));
    EXPECT_NE(evidence_text(f).find("/home/alice/.kube/config"), std::string::npos) << f.dump(2);
    EXPECT_NE(evidence_text(f).find("not a copy of admin.conf"), std::string::npos) << f.dump(2);

    r = node.kubecert({"fix", "--yes"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(status(kubeadm_report(r)["after"], "kubeadm.user-kubeconfig-current"), "PASS");
    const auto admin = YAML::LoadFile(node / "/etc/kubernetes/admin.conf");
    EXPECT_EQ(kubeconfig_user(alice)["client-certificate-data"].as<std::string>(),
              admin["users"][0]["user"]["client-certificate-data"].as<std::string>());
    EXPECT_NE(read_file(alice).find("# alice's notes"), std::string::npos);
    EXPECT_EQ(mode_of(alice), 0600u);
    EXPECT_EQ(read_file(node / "/root/.kube/config"), root_kubeconfig);
    EXPECT_EQ(node.log("crictl"), ""); // nothing of the control plane changed: no restart
}

TEST(KubeadmFix, CaKeyThatDoesNotBelongToTheCaSignsNothing) {
    KubeadmNodeSpec spec;
    spec.leaf_days = {{"front-proxy-client", -2}};
    KubeadmTestNode node(spec);
    CertSpec other;
    other.common_name = "stray";
    other.is_ca = true;
    other.not_before = now_seconds() - k_day;
    other.not_after = now_seconds() + 300 * k_day;
    write_file(node / "/etc/kubernetes/pki/front-proxy-ca.key", make_self_signed(other).key_pem, 0600);
    const auto before = node_files(node);
    const auto r = node.kubecert({"fix", "--yes"});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("does not belong to /etc/kubernetes/pki/front-proxy-ca.crt"), std::string::npos) << r.err;
    EXPECT_EQ(changed_files(before, node_files(node)), "");
}

TEST(KubeadmFix, RenewsOnAPkiOfKubeadmBeforeV119KeepingKeyEncodings) {
    // front-proxy-ca as kubeadm before v1.19 made it (no subjectKeyIdentifier), made with the openssl
    // CLI, ECDSA; its leaf RSA-2048 with a PKCS#8 key.
    KubeadmTestNode node;
    TempDir scratch;
    const auto pki = node / "/etc/kubernetes/pki";
    const KeyPair ca = openssl_ca(scratch.path(), "front-proxy-ca", "ec:P-256", false);
    ASSERT_FALSE(ca_has_subject_key_id(ca.cert_pem));
    const KeyPair leaf = openssl_leaf(scratch.path(), "front-proxy-client", ca, "rsa:2048", "pkcs8");
    write_file(pki + "/front-proxy-ca.crt", ca.cert_pem);
    write_file(pki + "/front-proxy-ca.key", ca.key_pem, 0600);
    write_file(pki + "/front-proxy-client.crt", leaf.cert_pem);
    write_file(pki + "/front-proxy-client.key", leaf.key_pem, 0600);

    const auto r = node.kubecert({"fix", "--yes", "--no-restart", "--kubeadm-renew-all"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    const auto cert = pki + "/front-proxy-client.crt", key = pki + "/front-proxy-client.key";
    EXPECT_NE(read_file(cert), leaf.cert_pem);
    EXPECT_EQ(trim_newline(openssl({"verify", "-CAfile", pki + "/front-proxy-ca.crt", cert})), cert + ": OK");
    EXPECT_EQ(read_file(key).rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
    EXPECT_EQ(openssl({"pkey", "-in", key, "-pubout"}), openssl({"x509", "-in", cert, "-noout", "-pubkey"}));
    EXPECT_NE(openssl({"rsa", "-in", key, "-check", "-noout"}).find("RSA key ok"), std::string::npos);
    EXPECT_NE(openssl({"pkey", "-in", key, "-noout", "-text"}).find("Private-Key: (2048 bit"), std::string::npos);
    EXPECT_EQ(mode_of(key), 0600u);
    // The other leaves keep kubeadm's PKCS#1 RSA keys.
    EXPECT_EQ(read_file(pki + "/apiserver.key").rfind("-----BEGIN RSA PRIVATE KEY-----\n", 0), 0u);
    EXPECT_EQ(trim_newline(openssl({"verify", "-CAfile", pki + "/ca.crt", pki + "/apiserver.crt"})),
              pki + "/apiserver.crt: OK");
}
