// End-to-end tests of the rke plugin: the built kubecert on RKE admin hosts (cluster.yml) and
// nodes (/etc/kubernetes/ssl, /var/lib/kubelet/pki) under temporary roots, a real TLS server on
// 127.0.0.1 standing for the kubelet port, and a recording docker stand-in on PATH.
#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "pki.hpp"
#include "servers.hpp"
#include "test_support.hpp"
#include "yaml_tree.hpp"

using namespace kubecert::test;

namespace {

constexpr const char* k_cluster = "/etc/rke/cluster.yml";
constexpr const char* k_legacy_crt = "/var/lib/kubelet/pki/kubelet.crt";
constexpr const char* k_legacy_key = "/var/lib/kubelet/pki/kubelet.key";
constexpr const char* k_rke_crt = "/etc/kubernetes/ssl/kube-kubelet-127-0-0-1.pem";
constexpr const char* k_rke_key = "/etc/kubernetes/ssl/kube-kubelet-127-0-0-1-key.pem";

std::string upstream_cluster_yml() {
    return read_file(upstream_fixtures() + "/rke/cluster.yml");
}

nlohmann::json report(const ProcResult& r) {
    try {
        return nlohmann::json::parse(r.out);
    } catch (const std::exception& e) {
        ADD_FAILURE() << "not a JSON report: " << e.what() << "\nstdout:\n" << r.out << "\nstderr:\n" << r.err;
        return nlohmann::json::object();
    }
}

const nlohmann::json& finding(const nlohmann::json& findings, const std::string& id) {
    static const nlohmann::json none = nlohmann::json::object();
    for (const auto& f : findings)
        if (f.value("id", "") == id) return f;
    ADD_FAILURE() << "no finding " << id << " in " << findings.dump(1);
    return none;
}

std::string status(const nlohmann::json& findings, const std::string& id) {
    return finding(findings, id).value("status", "(none)");
}

// The evidence value of `key` in a finding, or "" when absent.
std::string evidence(const nlohmann::json& f, const std::string& key) {
    for (const auto& e : f.value("evidence", nlohmann::json::array()))
        if (e.value("key", "") == key) return e.value("actual", "");
    return "";
}

// The node's files, without the lock the host takes (and leaves) under the root while fixing.
std::map<std::string, std::string> node_files(const std::string& root) {
    auto files = snapshot_tree(root);
    files.erase(root + "/run/kubecert/fix.lock");
    return files;
}

size_t count_of(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

CertSpec spec(const std::string& cn, std::int64_t not_before, std::int64_t not_after, bool ca = false) {
    CertSpec s;
    s.common_name = cn;
    s.not_before = not_before;
    s.not_after = not_after;
    s.is_ca = ca;
    s.server_auth = !ca;
    if (!ca) s.sans = {"IP:127.0.0.1", "DNS:node1"};
    s.key_type = "ec";
    return s;
}

// A certificate the kubelet makes for itself without --tls-cert-file: "<host>@<ts>" signed by
// a throw-away "<host>-ca@<ts>"; kubelet.crt holds both.
KeyPair kubelet_own(std::int64_t not_after, const std::string& stamp = "1577836800") {
    const auto now = now_seconds();
    const KeyPair ca = make_self_signed(spec("node1-ca@" + stamp, now - 300 * k_day, not_after, true));
    KeyPair leaf = make_signed(spec("node1@" + stamp, now - 300 * k_day, not_after), ca);
    leaf.cert_pem += ca.cert_pem;
    return leaf;
}

// An RKE node (or admin host) under a temporary root, with a docker stand-in that records its
// calls, answers `inspect kubelet` from a file, deletes files under the root on `exec kubelet rm`,
// and on `restart kubelet` regenerates a missing kubelet.crt/key from prepared files (what the
// kubelet does at start) and leaves a marker for the test's kubelet port to restart.
struct RkeNode {
    TempDir root;
    TempDir state;

    RkeNode() {
        const std::string s = state.path();
        write_script(s + "/bin", "docker",
                     "#!/bin/sh\n"
                     "echo \"$*\" >> '" +
                         s +
                         "/docker.log'\n"
                         "case \"$1 $2\" in\n"
                         "'inspect kubelet')\n"
                         "  if [ -f '" +
                         s + "/inspect.json' ]; then cat '" + s +
                         "/inspect.json'; exit 0; fi\n"
                         "  echo 'Error: No such object: kubelet' >&2; exit 1;;\n"
                         "'exec kubelet')\n"
                         "  shift 2; [ \"$1\" = rm ] || exit 2; shift; [ \"$1\" = -f ] && shift\n"
                         "  for p in \"$@\"; do rm -f '" +
                         root.path() +
                         "'\"$p\"; done; exit 0;;\n"
                         "'restart kubelet')\n"
                         "  if [ ! -f '" +
                         (root / k_legacy_crt) + "' ] && [ -f '" + s +
                         "/new.crt' ]; then\n"
                         "    cp '" +
                         s + "/new.crt' '" + (root / k_legacy_crt) + "'; cp '" + s + "/new.key' '" +
                         (root / k_legacy_key) +
                         "'\n"
                         "  fi\n"
                         "  touch '" +
                         s +
                         "/restarted'; exit 0;;\n"
                         "esac\n"
                         "exit 1\n");
        write_script(s + "/bin", "rke",
                     "#!/bin/sh\necho \"$*\" >> '" + s +
                         "/rke.log'\necho 'INFO[0000] Finished building Kubernetes cluster successfully'\n");
        write_file(root / "/etc/hostname", "node1\n");
    }

    std::string host_path(const std::string& node_path) const { return root / node_path; }
    void put(const std::string& node_path, const std::string& content, unsigned mode = 0644) const {
        write_file(root / node_path, content, mode);
    }
    std::string get(const std::string& node_path) const { return read_file(root / node_path); }
    std::string docker_calls() const {
        return file_exists(state.path() + "/docker.log") ? read_file(state.path() + "/docker.log") : "";
    }
    std::string rke_calls() const {
        return file_exists(state.path() + "/rke.log") ? read_file(state.path() + "/rke.log") : "";
    }

    // The kubelet container as `docker inspect` shows it, with these kubelet arguments.
    void container(const std::vector<std::string>& kubelet_args) const {
        nlohmann::json args = nlohmann::json::array({"kubelet"});
        for (const auto& a : kubelet_args) args.push_back(a);
        nlohmann::json inspect =
            nlohmann::json::array({{{"Id", "4f1c0a"},
                                    {"Name", "/kubelet"},
                                    {"Path", "/opt/rke-tools/entrypoint.sh"},
                                    {"Args", args},
                                    {"State", {{"Running", true}}},
                                    {"Config", {{"Image", "rancher/hyperkube:v1.13.5-rancher1"}}}}});
        write_file(state.path() + "/inspect.json", inspect.dump(2));
    }

    // A node whose kubelet runs RKE's generated kube-kubelet-127-0-0-1.pem (signed by kube-ca).
    KeyPair rke_generated(std::int64_t not_after) const {
        const auto now = now_seconds();
        const KeyPair ca = make_self_signed(spec("kube-ca", now - 400 * k_day, now + 3650 * k_day, true));
        const KeyPair leaf = make_signed(spec("kube-kubelet", now - 10 * k_day, not_after), ca);
        put("/etc/kubernetes/ssl/kube-ca.pem", ca.cert_pem);
        put(k_rke_crt, leaf.cert_pem);
        put(k_rke_key, leaf.key_pem, 0600);
        container(
            {"--v=2", std::string("--tls-cert-file=") + k_rke_crt, std::string("--tls-private-key-file=") + k_rke_key});
        return leaf;
    }

    // A pre-1.0 RKE node: no --tls-cert-file, the kubelet's own kubelet.crt.
    KeyPair legacy(std::int64_t not_after) const {
        const KeyPair own = kubelet_own(not_after);
        put("/etc/kubernetes/ssl/kube-ca.pem", "");
        put(k_legacy_crt, own.cert_pem);
        put(k_legacy_key, own.key_pem, 0600);
        container({"--v=2", "--cluster-domain=cluster.local"});
        return own;
    }

    // Writes a key pair as host files under the state folder, for the TLS server.
    std::pair<std::string, std::string> files(const KeyPair& kp, const std::string& name) const {
        const std::string crt = state.path() + "/" + name + ".crt";
        const std::string key = state.path() + "/" + name + ".key";
        write_file(crt, kp.cert_pem);
        write_file(key, kp.key_pem, 0600);
        return {crt, key};
    }

    ProcResult kubecert(const std::vector<std::string>& args, int timeout_seconds = 120) const {
        std::vector<std::string> all{"--root",   root.path(), "--flavor",     "rke",
                                     "--format", "json",      "--rke-docker", "docker"};
        all.insert(all.end(), args.begin(), args.end());
        return run_kubecert(all, {{"PATH", path_with(state.path() + "/bin")}}, timeout_seconds);
    }
};

// Serves `kp` on 127.0.0.1 like the kubelet port.
struct KubeletPort {
    std::unique_ptr<TlsServer> server;
    KubeletPort(const RkeNode& node, const KeyPair& kp, const std::string& name = "served") {
        auto [crt, key] = node.files(kp, name);
        server = std::make_unique<TlsServer>(crt, key);
    }
    std::string address() const { return server->address(); }
};

// Restarts the kubelet port with the node's new kubelet.crt when the docker stand-in was asked to
// restart the kubelet. It stays alive until destroyed: the server it starts is tied to its thread.
struct RestartWatcher {
    std::atomic<bool> stop{false};
    std::thread thread;
    RestartWatcher(const RkeNode& node, TlsServer& server) {
        thread = std::thread([this, &node, &server] {
            const std::string marker = node.state.path() + "/restarted";
            while (!stop) {
                if (file_exists(marker)) {
                    ::unlink(marker.c_str());
                    server.restart(node.host_path(k_legacy_crt), node.host_path(k_legacy_key));
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        });
    }
    ~RestartWatcher() {
        stop = true;
        thread.join();
    }
};

// --- admin host: cluster.yml ----------------------------------------------------------------

TEST(RkeAudit, UpstreamClusterYmlLacksGenerateServingCertificate) {
    RkeNode node;
    node.put(k_cluster, upstream_cluster_yml());
    auto r = node.kubecert({"--rke-cluster-config", k_cluster, "audit"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    const auto& gen = finding(j["findings"], "rke.generate-serving-cert");
    EXPECT_EQ(gen.value("status", ""), "FAIL");
    EXPECT_TRUE(gen.value("fixable", false));
    EXPECT_EQ(gen.value("plugin", ""), "rke");
    EXPECT_EQ(gen.value("benchmark", ""), "kube-bench rke-cis-1.24 4.2.10");
    EXPECT_EQ(evidence(gen, "services.kubelet.generate_serving_certificate"), "(absent)");
    EXPECT_EQ(evidence(gen, "kubernetes_version"), "v1.10.1-rancher1");
    // v1.10 predates RKE v1.0.0: the remediation says so and gives the node-side steps.
    EXPECT_NE(gen.value("remediation", "").find("predates RKE v1.0.0"), std::string::npos) << gen.dump(1);
    EXPECT_NE(gen.value("remediation", "").find("docker exec kubelet rm -f"), std::string::npos);
    // No node files here: the node checks do not apply, and nothing asked docker.
    EXPECT_EQ(status(j["findings"], "rke.serving-cert-expiry"), "INFO");
    EXPECT_EQ(status(j["findings"], "rke.served-cert-matches-disk"), "INFO");
    EXPECT_EQ(status(j["findings"], "rke.legacy-self-signed"), "INFO");
    EXPECT_EQ(node.docker_calls(), "");
}

TEST(RkeAudit, BenchmarkNumbersFollowTheChosenProfile) {
    RkeNode node;
    node.put(k_cluster, upstream_cluster_yml());
    auto j17 = report(node.kubecert({"--benchmark", "rke-cis-1.7", "--rke-cluster-config", k_cluster, "audit"}));
    EXPECT_EQ(finding(j17["findings"], "rke.generate-serving-cert").value("benchmark", ""),
              "kube-bench rke-cis-1.7 4.2.9");
    auto j123 = report(node.kubecert({"--benchmark", "rke-cis-1.23", "--rke-cluster-config", k_cluster, "audit"}));
    EXPECT_EQ(finding(j123["findings"], "rke.generate-serving-cert").value("benchmark", ""),
              "kube-bench rke-cis-1.23 4.2.10");
}

TEST(RkeAudit, EnabledClusterYmlPassesAndCitesTheStateFileVersions) {
    RkeNode node;
    node.put(k_cluster, "nodes:\n  - address: 10.0.0.1\n    role: [controlplane, etcd, worker]\n"
                        "services:\n  kubelet:\n    generate_serving_certificate: true\n"
                        "kubernetes_version: v1.24.9-rancher1-1\n");
    node.put("/etc/rke/cluster.rkestate",
             R"({"desiredState":{"rkeConfig":{"kubernetesVersion":"v1.24.9-rancher1-1"}},)"
             R"("currentState":{"rkeConfig":{"kubernetesVersion":"v1.23.16-rancher2-1"}}})");
    auto r = node.kubecert({"--rke-cluster-config", k_cluster, "audit"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    const auto& gen = finding(j["findings"], "rke.generate-serving-cert");
    EXPECT_EQ(gen.value("status", ""), "PASS");
    EXPECT_EQ(evidence(gen, "currentState.rkeConfig.kubernetesVersion"), "v1.23.16-rancher2-1");
    EXPECT_EQ(evidence(gen, "desiredState.rkeConfig.kubernetesVersion"), "v1.24.9-rancher1-1");
}

TEST(RkeAudit, MalformedClusterYmlIsAnErrorNamingFileAndLineAndFixChangesNothing) {
    RkeNode node;
    node.put(k_cluster, "nodes:\n  - address: 10.0.0.1\nservices:\n  kubelet: {extra_args: [\n");
    const auto before = node_files(node.root.path());
    auto r = node.kubecert({"--rke-cluster-config", k_cluster, "audit"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
    const auto& gen = finding(j["findings"], "rke.generate-serving-cert");
    EXPECT_EQ(gen.value("status", ""), "ERROR");
    EXPECT_NE(gen.dump().find(std::string(k_cluster) + ":"), std::string::npos) << gen.dump(1);
    auto f = node.kubecert({"--rke-cluster-config", k_cluster, "fix", "--yes"});
    EXPECT_EQ(f.exit_code, 3) << f.out << f.err;
    EXPECT_EQ(node_files(node.root.path()), before);
}

TEST(RkeAudit, MissingClusterYmlIsAnError) {
    RkeNode node;
    auto r = node.kubecert({"--rke-cluster-config", "/nowhere/cluster.yml", "audit"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
    EXPECT_EQ(status(j["findings"], "rke.generate-serving-cert"), "ERROR");
}

// --- node: the certificate on disk and on the port --------------------------------------------

TEST(RkeAudit, NodeServingItsRkeCertificatePasses) {
    RkeNode node;
    const auto leaf = node.rke_generated(now_seconds() + 300 * k_day);
    KubeletPort port(node, leaf);
    auto r = node.kubecert({"--rke-kubelet-address", port.address(), "audit"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(status(j["findings"], "rke.serving-cert-expiry"), "PASS");
    EXPECT_EQ(status(j["findings"], "rke.served-cert-matches-disk"), "PASS");
    EXPECT_EQ(status(j["findings"], "rke.legacy-self-signed"), "PASS");
    EXPECT_EQ(status(j["findings"], "rke.generate-serving-cert"), "INFO"); // no cluster.yml on a node
    EXPECT_EQ(evidence(finding(j["findings"], "rke.generate-serving-cert"), "--tls-cert-file"), k_rke_crt);
    bool listed = false;
    for (const auto& c : j["certificates"])
        if (c.value("path", "") == k_rke_crt) {
            listed = true;
            EXPECT_NE(c.value("issuer", "").find("kube-ca"), std::string::npos);
        }
    EXPECT_TRUE(listed) << j["certificates"].dump(1);
    EXPECT_NE(node.docker_calls().find("inspect kubelet"), std::string::npos);
}

TEST(RkeAudit, PortServingAnotherCertificateFails) {
    RkeNode node;
    node.rke_generated(now_seconds() + 300 * k_day);
    const auto now = now_seconds();
    const auto old = make_self_signed(spec("kube-kubelet", now - 400 * k_day, now + 2 * k_day));
    KubeletPort port(node, old);
    auto r = node.kubecert({"--rke-kubelet-address", port.address(), "audit"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    const auto& served = finding(j["findings"], "rke.served-cert-matches-disk");
    EXPECT_EQ(served.value("status", ""), "FAIL");
    EXPECT_TRUE(served.value("fixable", false));
    EXPECT_FALSE(evidence(served, "not_after").empty()) << served.dump(1);
    EXPECT_NE(evidence(served, "sha256 fingerprint"), "");
    EXPECT_EQ(status(j["findings"], "rke.serving-cert-expiry"), "PASS");
}

TEST(RkeAudit, ExpiredCertificateOnDiskFails) {
    RkeNode node;
    const auto leaf = node.rke_generated(now_seconds() - k_day);
    KubeletPort port(node, leaf);
    auto r = node.kubecert({"--rke-kubelet-address", port.address(), "audit"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    const auto& expiry = finding(j["findings"], "rke.serving-cert-expiry");
    EXPECT_EQ(expiry.value("status", ""), "FAIL");
    EXPECT_FALSE(expiry.value("fixable", true)) << "RKE's certificate is renewed by rke cert rotate on the admin host";
    EXPECT_NE(expiry.value("remediation", "").find("rke cert rotate"), std::string::npos);
}

TEST(RkeAudit, CertificateInsideTheWarningWindowWarns) {
    RkeNode node;
    const auto leaf = node.rke_generated(now_seconds() + 10 * k_day);
    KubeletPort port(node, leaf);
    auto r = node.kubecert({"--rke-kubelet-address", port.address(), "--warn-within", "30d", "audit"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(status(j["findings"], "rke.serving-cert-expiry"), "WARN");
    auto later = report(node.kubecert({"--rke-kubelet-address", port.address(), "--warn-within", "5d", "audit"}));
    EXPECT_EQ(status(later["findings"], "rke.serving-cert-expiry"), "PASS");
}

TEST(RkeAudit, KubeletOwnSelfSignedCertificateFails) {
    RkeNode node;
    const auto own = node.legacy(now_seconds() + 200 * k_day);
    KubeletPort port(node, own);
    auto r = node.kubecert({"--rke-kubelet-address", port.address(), "audit"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    const auto& legacy = finding(j["findings"], "rke.legacy-self-signed");
    EXPECT_EQ(legacy.value("status", ""), "FAIL");
    EXPECT_EQ(evidence(legacy, "issuer CN"), "node1-ca@1577836800");
    EXPECT_NE(legacy.value("remediation", "").find("generate_serving_certificate"), std::string::npos);
    EXPECT_NE(legacy.value("remediation", "").find("docker exec kubelet rm -f /var/lib/kubelet/pki/kubelet.crt"),
              std::string::npos);
    // Still a year ahead: renewing it now would only make every later fix renew it again.
    EXPECT_FALSE(legacy.value("fixable", true));
    EXPECT_EQ(status(j["findings"], "rke.served-cert-matches-disk"), "PASS");
}

TEST(RkeAudit, UnreachableKubeletPortIsAnErrorWithTheReason) {
    RkeNode node;
    node.rke_generated(now_seconds() + 300 * k_day);
    const std::string address = "127.0.0.1:" + std::to_string(free_port());
    const auto started = std::chrono::steady_clock::now();
    auto r = node.kubecert({"--rke-kubelet-address", address, "--rke-timeout", "2s", "audit"});
    auto j = report(r);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
    EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
    const auto& served = finding(j["findings"], "rke.served-cert-matches-disk");
    EXPECT_EQ(served.value("status", ""), "ERROR");
    EXPECT_NE(served.dump().find(address), std::string::npos);
    EXPECT_FALSE(evidence(served, "TLS handshake").empty()) << served.dump(1);
}

TEST(RkeAudit, DetectsAnRkeNodeWithFlavorAuto) {
    RkeNode node;
    const auto leaf = node.rke_generated(now_seconds() + 300 * k_day);
    KubeletPort port(node, leaf);
    auto r =
        run_kubecert({"--root", node.root.path(), "--format", "json", "--rke-kubelet-address", port.address(), "audit"},
                     {{"PATH", path_with(node.state.path() + "/bin")}});
    auto j = report(r);
    bool rke = false;
    for (const auto& f : j.value("findings", nlohmann::json::array())) rke = rke || f.value("plugin", "") == "rke";
    EXPECT_TRUE(rke) << r.out << r.err;
}

// --- fix ---------------------------------------------------------------------------------------

TEST(RkeFix, ClusterYmlGetsTheKeyKeepingEverythingElseAndASecondFixChangesNothing) {
    RkeNode node;
    const std::string original = upstream_cluster_yml();
    node.put(k_cluster, original);
    auto r = node.kubecert({"--rke-cluster-config", k_cluster, "fix", "--yes"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    const std::string edited = node.get(k_cluster);
    YAML::Node expected = YAML::Load(original);
    expected["services"]["kubelet"]["generate_serving_certificate"] = true;
    EXPECT_EQ(canonical(YAML::Load(edited)), canonical(expected)) << edited;
    // Every comment line (and every other line) of the original is still there, in order.
    std::istringstream lines(original);
    size_t from = 0;
    for (std::string line; std::getline(lines, line);) {
        const size_t at = edited.find(line + "\n", from);
        ASSERT_NE(at, std::string::npos) << "lost line: " << line;
        from = at + line.size() + 1;
    }
    EXPECT_EQ(count_of(edited, "generate_serving_certificate: true"), 1u);
    EXPECT_EQ(status(j["findings"], "rke.generate-serving-cert"), "FAIL");
    EXPECT_EQ(status(j["after"], "rke.generate-serving-cert"), "PASS");
    bool edit_action = false;
    for (const auto& a : j["actions"])
        if (a.value("finding", "") == "rke.generate-serving-cert" && a.value("target", "") == k_cluster) {
            edit_action = true;
            EXPECT_EQ(a.value("status", ""), "applied");
        }
    EXPECT_TRUE(edit_action) << j["actions"].dump(1);
    EXPECT_NE(r.err.find("rke up --config " + std::string(k_cluster)), std::string::npos) << r.err;
    EXPECT_EQ(node.rke_calls(), "") << "rke up runs only with --rke-run-up";

    const auto before = node_files(node.root.path());
    auto again = node.kubecert({"--rke-cluster-config", k_cluster, "fix", "--yes"});
    auto j2 = report(again);
    EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
    EXPECT_EQ(node.get(k_cluster), edited);
    EXPECT_TRUE(j2.value("actions", nlohmann::json::array()).empty()) << j2["actions"].dump(1);
    EXPECT_EQ(node_files(node.root.path()), before);
}

TEST(RkeFix, FalseBecomesTrueInPlace) {
    RkeNode node;
    const std::string text = "# prod\nservices:\n  kubelet:\n    generate_serving_certificate: false # off\n"
                             "    extra_args:\n      max-pods: \"250\"\n";
    node.put(k_cluster, text);
    auto r = node.kubecert({"--rke-cluster-config", k_cluster, "fix", "--yes"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(node.get(k_cluster), "# prod\nservices:\n  kubelet:\n    generate_serving_certificate: true # off\n"
                                   "    extra_args:\n      max-pods: \"250\"\n");
}

TEST(RkeFix, DryRunPrintsTheDiffAndChangesNothing) {
    RkeNode node;
    node.put(k_cluster, upstream_cluster_yml());
    const auto before = snapshot_tree(node.root.path());
    auto r = node.kubecert({"--rke-cluster-config", k_cluster, "fix", "--dry-run", "--yes"});
    auto j = report(r);
    EXPECT_EQ(snapshot_tree(node.root.path()), before);
    EXPECT_NE((r.out + r.err).find("+    generate_serving_certificate: true"), std::string::npos) << r.out << r.err;
    EXPECT_EQ(status(j["after"], "rke.generate-serving-cert"), "PASS") << "the after-audit previews the result";
    EXPECT_EQ(node.rke_calls(), "");
}

TEST(RkeFix, RunUpRunsRkeUpWithTheConfig) {
    RkeNode node;
    node.put(k_cluster, upstream_cluster_yml());
    auto r = node.kubecert({"--rke-cluster-config", k_cluster, "--rke-run-up", "fix", "--yes"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(node.rke_calls(), "up --config " + std::string(k_cluster) + "\n");
}

TEST(RkeFix, ExpiringKubeletOwnCertificateIsRenewedThroughDocker) {
    RkeNode node;
    const auto old = node.legacy(now_seconds() + 5 * k_day);
    const auto fresh = kubelet_own(now_seconds() + 365 * k_day, "1700000000");
    node.files(fresh, "new");
    KubeletPort port(node, old);
    RestartWatcher watcher(node, *port.server);

    auto r = node.kubecert({"--rke-kubelet-address", port.address(), "fix", "--yes"});
    auto j = report(r);
    EXPECT_EQ(status(j["findings"], "rke.serving-cert-expiry"), "WARN");
    EXPECT_EQ(node.docker_calls(),
              "inspect kubelet\n"
              "exec kubelet rm -f /var/lib/kubelet/pki/kubelet.crt /var/lib/kubelet/pki/kubelet.key\n"
              "restart kubelet\n"
              "inspect kubelet\n");
    EXPECT_EQ(node.get(k_legacy_crt), fresh.cert_pem);
    EXPECT_EQ(status(j["after"], "rke.serving-cert-expiry"), "PASS");
    EXPECT_EQ(status(j["after"], "rke.served-cert-matches-disk"), "PASS");
    // Still the kubelet's own certificate: the lasting fix is generate_serving_certificate.
    EXPECT_EQ(status(j["after"], "rke.legacy-self-signed"), "FAIL");
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    for (const auto& a : j["actions"]) EXPECT_EQ(a.value("status", ""), "applied") << a.dump();
    // The deleted pair was copied into the fix's backup first.
    bool backed_up = false;
    for (const auto& [path, content] : snapshot_tree(node.root.path()))
        backed_up = backed_up ||
                    (path.find("/var/backups/kubecert/") != std::string::npos && content.rfind(old.cert_pem, 0) == 0);
    EXPECT_TRUE(backed_up);

    // A second fix finds a fresh certificate and leaves the kubelet alone.
    auto again = node.kubecert({"--rke-kubelet-address", port.address(), "fix", "--yes"});
    EXPECT_EQ(count_of(node.docker_calls(), "restart kubelet"), 1u) << node.docker_calls();
    EXPECT_EQ(count_of(node.docker_calls(), "exec kubelet"), 1u);
    EXPECT_EQ(again.exit_code, 1) << again.out << again.err;
}

TEST(RkeFix, RenewalThatTheKubeletDoesNotServeIsRolledBack) {
    RkeNode node;
    const auto old = node.legacy(now_seconds() + 5 * k_day);
    const std::string old_crt = node.get(k_legacy_crt);
    KubeletPort port(node, old); // never restarted: keeps serving the old certificate
    auto r = node.kubecert({"--rke-kubelet-address", port.address(), "--rke-restart-wait", "3s", "fix", "--yes"});
    auto j = report(r);
    EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
    EXPECT_EQ(node.get(k_legacy_crt), old_crt) << "the files are put back";
    EXPECT_NE(j.dump().find("did not serve a new certificate"), std::string::npos) << j.dump(1);
    EXPECT_EQ(status(j["after"], "rke.serving-cert-expiry"), "WARN");
}

TEST(RkeFix, PortServingAnOldCertificateIsFixedByARestart) {
    RkeNode node;
    const auto now = now_seconds();
    const auto current = node.legacy(now + 200 * k_day);
    const auto stale = kubelet_own(now + 200 * k_day, "1500000000");
    KubeletPort port(node, stale);
    RestartWatcher watcher(node, *port.server);
    auto r = node.kubecert({"--rke-kubelet-address", port.address(), "fix", "--yes"});
    auto j = report(r);
    EXPECT_EQ(status(j["findings"], "rke.served-cert-matches-disk"), "FAIL");
    EXPECT_EQ(status(j["after"], "rke.served-cert-matches-disk"), "PASS") << r.out << r.err;
    EXPECT_EQ(count_of(node.docker_calls(), "restart kubelet"), 1u) << node.docker_calls();
    EXPECT_EQ(count_of(node.docker_calls(), "exec kubelet"), 0u) << "a fresh certificate is not deleted";
    EXPECT_EQ(node.get(k_legacy_crt), current.cert_pem);
}

TEST(RkeFix, DryRunOnANodeOnlyPrintsTheDockerCommands) {
    RkeNode node;
    const auto old = node.legacy(now_seconds() + 5 * k_day);
    KubeletPort port(node, old);
    const auto before = node_files(node.root.path());
    auto r = node.kubecert({"--rke-kubelet-address", port.address(), "fix", "--dry-run", "--yes"});
    auto j = report(r);
    EXPECT_EQ(node.docker_calls(), "inspect kubelet\ninspect kubelet\n") << "only read-only docker calls run";
    EXPECT_EQ(snapshot_tree(node.root.path()), before);
    EXPECT_NE((r.out + r.err).find("docker exec kubelet rm -f /var/lib/kubelet/pki/kubelet.crt"), std::string::npos)
        << r.out << r.err;
    for (const auto& a : j["actions"]) EXPECT_EQ(a.value("status", ""), "planned") << a.dump();
}

TEST(RkeFix, NoRestartLeavesTheKubeletAlone) {
    RkeNode node;
    const auto old = node.legacy(now_seconds() + 5 * k_day);
    KubeletPort port(node, old);
    const auto before = node_files(node.root.path());
    auto r = node.kubecert({"--rke-kubelet-address", port.address(), "fix", "--yes", "--no-restart"});
    EXPECT_EQ(node.docker_calls(), "inspect kubelet\ninspect kubelet\n");
    EXPECT_EQ(node_files(node.root.path()), before);
    EXPECT_NE(r.err.find("docker restart kubelet"), std::string::npos) << r.err;
}

} // namespace
