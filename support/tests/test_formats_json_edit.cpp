#include <kubecert/formats/json_edit.hpp>
#include <kubecert/formats/parse_error.hpp>

#include <gtest/gtest.h>

#include "test_support.hpp"

using namespace kubecert::formats;
using kubecert::test::read_file;
using kubecert::test::upstream_fixtures;

namespace {

std::string fixture(const std::string& relative) {
    return read_file(upstream_fixtures() + "/" + relative);
}

std::vector<std::string> keys_of(const nlohmann::ordered_json& j) {
    std::vector<std::string> keys;
    for (const auto& [k, v] : j.items()) keys.push_back(k);
    return keys;
}

} // namespace

TEST(FormatsJsonEdit, EksConfigAlreadyRotatingIsLeftByteForByte) {
    const std::string original = fixture("amazon-eks-ami/kubelet-config.json");
    EXPECT_EQ(json_set(original, "kubelet-config.json", {"featureGates", "RotateKubeletServerCertificate"}, true),
              original);
    EXPECT_EQ(json_set(original, "kubelet-config.json", {"serverTLSBootstrap"}, true), original);
}

TEST(FormatsJsonEdit, Eks2018ConfigGainsServerTlsBootstrapAtTheEnd) {
    const std::string original = fixture("amazon-eks-ami/2018-67053cf-kubelet-config.json");
    const auto before = parse_json(original, "a");
    EXPECT_FALSE(before.contains("serverTLSBootstrap"));
    const std::string edited = json_set(original, "kubelet-config.json", {"serverTLSBootstrap"}, true);
    const auto after = parse_json(edited, "b");
    auto expected_keys = keys_of(before);
    expected_keys.push_back("serverTLSBootstrap");
    EXPECT_EQ(keys_of(after), expected_keys);
    EXPECT_EQ(after["serverTLSBootstrap"], true);
    EXPECT_EQ(after["authentication"], before["authentication"]);
    // Same two-space layout and final newline: the old text is the new one minus the added key.
    const std::string tail = "  \"featureGates\": {\n    \"RotateKubeletServerCertificate\": true\n  }";
    std::string expected = original;
    expected.replace(expected.find(tail), tail.size(), tail + ",\n  \"serverTLSBootstrap\": true");
    EXPECT_EQ(edited, expected);
}

TEST(FormatsJsonEdit, FeatureGateFalseBecomesTrueAndMissingGatesAreCreated) {
    const std::string original = fixture("amazon-eks-ami/2018-67053cf-kubelet-config.json");
    std::string off = original;
    off.replace(off.find("\"RotateKubeletServerCertificate\": true"), 38, "\"RotateKubeletServerCertificate\": false");
    const std::string on = json_set(off, "c", {"featureGates", "RotateKubeletServerCertificate"}, true);
    EXPECT_EQ(on, original);

    const std::string no_gates = json_erase(original, "c", {"featureGates"});
    EXPECT_FALSE(parse_json(no_gates, "c").contains("featureGates"));
    EXPECT_EQ(no_gates.back(), '\n');
    const std::string recreated = json_set(no_gates, "c", {"featureGates", "RotateKubeletServerCertificate"}, true);
    EXPECT_EQ(recreated, original);
    EXPECT_EQ(json_erase(original, "c", {"nope", "x"}), original);
}

TEST(FormatsJsonEdit, NodeadmFourSpaceFilesKeepTheirIndentation) {
    const std::string original = fixture("amazon-eks-ami/nodeadm-kubelet-config-dir-expected-kubelet-config.json");
    const auto before = parse_json(original, "config.json");
    const std::string edited =
        json_set(original, "config.json", {"featureGates", "RotateKubeletServerCertificate"}, false);
    const auto after = parse_json(edited, "config.json");
    EXPECT_EQ(after["featureGates"]["RotateKubeletServerCertificate"], false);
    EXPECT_EQ(keys_of(after), keys_of(before));
    EXPECT_NE(edited.find("\n    \"kind\": \"KubeletConfiguration\","), std::string::npos);
    EXPECT_EQ(edited.back(), '\n');
    const std::string dropin =
        fixture("amazon-eks-ami/nodeadm-kubelet-config-dir-expected-kubelet-config-drop-in.json");
    const std::string dropin_edited = json_set(dropin, "40-nodeadm.conf", {"serverTLSBootstrap"}, true);
    EXPECT_NE(dropin_edited.find("\n    \"serverTLSBootstrap\": true\n}"), std::string::npos) << dropin_edited;
    EXPECT_EQ(keys_of(parse_json(dropin_edited, "d")).front(), "kind");
}

TEST(FormatsJsonEdit, TabsMinifiedAndNoFinalNewline) {
    EXPECT_EQ(json_set("{\n\t\"a\": 1\n}", "t", {"b"}, "x"), "{\n\t\"a\": 1,\n\t\"b\": \"x\"\n}");
    EXPECT_EQ(json_set("{\"a\":{\"b\":1}}\n", "m", {"a", "c"}, true), "{\"a\":{\"b\":1,\"c\":true}}\n");
    EXPECT_EQ(json_set("{\r\n  \"a\": 1\r\n}\r\n", "w", {"a"}, 2), "{\r\n  \"a\": 2\r\n}\r\n");
}

