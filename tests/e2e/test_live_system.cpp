// Issue 11, point 2: nothing outside --root, live probes included. On a root
// that is not the running system (a mounted node image: ROOT/proc is no
// procfs), no command runs and no port is probed, whatever the plugin: a
// recording stand-in first on PATH and a listener counting connections on
// the kubelet port prove it. The same trees with --live-system yes (the
// positive control) do run and probe, so the test would see it if they did.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core_fixture.hpp"
#include "kubeadm_node.hpp"
#include "pki.hpp"
#include "test_support.hpp"

using namespace kubecert::test;

namespace {

// Accepts and counts TCP connections on ADDRESS:10250 (the kubelet's port,
// where the rke plugin looks by default), closing each at once.
class ConnectionCounter {
public:
    explicit ConnectionCounter(const std::string& address) {
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        ::setsockopt(m_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(10250);
        ::inet_pton(AF_INET, address.c_str(), &addr.sin_addr);
        if (::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(m_fd, 16) != 0) {
            ::close(m_fd);
            m_fd = -1;
            return;
        }
        m_thread = std::thread([this] {
            while (!m_stop) {
                pollfd p{m_fd, POLLIN, 0};
                if (::poll(&p, 1, 50) <= 0) continue;
                int c = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
                if (c >= 0) {
                    ++m_count;
                    ::close(c);
                }
            }
        });
    }
    ~ConnectionCounter() {
        m_stop = true;
        if (m_thread.joinable()) m_thread.join();
        if (m_fd >= 0) ::close(m_fd);
    }
    bool listening() const { return m_fd >= 0; }
    int count() const { return m_count; }

private:
    int m_fd = -1;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_count{0};
    std::thread m_thread;
};

// Recording stand-ins for every program a plugin may run, first on PATH.
struct StandIns {
    TempDir bin;
    StandIns() {
        for (const char* name : {"docker", "systemctl", "crictl", "rke", "kubectl"})
            write_script(bin.path(), name,
                         std::string("#!/bin/sh\necho \"") + name + " $*\" >> '" + bin.path() + "/calls.log'\n" +
                             (std::string(name) == "docker"
                                  ? "cat <<'EOF'\n[{\"Name\":\"/kubelet\",\"Path\":\"/opt/rke-tools/entrypoint.sh\","
                                    "\"Args\":[\"kubelet\",\"--v=2\"],\"State\":{\"Running\":true},"
                                    "\"Config\":{\"Image\":\"rancher/hyperkube:v1.24.9-rancher1\"}}]\nEOF\n"
                                  : ""));
    }
    std::string calls() const {
        const std::string log = bin.path() + "/calls.log";
        return file_exists(log) ? read_file(log) : "";
    }
};

nlohmann::json finding(const nlohmann::json& findings, const std::string& id) {
    for (const auto& f : findings)
        if (f.value("id", "") == id) return f;
    return nullptr;
}

std::string status(const nlohmann::json& findings, const std::string& id) {
    const auto f = finding(findings, id);
    return f.is_null() ? "(absent)" : f.value("status", "");
}

CertSpec leaf_spec(const std::string& cn, std::int64_t not_after, bool ca = false) {
    CertSpec s;
    s.common_name = cn;
    s.not_before = now_seconds() - 10 * k_day;
    s.not_after = not_after;
    s.is_ca = ca;
    s.server_auth = !ca;
    s.key_type = "ec";
    return s;
}

// An RKE node image (kube-ca.pem and kube-kubelet-127-0-0-2.pem in /etc/kubernetes/ssl)
// whose kubelet port, as --rke-node-address 127.0.0.2 names it, is 127.0.0.2:10250.
void write_rke_image(const TempDir& root, std::int64_t not_after) {
    const KeyPair ca = make_self_signed(leaf_spec("kube-ca", now_seconds() + 3650 * k_day, true));
    const KeyPair leaf = make_signed(leaf_spec("kube-kubelet", not_after), ca);
    write_file(root / "/etc/kubernetes/ssl/kube-ca.pem", ca.cert_pem);
    write_file(root / "/etc/kubernetes/ssl/kube-kubelet-127-0-0-2.pem", leaf.cert_pem);
    write_file(root / "/etc/kubernetes/ssl/kube-kubelet-127-0-0-2-key.pem", leaf.key_pem, 0600);
    write_file(root / "/etc/hostname", "node2\n");
    ::mkdir((root / "/proc").c_str(), 0755); // an image's /proc: an empty folder, no procfs
}

ProcResult kubecert_on(const TempDir& root, const StandIns& s, const std::string& live, std::vector<std::string> args) {
    std::vector<std::string> all{"--root", root.path(), "--format", "json"};
    all.insert(all.end(), args.begin(), args.end());
    return run_kubecert(all, {{"PATH", path_with(s.bin.path())}, {"KUBECERT_LIVE_SYSTEM", live}});
}

} // namespace

// Source of the layout: RKE's node certificate folder (docs/plugins/rke.md).
TEST(LiveSystem, MountedRkeImageRunsNoCommandAndProbesNoPort) {
    TempDir root;
    StandIns s;
    write_rke_image(root, now_seconds() + 300 * k_day);
    ConnectionCounter port("127.0.0.2");
    if (!port.listening()) GTEST_SKIP() << "127.0.0.2:10250 is taken on this machine";

    auto r = kubecert_on(root, s, "auto", {"--rke-node-address", "127.0.0.2", "audit"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    auto j = parse_report(r.out);
    EXPECT_EQ(status(j["findings"], "rke.generate-serving-cert"), "INFO");
    EXPECT_EQ(status(j["findings"], "rke.serving-cert-expiry"), "PASS");
    EXPECT_EQ(status(j["findings"], "rke.legacy-self-signed"), "PASS");
    const auto served = finding(j["findings"], "rke.served-cert-matches-disk");
    EXPECT_EQ(served.value("status", ""), "INFO") << served.dump(1);
    EXPECT_NE(served.dump().find("not the running system"), std::string::npos) << served.dump(1);
    EXPECT_EQ(s.calls(), "") << "no command may run on a mounted image";
    EXPECT_EQ(port.count(), 0) << "no port may be probed on a mounted image";

    // Positive control: told it is the running system, the same run asks docker and the port.
    auto live = kubecert_on(root, s, "yes", {"--rke-node-address", "127.0.0.2", "audit"});
    EXPECT_NE(s.calls().find("docker inspect kubelet"), std::string::npos) << live.err;
    EXPECT_GE(port.count(), 1);
}

TEST(LiveSystem, AnAddressTheUserGivesIsProbedEvenOnAnImage) {
    TempDir root;
    StandIns s;
    write_rke_image(root, now_seconds() + 300 * k_day);
    // Its own loopback address: the test above listens on 127.0.0.2 and ctest runs them in parallel.
    ConnectionCounter port("127.0.0.3");
    if (!port.listening()) GTEST_SKIP() << "127.0.0.3:10250 is taken on this machine";
    auto r = kubecert_on(root, s, "auto", {"--rke-kubelet-address", "127.0.0.3:10250", "audit"});
    EXPECT_GE(port.count(), 1) << r.err;
    EXPECT_EQ(s.calls(), "") << "commands still never run";
    auto j = parse_report(r.out);
    EXPECT_EQ(status(j["findings"], "rke.served-cert-matches-disk"), "ERROR") << "the listener speaks no TLS";
}

TEST(LiveSystem, FixOnAMountedRkeImagePlansNoLiveStep) {
    TempDir root;
    StandIns s;
    // A pre-1.0 RKE node: the kubelet's own certificate, expired.
    const KeyPair own_ca = make_self_signed(leaf_spec("node2-ca@1577836800", now_seconds() - k_day, true));
    KeyPair own = make_signed(leaf_spec("node2@1577836800", now_seconds() - k_day), own_ca);
    write_file(root / "/etc/kubernetes/ssl/kube-ca.pem", own_ca.cert_pem);
    write_file(root / "/var/lib/kubelet/pki/kubelet.crt", own.cert_pem + own_ca.cert_pem);
    write_file(root / "/var/lib/kubelet/pki/kubelet.key", own.key_pem, 0600);
    const auto before = snapshot_tree(root.path());
    auto r = kubecert_on(root, s, "auto", {"fix", "--yes"});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    auto j = parse_report(r.out);
    EXPECT_EQ(status(j["findings"], "rke.serving-cert-expiry"), "FAIL");
    EXPECT_FALSE(finding(j["findings"], "rke.serving-cert-expiry").value("fixable", true));
    EXPECT_TRUE(j["actions"].empty()) << j["actions"].dump(1);
    EXPECT_EQ(s.calls(), "");
    auto after = snapshot_tree(root.path());
    std::erase_if(after, [&](const auto& kv) { return kv.first.find("/run/kubecert/") != std::string::npos; });
    EXPECT_EQ(after, before);
}

// kubeadm's control plane (its packages' kubelet unit and drop-in) on a mounted image: the fix
// renews the certificate files under the root but restarts nothing.
TEST(LiveSystem, KubeadmFixOnAMountedImageRenewsFilesAndRestartsNothing) {
    KubeadmNodeSpec spec;
    spec.leaf_days["apiserver"] = -1;
    KubeadmTestNode node(spec);
    std::vector<std::string> args{"--root",   node.root.path(), "--flavor", "kubeadm",
                                  "--format", "json",           "fix",      "--yes"};
    auto r = run_kubecert(args, {{"PATH", path_with(node.bin.path())},
                                 {"HOME", "/home/alice"},
                                 {"SUDO_USER", "\x01unset"},
                                 {"KUBECERT_LIVE_SYSTEM", "\x01unset"}});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    auto j = parse_report(r.out);
    EXPECT_EQ(status(j["findings"], "kubeadm.cert-expiry/apiserver"), "FAIL");
    EXPECT_EQ(status(j["after"], "kubeadm.cert-expiry/apiserver"), "PASS");
    for (const auto& a : j["actions"]) EXPECT_EQ(a.value("kind", ""), "edit") << a.dump();
    EXPECT_EQ(node.log("systemctl"), "");
    EXPECT_EQ(node.log("crictl"), "");
    EXPECT_NE(r.err.find("not the running system"), std::string::npos) << r.err;
    // The manifests stay where they are (no control-plane restart by moving them out).
    EXPECT_TRUE(file_exists(node / "/etc/kubernetes/manifests/kube-apiserver.yaml"));
}

// A third party's plugin that ignores the rule still cannot run a command: the core refuses.
TEST(LiveSystem, TheCoreRefusesCommandsOffTheRunningSystem) {
    CoreNode node;
    StandIns s;
    node.write_confs("bad\n", "ok\n", "ok\n");
    const auto before = read_file(node.root / "/etc/testgood/a.conf");
    auto r = node.kubecert({"--format", "json", "--testgood-run", s.bin.path() + "/systemctl", "fix", "--yes"},
                           {{"KUBECERT_LIVE_SYSTEM", "auto"}});
    EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
    EXPECT_EQ(s.calls(), "");
    EXPECT_NE(r.out.find("not the running system"), std::string::npos) << r.out;
    EXPECT_EQ(read_file(node.root / "/etc/testgood/a.conf"), before) << "the fix was rolled back";
}

TEST(LiveSystem, RootSlashIsLiveAndLiveSystemValuesAreChecked) {
    TempDir plugins;
    CoreNode::install_plugin("testgood.so", plugins.path(), "testgood.so");
    auto bad = run_kubecert({"--root", "/", "--plugin-dir", plugins.path(), "--live-system", "maybe", "audit"});
    EXPECT_EQ(bad.exit_code, 2) << bad.err;
    auto v = run_kubecert({"--root", "/", "--plugin-dir", plugins.path(), "--flavor", "testgood", "-v", "audit"},
                          {{"KUBECERT_LIVE_SYSTEM", "\x01unset"}, {"KUBECERT_PLUGIN_PATH", "\x01unset"}});
    EXPECT_NE(v.err.find("live system: yes (--root is /)"), std::string::npos) << v.err;
    TempDir image;
    auto n =
        run_kubecert({"--root", image.path(), "--plugin-dir", plugins.path(), "--flavor", "testgood", "-v", "audit"},
                     {{"KUBECERT_LIVE_SYSTEM", "\x01unset"}, {"KUBECERT_PLUGIN_PATH", "\x01unset"}});
    EXPECT_NE(n.err.find("live system: no"), std::string::npos) << n.err;
}
