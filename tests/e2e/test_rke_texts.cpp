// Issue 11, point 7 for the rke plugin: evidence and remediation that match the node.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "pki.hpp"
#include "servers.hpp"
#include "test_support.hpp"

using namespace kubecert::test;

namespace {

nlohmann::json finding_of(const nlohmann::json& report, const std::string& id) {
    for (const auto& f : report.value("findings", nlohmann::json::array()))
        if (f.value("id", "") == id) return f;
    return nullptr;
}

CertSpec spec(const std::string& cn, bool ca) {
    CertSpec s;
    s.common_name = cn;
    s.not_before = now_seconds() - 10 * k_day;
    s.not_after = now_seconds() + 300 * k_day;
    s.is_ca = ca;
    s.server_auth = !ca;
    s.key_type = "ec";
    return s;
}

} // namespace

// rke.served-cert-matches-disk checks the port against the file: the served fingerprint is the
// actual value, the one on disk the expected one.
TEST(RkeTexts, ServedFingerprintIsActualAndDiskFingerprintExpected) {
    TempDir root, state;
    const KeyPair ca = make_self_signed(spec("kube-ca", true));
    const KeyPair on_disk = make_signed(spec("kube-kubelet", false), ca);
    const KeyPair served = make_signed(spec("kube-kubelet", false), ca);
    write_file(root / "/etc/kubernetes/ssl/kube-ca.pem", ca.cert_pem);
    write_file(root / "/etc/kubernetes/ssl/kube-kubelet-127-0-0-1.pem", on_disk.cert_pem);
    write_file(root / "/etc/kubernetes/ssl/kube-kubelet-127-0-0-1-key.pem", on_disk.key_pem, 0600);
    write_file(state.path() + "/served.crt", served.cert_pem);
    write_file(state.path() + "/served.key", served.key_pem, 0600);
    write_script(state.path() + "/bin", "docker", "#!/bin/sh\nexit 1\n");
    TlsServer port(state.path() + "/served.crt", state.path() + "/served.key");
    const auto r = run_kubecert({"--root", root.path(), "--flavor", "rke", "--format", "json", "--rke-kubelet-address",
                                 port.address(), "audit"},
                                {{"PATH", path_with(state.path() + "/bin")}});
    const auto j = nlohmann::json::parse(r.out);
    const auto f = finding_of(j, "rke.served-cert-matches-disk");
    ASSERT_TRUE(f.is_object()) << r.out << r.err;
    EXPECT_EQ(f.value("status", ""), "FAIL") << f.dump(1);
    std::string served_fp, served_expected, disk_fp, disk_expected;
    for (const auto& e : f["evidence"]) {
        if (e.value("key", "") != "sha256 fingerprint") continue;
        if (e.value("source", "") == port.address()) {
            served_fp = e.value("actual", "");
            served_expected = e.value("expected", "");
        } else {
            disk_fp = e.value("actual", "");
            disk_expected = e.value("expected", "");
        }
    }
    EXPECT_FALSE(served_fp.empty()) << f.dump(1);
    EXPECT_FALSE(disk_fp.empty()) << f.dump(1);
    EXPECT_NE(served_fp, disk_fp);
    EXPECT_EQ(served_expected, disk_fp) << "the port is expected to serve the file's certificate";
    EXPECT_EQ(disk_expected, "") << "the file is the reference, not the thing checked";
}

TEST(RkeTexts, MissingClusterConfigSaysItWasLookedForUnderTheRoot) {
    TempDir root;
    const auto r = run_kubecert({"--root", root.path(), "--flavor", "rke", "--format", "json", "--rke-cluster-config",
                                 "/home/admin/cluster.yml", "audit"});
    EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
    const auto f = finding_of(nlohmann::json::parse(r.out), "rke.generate-serving-cert");
    EXPECT_EQ(f.value("status", ""), "ERROR");
    EXPECT_NE(f.dump().find("looked for under --root"), std::string::npos) << f.dump(1);
}
