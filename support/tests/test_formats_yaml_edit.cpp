#include <kubecert/formats/parse_error.hpp>
#include <kubecert/formats/yaml_edit.hpp>

#include <gtest/gtest.h>

#include <sstream>

#include "test_support.hpp"

using namespace kubecert::formats;
using kubecert::test::read_file;
using kubecert::test::upstream_fixtures;

namespace {

const std::vector<std::string> k_path{"services", "kubelet", "generate_serving_certificate"};

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines;
}

// Lines of `after` that are not in `before`, in order (a one-sided line diff good enough for inserts).
std::vector<std::string> added_lines(const std::string& before, const std::string& after) {
    const auto b = lines_of(before);
    const auto a = lines_of(after);
    std::vector<std::string> added;
    size_t i = 0;
    for (const auto& line : a) {
        if (i < b.size() && b[i] == line)
            ++i;
        else
            added.push_back(line);
    }
    EXPECT_EQ(i, b.size()) << "some original lines are gone or reordered";
    return added;
}

bool value_at(const std::string& text, const std::vector<std::string>& path, const std::string& expected) {
    YAML::Node n = parse_yaml(text, "check");
    for (const auto& k : path) {
        if (!n.IsMap()) return false;
        YAML::Node next = n[k];
        if (!next.IsDefined()) return false;
        n.reset(next);
    }
    return n.IsScalar() && n.Scalar() == expected;
}

} // namespace

TEST(FormatsYamlEdit, ParseErrorsAreOneBased) {
    try {
        parse_yaml("a: 1\nb: [1, 2\n", "/etc/rancher/cluster.yml");
        FAIL() << "no error";
    } catch (const ParseError& e) {
        EXPECT_EQ(e.source(), "/etc/rancher/cluster.yml");
        EXPECT_GE(e.line(), 2);
        EXPECT_GE(e.column(), 1);
    }
    try {
        parse_yaml("a: 1\n  b: 2\n", "f");
        FAIL() << "no error";
    } catch (const ParseError& e) {
        EXPECT_EQ(e.line(), 2);
        EXPECT_EQ(e.column(), 4);
        EXPECT_EQ(std::string(e.what()).rfind("f:2:4: ", 0), 0u) << e.what();
    }
    EXPECT_THROW(parse_yaml(std::string(100000, '['), "deep"), ParseError);
    EXPECT_THROW(parse_yaml(std::string(100000, '{'), "deep"), ParseError);
}

TEST(FormatsYamlEdit, UpstreamRkeClusterYmlGainsTheKeyUnderServicesKubelet) {
    const std::string original = read_file(upstream_fixtures() + "/rke/cluster.yml");
    // The 2018 example has services.kubelet but predates generate_serving_certificate.
    const YAML::Node tree = parse_yaml(original, "cluster.yml");
    ASSERT_TRUE(tree["services"]["kubelet"].IsMap());
    EXPECT_FALSE(tree["services"]["kubelet"]["generate_serving_certificate"].IsDefined());

    const std::string edited = yaml_set_scalar(original, "cluster.yml", k_path, "true");
    EXPECT_TRUE(value_at(edited, k_path, "true"));
    EXPECT_EQ(added_lines(original, edited), (std::vector<std::string>{"    generate_serving_certificate: true"}));
    // Right after the kubelet block's last line (its extra_binds list), before kubeproxy.
    EXPECT_NE(edited.find("kubelet-plugins\"\n    generate_serving_certificate: true\n  kubeproxy:\n"),
              std::string::npos);
    // A second run changes nothing.
    EXPECT_EQ(yaml_set_scalar(edited, "cluster.yml", k_path, "true"), edited);
}

TEST(FormatsYamlEdit, CommentsEverywhereSurvive) {
    const std::string original = "# head comment\n"
                                 "nodes: # inline\n"
                                 "  - address: 1.1.1.1 # node\n"
                                 "# between\n"
                                 "services:\n"
                                 "    # before kubelet\n"
                                 "    kubelet:   # kubelet comment\n"
                                 "        extra_args:\n"
                                 "            v: \"2\"   # verbosity\n"
                                 "        # trailing comment in kubelet\n"
                                 "    kubeproxy: {}\n"
                                 "# tail\n";
    const std::string edited = yaml_set_scalar(original, "c.yml", k_path, "true");
    for (const auto& line : lines_of(original)) EXPECT_NE(edited.find(line), std::string::npos) << line;
    EXPECT_EQ(added_lines(original, edited), (std::vector<std::string>{"        generate_serving_certificate: true"}));
    EXPECT_NE(edited.find("            v: \"2\"   # verbosity\n        generate_serving_certificate: true\n"),
              std::string::npos)
        << edited;
}

TEST(FormatsYamlEdit, MissingServicesIsAppendedAtTheEnd) {
    const std::string original = "nodes:\n  - address: 1.1.1.1\n    role: [worker]\n# end comment";
    const std::string edited = yaml_set_scalar(original, "c.yml", k_path, "true");
    EXPECT_EQ(edited, original + "\nservices:\n  kubelet:\n    generate_serving_certificate: true\n");
    EXPECT_EQ(yaml_set_scalar("", "c.yml", k_path, "true"),
              "services:\n  kubelet:\n    generate_serving_certificate: true\n");
    EXPECT_EQ(yaml_set_scalar("# only a comment\n", "c.yml", {"a"}, "1"), "# only a comment\na: 1\n");
}

