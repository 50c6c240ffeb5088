// Unit tests of the RKE plugin's byte-level logic: cluster.yml reading and editing, the state
// file, docker inspect, certificate naming rules, benchmark citations, and the findings and
// fix plan computed from gathered facts.
#include "benchmark.hpp"
#include "cluster_config.hpp"
#include "findings.hpp"
#include "kubelet_container.hpp"
#include "serving_cert.hpp"

#include <kubecert/formats/parse_error.hpp>
#include <kubecert/formats/yaml_edit.hpp>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "yaml_tree.hpp"

namespace kubecert::rke {
namespace {

using kubecert::test::canonical;

std::string upstream_cluster_yml() {
    std::ifstream f(std::string(KUBECERT_RKE_UPSTREAM_FIXTURES) + "/rke/cluster.yml", std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// True when every line of `before` is still in `after`, in the same order.
bool keeps_every_line(const std::string& before, const std::string& after) {
    const auto a = lines_of(before);
    const auto b = lines_of(after);
    size_t j = 0;
    for (const auto& line : a) {
        while (j < b.size() && b[j] != line) ++j;
        if (j == b.size()) return false;
        ++j;
    }
    return true;
}

// True when `after` has the lines of `before`, only the line holding `marker` changed.
bool same_lines_but(const std::string& before, const std::string& after, const std::string& marker) {
    const auto a = lines_of(before);
    const auto b = lines_of(after);
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i] != b[i] && a[i].find(marker) == std::string::npos) return false;
    return true;
}

// Edits `text` and checks the result: the same tree plus the key, every original line kept
// (block style), or only the line of the flow mapping holding `flow_marker` changed.
void expect_clean_insert(const std::string& text, const std::string& flow_marker = "") {
    const std::string edited = enable_serving_certificate(text, "/cluster.yml");
    SCOPED_TRACE(edited);
    YAML::Node expected = YAML::Load(text);
    expected["services"]["kubelet"]["generate_serving_certificate"] = true;
    EXPECT_EQ(canonical(YAML::Load(edited)), canonical(expected));
    if (flow_marker.empty()) {
        EXPECT_TRUE(keeps_every_line(text, edited));
    } else {
        EXPECT_TRUE(same_lines_but(text, edited, flow_marker));
    }
    const auto config = parse_cluster_config(edited, "/cluster.yml");
    EXPECT_TRUE(config.serving_cert_enabled);
    EXPECT_EQ(enable_serving_certificate(edited, "/cluster.yml"), edited) << "a second edit must change nothing";
}

TEST(RkeClusterConfig, UpstreamExampleHasNoServingCertificateKey) {
    const auto config = parse_cluster_config(upstream_cluster_yml(), "/cluster.yml");
    EXPECT_FALSE(config.generate_serving_certificate.has_value());
    EXPECT_FALSE(config.serving_cert_enabled);
    EXPECT_EQ(config.kubernetes_version, "v1.10.1-rancher1");
}

TEST(RkeClusterConfig, ReadsTrueFalseAndYamlOneOneBooleans) {
    EXPECT_TRUE(parse_cluster_config("services:\n  kubelet:\n    generate_serving_certificate: true\n", "c")
                    .serving_cert_enabled);
    EXPECT_TRUE(parse_cluster_config("services:\n  kubelet:\n    generate_serving_certificate: yes\n", "c")
                    .serving_cert_enabled);
    const auto off = parse_cluster_config("services:\n  kubelet:\n    generate_serving_certificate: false\n", "c");
    EXPECT_FALSE(off.serving_cert_enabled);
    EXPECT_EQ(off.generate_serving_certificate, "false");
    EXPECT_FALSE(parse_cluster_config("services:\n  kubelet:\n    generate_serving_certificate: \"true\"\n", "c")
                     .serving_cert_enabled)
        << "a quoted string is not the boolean RKE expects";
    EXPECT_FALSE(parse_cluster_config("", "c").serving_cert_enabled);
    EXPECT_FALSE(parse_cluster_config("services:\n  kubelet:\n", "c").serving_cert_enabled);
}

TEST(RkeClusterConfig, MalformedYamlNamesFileAndLine) {
    try {
        parse_cluster_config("nodes:\n  - address: 1.1.1.1\n services: [\n", "/etc/rke/cluster.yml");
        FAIL() << "no error";
    } catch (const formats::ParseError& e) {
        EXPECT_EQ(e.source(), "/etc/rke/cluster.yml");
        EXPECT_GE(e.line(), 2);
        EXPECT_NE(std::string(e.what()).find("/etc/rke/cluster.yml:"), std::string::npos);
    }
}

TEST(RkeClusterConfig, ServicesThatIsNotAMappingIsAnErrorWithItsPosition) {
    try {
        parse_cluster_config("nodes: []\nservices: nope\n", "/cluster.yml");
        FAIL() << "no error";
    } catch (const formats::ParseError& e) {
        EXPECT_EQ(e.line(), 2);
        EXPECT_NE(e.message().find("services"), std::string::npos);
    }
    EXPECT_THROW(parse_cluster_config("- a\n- b\n", "/cluster.yml"), formats::ParseError);
    EXPECT_THROW(enable_serving_certificate("services:\n  kubelet: [1]\n", "/cluster.yml"), formats::ParseError);
}

TEST(RkeClusterEdit, UpstreamExampleGetsTheKeyAndKeepsEverythingElse) {
    const std::string text = upstream_cluster_yml();
    expect_clean_insert(text);
    const std::string edited = enable_serving_certificate(text, "/cluster.yml");
    // Every comment line of the original is still there.
    for (const auto& line : lines_of(text)) {
        if (line.find('#') == std::string::npos) continue;
        EXPECT_NE(edited.find(line), std::string::npos) << line;
    }
}

TEST(RkeClusterEdit, CommentsEverywhere) {
    expect_clean_insert("# cluster for prod\n"
                        "nodes:  # the nodes\n"
                        "  - address: 10.0.0.1   # first\n"
                        "    role: [controlplane, etcd, worker]\n"
                        "\n"
                        "# services follow\n"
                        "services:\n"
                        "  # kubelet settings\n"
                        "  kubelet:  # the kubelet\n"
                        "    # extra args\n"
                        "    extra_args:\n"
                        "      max-pods: \"250\"   # more pods\n"
                        "    cluster_domain: 'cluster.local'\n"
                        "  # kube-proxy\n"
                        "  kubeproxy: {}\n"
                        "# trailing comment\n");
}

TEST(RkeClusterEdit, NoServicesKey) {
    expect_clean_insert("nodes:\n"
                        "  - address: 10.0.0.1\n"
                        "    user: ubuntu\n"
                        "    role: [worker]\n"
                        "kubernetes_version: \"v1.24.9-rancher1-1\"\n");
}

TEST(RkeClusterEdit, ServicesWithoutKubelet) {
    expect_clean_insert(
        "services:\n    etcd:\n        snapshot: true\n        retention: 24h\nnetwork:\n    plugin: canal\n");
}

TEST(RkeClusterEdit, EmptyKubeletKey) {
    expect_clean_insert("services:\n  scheduler:\n  kubelet:\n  kubeproxy:\ningress:\n  provider: nginx\n");
}

TEST(RkeClusterEdit, KubeletWithExtraArgs) {
    expect_clean_insert(
        "services:\n"
        "  kubelet:\n"
        "    extra_args:\n"
        "      volume-plugin-dir: /usr/libexec/kubernetes/kubelet-plugins/volume/exec\n"
        "      rotate-server-certificates: \"false\"\n"
        "    extra_binds:\n"
        "      - \"/usr/libexec/kubernetes/kubelet-plugins:/usr/libexec/kubernetes/kubelet-plugins\"\n");
}

TEST(RkeClusterEdit, FlowStyleMappings) {
    expect_clean_insert(
        "# flow\nservices:\n  kubelet: {cluster_domain: cluster.local, fail_swap_on: false}\n  etcd: {}\n", "kubelet:");
    expect_clean_insert(
        "nodes: [{address: 10.0.0.1, role: [worker]}]\nservices: {kubelet: {}, etcd: {snapshot: true}}\n", "services:");
}

TEST(RkeClusterEdit, QuotedTrueBecomesTheBooleanRkeExpects) {
    const std::string edited = enable_serving_certificate(
        "services:\n  kubelet:\n    generate_serving_certificate: \"true\"\n", "/cluster.yml");
    EXPECT_EQ(edited, "services:\n  kubelet:\n    generate_serving_certificate: true\n");
}

TEST(RkeClusterEdit, AlreadyTrueIsLeftByteForByte) {
    const std::string text = "services:\n  kubelet:\n    generate_serving_certificate: true # on\n";
    EXPECT_EQ(enable_serving_certificate(text, "/cluster.yml"), text);
}

TEST(RkeClusterEdit, AlreadyFalseBecomesTrueOnTheSameLine) {
    const std::string text = "# keep\nservices:\n  kubelet:\n    generate_serving_certificate: false  # was off\n"
                             "    cluster_domain: cluster.local\n";
    const std::string edited = enable_serving_certificate(text, "/cluster.yml");
    EXPECT_TRUE(parse_cluster_config(edited, "/cluster.yml").serving_cert_enabled);
    auto want = lines_of(text);
    auto got = lines_of(edited);
    ASSERT_EQ(got.size(), want.size());
    EXPECT_EQ(got[0], "# keep");
    EXPECT_NE(got[3].find("generate_serving_certificate: true"), std::string::npos) << got[3];
    EXPECT_EQ(got[4], want[4]);
}

TEST(RkeState, PathBesideTheConfigAndVersions) {
    EXPECT_EQ(rkestate_path_for("/etc/rke/cluster.yml"), "/etc/rke/cluster.rkestate");
    EXPECT_EQ(rkestate_path_for("/home/a/prod.yaml"), "/home/a/prod.rkestate");
    EXPECT_EQ(rkestate_path_for("/x.y/cluster"), "/x.y/cluster.rkestate");
    const auto state = parse_rkestate(
        R"({"desiredState":{"rkeConfig":{"kubernetesVersion":"v1.24.9-rancher1-1"}},"currentState":{"rkeConfig":{"kubernetesVersion":"v1.23.16-rancher2-1"}}})",
        "/etc/rke/cluster.rkestate");
    EXPECT_EQ(state.desired_kubernetes_version, "v1.24.9-rancher1-1");
    EXPECT_EQ(state.current_kubernetes_version, "v1.23.16-rancher2-1");
    EXPECT_THROW(parse_rkestate("{\"desiredState\": ", "/etc/rke/cluster.rkestate"), formats::ParseError);
}

TEST(RkeState, KubernetesVersion) {
    EXPECT_EQ(parse_kubernetes_version("v1.10.1-rancher1"), std::make_pair(1, 10));
    EXPECT_EQ(parse_kubernetes_version("1.24.9"), std::make_pair(1, 24));
    EXPECT_FALSE(parse_kubernetes_version("latest").has_value());
    EXPECT_FALSE(parse_kubernetes_version("").has_value());
}

TEST(RkeDockerInspect, ArgsStateAndFlags) {
    const auto c = parse_docker_inspect(R"([{"Id":"abc","Path":"/opt/rke-tools/entrypoint.sh",
        "Args":["kubelet","--v=2","--tls-cert-file=/etc/kubernetes/ssl/kube-kubelet-10-0-0-1.pem",
                "--tls-private-key-file","/etc/kubernetes/ssl/kube-kubelet-10-0-0-1-key.pem"],
        "State":{"Running":true},"Config":{"Image":"rancher/hyperkube:v1.24.9-rancher1"}}])",
                                        "docker inspect kubelet");
    ASSERT_TRUE(c.has_value());
    EXPECT_TRUE(c->running);
    EXPECT_EQ(c->image, "rancher/hyperkube:v1.24.9-rancher1");
    EXPECT_EQ(kubelet_flag_value(c->args, "tls-cert-file"), "/etc/kubernetes/ssl/kube-kubelet-10-0-0-1.pem");
    EXPECT_EQ(kubelet_flag_value(c->args, "tls-private-key-file"), "/etc/kubernetes/ssl/kube-kubelet-10-0-0-1-key.pem");
    EXPECT_FALSE(kubelet_flag_value(c->args, "rotate-server-certificates").has_value());
    EXPECT_FALSE(parse_docker_inspect("[]", "docker inspect kubelet").has_value());
    const auto from_cmd =
        parse_docker_inspect(R"([{"State":{"Running":false},"Config":{"Cmd":["kubelet","--v=2"]}}])", "d");
    ASSERT_TRUE(from_cmd.has_value());
    EXPECT_FALSE(from_cmd->running);
    EXPECT_EQ(from_cmd->args.size(), 2u);
    EXPECT_THROW(parse_docker_inspect("Error: No such object: kubelet", "docker inspect kubelet"), formats::ParseError);
}

