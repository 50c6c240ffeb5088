#include <kubecert/formats/kubelet_flags.hpp>
#include <kubecert/formats/parse_error.hpp>

#include <gtest/gtest.h>

using namespace kubecert::formats;

TEST(FormatsKubeletFlags, ParsesEqualsSpaceAndBareForms) {
    const auto flags = parse_kubelet_flags({"--config", "/etc/kubernetes/kubelet/kubelet-config.json",
                                            "--rotate-certificates", "--kubeconfig=/var/lib/kubelet/kubeconfig", "-v=2",
                                            "--rotate-server-certificates=false", "positional"});
    ASSERT_EQ(flags.size(), 5u);
    EXPECT_EQ(flags[0].name, "config");
    EXPECT_EQ(flags[0].value, "/etc/kubernetes/kubelet/kubelet-config.json");
    EXPECT_EQ(flags[0].index, 0u);
    EXPECT_EQ(flags[1].name, "rotate-certificates");
    EXPECT_FALSE(flags[1].value.has_value());
    EXPECT_EQ(flags[1].index, 2u);
    EXPECT_EQ(flags[2].value, "/var/lib/kubelet/kubeconfig");
    EXPECT_EQ(flags[3].name, "v");
    EXPECT_EQ(flags[3].value, "2");
    EXPECT_EQ(flags[4].name, "rotate-server-certificates");
    EXPECT_EQ(flags[4].value, "false");
}

TEST(FormatsKubeletFlags, BooleanFlagsDoNotConsumeTheNextWord) {
    // As in the 2018 EKS unit: "--register-node true" is a bare boolean then a positional word.
    const auto flags =
        parse_kubelet_flags({"--register-node", "true", "--allow-privileged", "true", "--network-plugin", "cni"});
    ASSERT_EQ(flags.size(), 3u);
    EXPECT_EQ(flags[0].name, "register-node");
    EXPECT_FALSE(flags[0].value.has_value());
    EXPECT_EQ(flags[1].name, "allow-privileged");
    EXPECT_EQ(flags[2].value, "cni");
    EXPECT_EQ(flags[2].index, 4u);
}

TEST(FormatsKubeletFlags, UnknownFlagsTakeTheNextWordEvenIfItLooksLikeAFlag) {
    const auto flags = parse_kubelet_flags({"--some-new-flag", "--rotate-certificates", "--node-ip"});
    ASSERT_EQ(flags.size(), 2u);
    EXPECT_EQ(flags[0].name, "some-new-flag");
    EXPECT_EQ(flags[0].value, "--rotate-certificates");
    EXPECT_EQ(flags[1].name, "node-ip");
    EXPECT_FALSE(flags[1].value.has_value()); // nothing left to take
    EXPECT_FALSE(last_flag(flags, "rotate-certificates").has_value());
}

TEST(FormatsKubeletFlags, DoubleDashEndsFlagsAndBadSyntaxIsSkipped) {
    const auto flags = parse_kubelet_flags({"---x", "-", "--=y", "--v=1", "--", "--rotate-certificates"});
    ASSERT_EQ(flags.size(), 1u);
    EXPECT_EQ(flags[0].name, "v");
}

TEST(FormatsKubeletFlags, LastOccurrenceWins) {
    const auto flags = parse_kubelet_flags({"--rotate-certificates=false", "--v=2", "--rotate-certificates"});
    const auto f = last_flag(flags, "rotate-certificates");
    ASSERT_TRUE(f.has_value());
    EXPECT_FALSE(f->value.has_value());
    EXPECT_EQ(f->index, 2u);
    EXPECT_FALSE(last_flag(flags, "rotate").has_value());
}

TEST(FormatsKubeletFlags, KnowsTheBooleanKubeletFlags) {
    for (const char* b : {"rotate-certificates", "rotate-server-certificates", "register-node", "fail-swap-on",
                          "exit-on-lock-contention", "alsologtostderr", "logtostderr", "anonymous-auth",
                          "authentication-token-webhook", "make-iptables-util-chains", "protect-kernel-defaults",
                          "cgroups-per-qos", "serialize-image-pulls", "enable-server"})
        EXPECT_TRUE(is_boolean_kubelet_flag(b)) << b;
    for (const char* v : {"enforce-node-allocatable", "feature-gates", "config", "v", "cert-dir", "kubeconfig",
                          "node-ip", "tls-cert-file", "read-only-port", "rotate"})
        EXPECT_FALSE(is_boolean_kubelet_flag(v)) << v;
}

TEST(FormatsKubeletFlags, GoParseBoolExactly) {
    for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) EXPECT_EQ(parse_go_bool(t), true) << t;
    for (const char* f : {"0", "f", "F", "FALSE", "false", "False"}) EXPECT_EQ(parse_go_bool(f), false) << f;
    for (const char* bad : {"", "yes", "on", "tRUE", "True ", " true", "2", "fAlse"})
        EXPECT_FALSE(parse_go_bool(bad).has_value()) << bad;
}

TEST(FormatsKubeletFlags, FeatureGates) {
    EXPECT_EQ(parse_feature_gates("RotateKubeletServerCertificate=true", "f"),
              (std::map<std::string, bool>{{"RotateKubeletServerCertificate", true}}));
    EXPECT_EQ(parse_feature_gates(" A = true ,B=false,,C=1", "f"),
              (std::map<std::string, bool>{{"A", true}, {"B", false}, {"C", true}}));
    EXPECT_EQ(parse_feature_gates("A=false,A=true", "f").at("A"), true);
    EXPECT_TRUE(parse_feature_gates("", "f").empty());
    try {
        parse_feature_gates("A=true,Broken", "--feature-gates");
        FAIL() << "no error";
    } catch (const ParseError& e) {
        EXPECT_EQ(e.column(), 8);
        EXPECT_EQ(e.source(), "--feature-gates");
    }
    try {
        parse_feature_gates("A=true,B=yes", "--feature-gates");
        FAIL() << "no error";
    } catch (const ParseError& e) {
        EXPECT_EQ(e.column(), 10);
        EXPECT_NE(std::string(e.what()).find("yes"), std::string::npos);
    }
}