TEST(FormatsYamlEdit, MissingKubeletUsesTheFileIndentation) {
    const std::string original =
        "services:\n    etcd:\n        snapshot: true\n    kube-api: {}\nnetwork:\n    plugin: canal\n";
    const std::string edited = yaml_set_scalar(original, "c.yml", k_path, "true");
    EXPECT_EQ(edited, "services:\n    etcd:\n        snapshot: true\n    kube-api: {}\n"
                      "    kubelet:\n        generate_serving_certificate: true\nnetwork:\n    plugin: canal\n");
}

TEST(FormatsYamlEdit, KubeletWithExtraArgs) {
    const std::string original =
        "services:\n  kubelet:\n    extra_args:\n      max-pods: 250\n      feature-gates: \"A=true\"\n";
    EXPECT_EQ(yaml_set_scalar(original, "c.yml", k_path, "true"),
              original + "    generate_serving_certificate: true\n");
    EXPECT_EQ(yaml_set_scalar(original, "c.yml", {"services", "kubelet", "extra_args", "rotate-server-certificates"},
                              "\"true\""),
              original + "      rotate-server-certificates: \"true\"\n");
}

TEST(FormatsYamlEdit, FlowMappingsAreEditedInPlace) {
    EXPECT_EQ(yaml_set_scalar("services: {kubelet: {}}\n", "c", k_path, "true"),
              "services: {kubelet: {generate_serving_certificate: true}}\n");
    EXPECT_EQ(yaml_set_scalar("services:\n  kubelet: {extra_args: {}}\n", "c", k_path, "true"),
              "services:\n  kubelet: {extra_args: {}, generate_serving_certificate: true}\n");
    EXPECT_EQ(yaml_set_scalar("services: {etcd: {}}  # c\n", "c", k_path, "true"),
              "services: {etcd: {}, kubelet: {generate_serving_certificate: true}}  # c\n");
    EXPECT_EQ(
        yaml_set_scalar("services: {kubelet: {generate_serving_certificate: false, x: 1}}\n", "c", k_path, "true"),
        "services: {kubelet: {generate_serving_certificate: true, x: 1}}\n");
}

TEST(FormatsYamlEdit, ExistingValueIsReplacedKeepingTheComment) {
    const std::string original =
        "services:\n  kubelet:\n    generate_serving_certificate: false   # was off\n    image: x\n";
    EXPECT_EQ(yaml_set_scalar(original, "c", k_path, "true"),
              "services:\n  kubelet:\n    generate_serving_certificate: true   # was off\n    image: x\n");
    const std::string quoted = "services:\n  kubelet:\n    generate_serving_certificate: \"false\"\n";
    EXPECT_EQ(yaml_set_scalar(quoted, "c", k_path, "true"),
              "services:\n  kubelet:\n    generate_serving_certificate: true\n");
    // A quoted "true" is a string, not the boolean: it is rewritten plain.
    EXPECT_EQ(yaml_set_scalar("a: 'true'\n", "c", {"a"}, "true"), "a: true\n");
    const std::string empty = "services:\n  kubelet:\n    generate_serving_certificate:\n    image: x\n";
    EXPECT_EQ(yaml_set_scalar(empty, "c", k_path, "true"),
              "services:\n  kubelet:\n    generate_serving_certificate: true\n    image: x\n");
}

TEST(FormatsYamlEdit, AlreadyTrueLeavesTheTextUntouched) {
    const std::string original = "services:\n  kubelet:\n    generate_serving_certificate: true # keep   \n";
    EXPECT_EQ(yaml_set_scalar(original, "c", k_path, "true"), original);
}

TEST(FormatsYamlEdit, EmptyKubeletKeyGetsABlockBelowIt) {
    const std::string original = "services:\n  kubelet:   # nothing yet\n  kubeproxy:\n";
    EXPECT_EQ(yaml_set_scalar(original, "c", k_path, "true"),
              "services:\n  kubelet:   # nothing yet\n    generate_serving_certificate: true\n  kubeproxy:\n");
    EXPECT_EQ(yaml_set_scalar("services:\n  kubelet: ~\n", "c", k_path, "true"),
              "services:\n  kubelet: {generate_serving_certificate: true}\n");
}

TEST(FormatsYamlEdit, CrlfLineEndingsStayCrlf) {
    const std::string original =
        "services:\r\n  kubelet:\r\n    image: x\r\n    generate_serving_certificate: false\r\n"
        "  kubeproxy: {}\r\n";
    EXPECT_EQ(
        yaml_set_scalar(original, "c", k_path, "true"),
        "services:\r\n  kubelet:\r\n    image: x\r\n    generate_serving_certificate: true\r\n  kubeproxy: {}\r\n");
    const std::string missing = "services:\r\n  kubelet:\r\n    image: x\r\n  kubeproxy: {}\r\n";
    EXPECT_EQ(
        yaml_set_scalar(missing, "c", k_path, "true"),
        "services:\r\n  kubelet:\r\n    image: x\r\n    generate_serving_certificate: true\r\n  kubeproxy: {}\r\n");
}