TEST(RkeNames, KubeletCertificateFiles) {
    EXPECT_EQ(kubelet_cert_file_name("10.0.0.1"), "kube-kubelet-10-0-0-1.pem");
    EXPECT_EQ(kubelet_cert_file_name("node1.example.com"), "kube-kubelet-node1-example-com.pem");
    EXPECT_EQ(kubelet_cert_files(
                  {"kube-ca.pem", "kube-kubelet-10-0-0-1-key.pem", "kube-kubelet-10-0-0-1.pem", "kube-node.pem"}),
              std::vector<std::string>{"kube-kubelet-10-0-0-1.pem"});
    EXPECT_EQ(key_path_for("/etc/kubernetes/ssl/kube-kubelet-10-0-0-1.pem"),
              "/etc/kubernetes/ssl/kube-kubelet-10-0-0-1-key.pem");
    EXPECT_EQ(key_path_for("/var/lib/kubelet/pki/kubelet.crt"), "/var/lib/kubelet/pki/kubelet.key");
}

TEST(RkeNames, KubeletOwnCertificateNames) {
    EXPECT_TRUE(is_kubelet_ca_name("node1-ca@1577836800"));
    EXPECT_TRUE(is_kubelet_ca_name("ip-10-0-0-1.ec2.internal-ca@1600000000"));
    EXPECT_FALSE(is_kubelet_ca_name("kube-ca"));
    EXPECT_FALSE(is_kubelet_ca_name("node1@1577836800"));
    EXPECT_FALSE(is_kubelet_ca_name("-ca@1577836800"));
    EXPECT_FALSE(is_kubelet_ca_name("node1-ca@15778x"));
    EXPECT_TRUE(is_kubelet_self_signed_name("node1@1577836800"));
    EXPECT_FALSE(is_kubelet_self_signed_name("system:node:node1"));
}