TEST(FormatsJsonEdit, RefusesNonObjectsOnThePath) {
    EXPECT_THROW(json_set("{\"featureGates\": \"A=true\"}", "c", {"featureGates", "X"}, true), ParseError);
    EXPECT_THROW(json_set("[1, 2]", "c", {"a"}, true), ParseError);
}

TEST(FormatsJsonEdit, MalformedJsonNamesLineAndColumn) {
    try {
        parse_json("{\n  \"a\": 1,\n  \"b\": tru\n}\n", "/etc/kubernetes/kubelet/kubelet-config.json");
        FAIL() << "no error";
    } catch (const ParseError& e) {
        EXPECT_EQ(e.source(), "/etc/kubernetes/kubelet/kubelet-config.json");
        EXPECT_EQ(e.line(), 3);
        EXPECT_EQ(e.column(), 11); // the newline where "true" was expected to go on
    }
    try {
        json_set("{\n  \"a\": 1\n  \"b\": 2\n}\n", "k.json", {"a"}, 2);
        FAIL() << "no error";
    } catch (const ParseError& e) {
        // nlohmann reports where it stopped reading: the end of the unexpected "b".
        EXPECT_EQ(e.line(), 3);
        EXPECT_EQ(e.column(), 5);
        EXPECT_EQ(std::string(e.what()).rfind("k.json:3:5: ", 0), 0u) << e.what();
    }
}

TEST(FormatsJsonEdit, HostileInputIsAnErrorNotACrash) {
    EXPECT_THROW(parse_json(std::string(200000, '['), "deep"), ParseError);
    EXPECT_THROW(parse_json("{\"a\": 1e99999}", "huge"), ParseError);
    EXPECT_THROW(parse_json(std::string("{\"a\": \"x\0y\"}", 12), "nul"), ParseError);
    EXPECT_THROW(parse_json("", "empty"), ParseError);
    const auto big = parse_json("{\"a\": 123456789012345678901234567890}", "big");
    EXPECT_TRUE(big["a"].is_number_float());
}

// A scalar is set by editing only its bytes (or inserting one member), so
// one-line arrays and every other byte of the file stay as they were.
namespace {
using kubecert::formats::json_set;
TEST(FormatsJsonEditInPlace, ReplacesOnlyTheValueBytes) {
    const std::string t =
        "{\n  \"a\": [1, 2,   3],\n  \"featureGates\": {\n    \"RotateKubeletServerCertificate\": false\n  }\n}\n";
    EXPECT_EQ(
        json_set(t, "c.json", {"featureGates", "RotateKubeletServerCertificate"}, true),
        "{\n  \"a\": [1, 2,   3],\n  \"featureGates\": {\n    \"RotateKubeletServerCertificate\": true\n  }\n}\n");
    const std::string done = "{\"serverTLSBootstrap\": true}";
    EXPECT_EQ(json_set(done, "c.json", {"serverTLSBootstrap"}, true), done);
}

TEST(FormatsJsonEditInPlace, InsertsMissingMembersIndentedLikeTheirSiblings) {
    const std::string t = "{\n    \"kind\": \"KubeletConfiguration\",\n    \"list\": [\"x\", \"y\"]\n}\n";
    EXPECT_EQ(json_set(t, "c.json", {"featureGates", "RotateKubeletServerCertificate"}, true),
              "{\n    \"kind\": \"KubeletConfiguration\",\n    \"list\": [\"x\", \"y\"],\n    \"featureGates\": {\n"
              "        \"RotateKubeletServerCertificate\": true\n    }\n}\n");
    const std::string gates = "{\n\t\"featureGates\": {\n\t\t\"Other\": true\n\t}\n}";
    EXPECT_EQ(json_set(gates, "c.json", {"featureGates", "RotateKubeletServerCertificate"}, true),
              "{\n\t\"featureGates\": {\n\t\t\"Other\": true,\n\t\t\"RotateKubeletServerCertificate\": true\n\t}\n}");
    EXPECT_EQ(json_set("{\"a\": 1}", "c.json", {"b"}, false), "{\"a\": 1, \"b\": false}");
}

TEST(FormatsJsonEditInPlace, MalformedOrWrongShapeIsAParseError) {
    try {
        json_set("{\n  \"a\": tru\n}\n", "/etc/kubernetes/kubelet/kubelet-config.json", {"a"}, true);
        FAIL() << "no ParseError";
    } catch (const kubecert::formats::ParseError& e) {
        EXPECT_EQ(e.source(), "/etc/kubernetes/kubelet/kubelet-config.json");
        EXPECT_EQ(e.line(), 2);
    }
    EXPECT_THROW(json_set("{\"featureGates\": [1]}", "c.json", {"featureGates", "X"}, true),
                 kubecert::formats::ParseError);
}

} // namespace