TEST(FormatsYamlEdit, KubeletConfigurationRotateCertificates) {
    const std::string original = "apiVersion: kubelet.config.k8s.io/v1beta1\n"
                                 "kind: KubeletConfiguration\n"
                                 "authentication:\n"
                                 "  x509:\n"
                                 "    clientCAFile: /etc/kubernetes/pki/ca.crt\n"
                                 "# rotation\n"
                                 "rotateCertificates: false\n"
                                 "staticPodPath: /etc/kubernetes/manifests\n";
    const std::string edited =
        yaml_set_scalar(original, "/var/lib/kubelet/config.yaml", {"rotateCertificates"}, "true");
    std::string expected = original;
    expected.replace(expected.find("rotateCertificates: false"), 25, "rotateCertificates: true");
    EXPECT_EQ(edited, expected);
    const std::string with_server = yaml_set_scalar(edited, "c", {"serverTLSBootstrap"}, "true");
    EXPECT_EQ(with_server, expected + "serverTLSBootstrap: true\n");
    EXPECT_EQ(yaml_set_scalar(with_server, "c", {"featureGates", "RotateKubeletServerCertificate"}, "true"),
              with_server + "featureGates:\n  RotateKubeletServerCertificate: true\n");
}

TEST(FormatsYamlEdit, BlockScalarAndMultilinePlainValuesAreReplacedWhole) {
    EXPECT_EQ(yaml_set_scalar("a: |\n  line one\n  line two\nb: 1\n", "c", {"a"}, "x"), "a: x\nb: 1\n");
    EXPECT_EQ(yaml_set_scalar("a: one\n  two\nb: 1\n", "c", {"a"}, "x"), "a: x\nb: 1\n");
}

TEST(FormatsYamlEdit, RefusesWhenThePathIsNotMappingsOrTheValueNotAScalar) {
    EXPECT_THROW(yaml_set_scalar("services:\n  - kubelet\n", "c", k_path, "true"), ParseError);
    EXPECT_THROW(yaml_set_scalar("services:\n  kubelet: on\n", "c", k_path, "true"), ParseError);
    EXPECT_THROW(
        yaml_set_scalar("services:\n  kubelet:\n    generate_serving_certificate:\n      a: 1\n", "c", k_path, "true"),
        ParseError);
    EXPECT_THROW(yaml_set_scalar("services:\n  kubelet:\n    generate_serving_certificate: [x]\n", "c", k_path, "true"),
                 ParseError);
    EXPECT_THROW(yaml_set_scalar("- a\n- b\n", "c", k_path, "true"), ParseError);
    try {
        yaml_set_scalar("services:\n  kubelet: [\n", "/x/cluster.yml", k_path, "true");
        FAIL() << "no error";
    } catch (const ParseError& e) {
        EXPECT_EQ(e.source(), "/x/cluster.yml");
        EXPECT_GT(e.line(), 0);
    }
}

TEST(FormatsYamlEdit, ValueSpanPointsInsideQuotes) {
    const std::string text = "a: \"quoted\"\nb: plain # c\nc:\n";
    const YAML::Node root = parse_yaml(text, "t");
    const auto a = yaml_value_span(text, "t", root, "a");
    EXPECT_EQ(text.substr(a.offset, a.length), "quoted");
    const auto b = yaml_value_span(text, "t", root, "b");
    EXPECT_EQ(text.substr(b.offset, b.length), "plain");
    const auto c = yaml_value_span(text, "t", root, "c");
    EXPECT_EQ(c.length, 0u);
    EXPECT_EQ(c.offset, text.size() - 1);
    EXPECT_THROW(yaml_value_span(text, "t", root, "d"), ParseError);
}

// "Billion laughs": nine levels of nine aliases are 387 million nodes to any
// reader; refused at once, naming the file, before any walk or edit.
TEST(YamlEdit, AliasBombsAreRefusedBeforeAnyoneWalksThem) {
    std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i <= 9; ++i) {
        const auto prev = "*a" + std::to_string(i - 1);
        text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
        for (int j = 1; j < 9; ++j) text += ", " + prev;
        text += "]\n";
    }
    text += "rotateCertificates: false\n";
    try {
        kubecert::formats::yaml_set_scalar(text, "config.yaml", {"rotateCertificates"}, "true");
        FAIL() << "an alias bomb was walked";
    } catch (const kubecert::formats::ParseError& e) {
        EXPECT_NE(std::string(e.what()).find("config.yaml"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("aliases are expanded"), std::string::npos) << e.what();
    }
    // Ordinary anchors still work.
    const std::string fine = "base: &b {x: 1}\nother: *b\nrotateCertificates: false\n";
    EXPECT_EQ(kubecert::formats::yaml_set_scalar(fine, "config.yaml", {"rotateCertificates"}, "true"),
              "base: &b {x: 1}\nother: *b\nrotateCertificates: true\n");
}