TEST(RkeBenchmark, NumbersDifferPerProfile) {
    EXPECT_EQ(benchmark_ref("rke-cis-1.7", BenchmarkItem::tls_cert_file), "kube-bench rke-cis-1.7 4.2.9");
    EXPECT_EQ(benchmark_ref("rke-cis-1.7", BenchmarkItem::rotate_server_cert), "kube-bench rke-cis-1.7 4.2.11");
    EXPECT_EQ(benchmark_ref("rke-cis-1.23", BenchmarkItem::tls_cert_file), "kube-bench rke-cis-1.23 4.2.10");
    EXPECT_EQ(benchmark_ref("rke-cis-1.24", BenchmarkItem::rotate_server_cert), "kube-bench rke-cis-1.24 4.2.12");
    EXPECT_EQ(benchmark_ref("", BenchmarkItem::tls_cert_file), "kube-bench rke-cis-1.24 4.2.10");
    EXPECT_EQ(benchmark_ref("eks-1.8.0", BenchmarkItem::rotate_server_cert), "kube-bench rke-cis-1.24 4.2.12");
}

// --- findings from facts -------------------------------------------------------------------

constexpr std::int64_t k_now = 1'800'000'000;
constexpr std::int64_t k_day = 86400;
const Clock k_clock{k_now, 30 * k_day};

sdk::CertInfo cert(const std::string& cn, const std::string& issuer_cn, std::int64_t not_after, const std::string& fp) {
    sdk::CertInfo c;
    c.common_name = cn;
    c.issuer_common_name = issuer_cn;
    c.subject = "CN=" + cn;
    c.issuer = "CN=" + issuer_cn;
    c.self_signed = cn == issuer_cn;
    c.not_before = k_now - 300 * k_day;
    c.not_after = not_after;
    c.sha256_fingerprint = fp;
    return c;
}

Facts legacy_node(std::int64_t not_after, const std::string& served_fp = "AA") {
    Facts f;
    f.on_node = true;
    f.container = KubeletContainer{true, "rancher/hyperkube:v1.13.5-rancher1", {"kubelet", "--v=2"}};
    f.disk = DiskCert{std::string(k_legacy_cert_path), std::string(k_legacy_key_path), "test",
                      cert("node1@1577836800", "node1-ca@1577836800", not_after, "AA"), ""};
    f.served = ServedCert{"127.0.0.1:10250", cert("node1@1577836800", "node1-ca@1577836800", not_after, served_fp), ""};
    return f;
}

const sdk::Finding& find(const std::vector<sdk::Finding>& all, const std::string& id) {
    for (const auto& f : all)
        if (f.id == id) return f;
    throw std::runtime_error("no finding " + id);
}

TEST(RkeFindings, AdminHostWithoutNodeFiles) {
    Facts f;
    f.cluster = ClusterFacts{};
    f.cluster->path = "/cluster.yml";
    f.cluster->found = true;
    f.cluster->config.kubernetes_version = "v1.24.9-rancher1-1";
    const auto all = build_findings(f, "rke-cis-1.23", k_clock);
    ASSERT_EQ(all.size(), 4u);
    const auto& gen = find(all, k_check_generate);
    EXPECT_EQ(gen.status, sdk::Status::fail);
    EXPECT_TRUE(gen.fixable);
    EXPECT_EQ(gen.benchmark, "kube-bench rke-cis-1.23 4.2.10");
    EXPECT_EQ(gen.evidence.front().actual, "(absent)");
    EXPECT_EQ(find(all, k_check_expiry).status, sdk::Status::info);
    EXPECT_EQ(find(all, k_check_served).status, sdk::Status::info);
    EXPECT_EQ(find(all, k_check_legacy).status, sdk::Status::info);
}

TEST(RkeFindings, NoClusterConfigIsInfoAndMalformedIsError) {
    Facts none;
    EXPECT_EQ(find(build_findings(none, "", k_clock), k_check_generate).status, sdk::Status::info);
    Facts bad;
    bad.cluster = ClusterFacts{};
    bad.cluster->path = "/cluster.yml";
    bad.cluster->error = "/cluster.yml:3:10: bad";
    const auto all = build_findings(bad, "", k_clock);
    const auto& gen = find(all, k_check_generate);
    EXPECT_EQ(gen.status, sdk::Status::error);
    EXPECT_FALSE(gen.fixable);
    EXPECT_EQ(gen.evidence.front().actual, "/cluster.yml:3:10: bad");
}

TEST(RkeFindings, FreshLegacyCertificateFailsButIsNotRenewedAgain) {
    const auto facts = legacy_node(k_now + 200 * k_day);
    const auto all = build_findings(facts, "", k_clock);
    EXPECT_EQ(find(all, k_check_legacy).status, sdk::Status::fail);
    EXPECT_FALSE(find(all, k_check_legacy).fixable) << "renewing a fresh certificate would make every fix act";
    EXPECT_EQ(find(all, k_check_expiry).status, sdk::Status::pass);
    EXPECT_EQ(find(all, k_check_served).status, sdk::Status::pass);
    const auto plan = plan_fixes(facts, k_clock);
    EXPECT_FALSE(plan.regenerate);
    EXPECT_FALSE(plan.restart);
}

TEST(RkeFindings, ExpiringLegacyCertificateIsRenewedOnTheNode) {
    const auto facts = legacy_node(k_now + 5 * k_day);
    const auto all = build_findings(facts, "", k_clock);
    EXPECT_EQ(find(all, k_check_expiry).status, sdk::Status::warn);
    EXPECT_TRUE(find(all, k_check_expiry).fixable);
    EXPECT_TRUE(find(all, k_check_legacy).fixable);
    EXPECT_NE(find(all, k_check_legacy).remediation.find("docker exec kubelet rm -f"), std::string::npos);
    EXPECT_TRUE(plan_fixes(facts, k_clock).regenerate);
}

TEST(RkeFindings, WithClusterConfigTheConfigIsTheFixUnlessLegacyIsAsked) {
    auto facts = legacy_node(k_now - k_day);
    facts.cluster = ClusterFacts{};
    facts.cluster->path = "/cluster.yml";
    facts.cluster->config.kubernetes_version = "v1.10.1-rancher1";
    auto plan = plan_fixes(facts, k_clock);
    EXPECT_TRUE(plan.edit_config);
    EXPECT_FALSE(plan.regenerate);
    const auto all = build_findings(facts, "", k_clock);
    const auto& legacy = find(all, k_check_legacy);
    EXPECT_NE(legacy.remediation.find("predates RKE v1.0.0"), std::string::npos) << legacy.remediation;
    facts.options.legacy = true;
    plan = plan_fixes(facts, k_clock);
    EXPECT_TRUE(plan.regenerate);
}

TEST(RkeFindings, ServedCertificateThatDiffersFails) {
    auto facts = legacy_node(k_now + 200 * k_day, "BB");
    const auto all = build_findings(facts, "rke-cis-1.7", k_clock);
    const auto& served = find(all, k_check_served);
    EXPECT_EQ(served.status, sdk::Status::fail);
    EXPECT_TRUE(served.fixable);
    EXPECT_EQ(served.benchmark, "kube-bench rke-cis-1.7 4.2.11");
    EXPECT_TRUE(plan_fixes(facts, k_clock).restart);
    facts.served->cert.reset();
    facts.served->error = "connection refused";
    EXPECT_EQ(find(build_findings(facts, "", k_clock), k_check_served).status, sdk::Status::error);
}

TEST(RkeFindings, RkeGeneratedCertificateIsNotLegacy) {
    Facts f;
    f.on_node = true;
    f.disk =
        DiskCert{"/etc/kubernetes/ssl/kube-kubelet-10-0-0-1.pem", "/etc/kubernetes/ssl/kube-kubelet-10-0-0-1-key.pem",
                 "test", cert("kube-kubelet", "kube-ca", k_now - k_day, "CC"), ""};
    const auto all = build_findings(f, "", k_clock);
    EXPECT_EQ(find(all, k_check_legacy).status, sdk::Status::pass);
    const auto& expiry = find(all, k_check_expiry);
    EXPECT_EQ(expiry.status, sdk::Status::fail);
    EXPECT_FALSE(expiry.fixable);
    EXPECT_NE(expiry.remediation.find("rke cert rotate"), std::string::npos);
    const auto c = serving_certificate(f);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->authority, "kube-ca");
    EXPECT_TRUE(c->externally_managed);
}

} // namespace
} // namespace kubecert::rke
