#include <kubecert/formats/kubelet_flags.hpp>
#include <kubecert/formats/parse_error.hpp>
#include <kubecert/formats/systemd_unit.hpp>

#include <gtest/gtest.h>

#include "test_support.hpp"

using namespace kubecert::formats;
using kubecert::test::read_file;
using kubecert::test::upstream_fixtures;

namespace {

SystemdUnit load(const std::string& relative) {
    const std::string path = upstream_fixtures() + "/" + relative;
    return parse_systemd_unit(read_file(path), path);
}

// The environment a unit's Environment= lines give ExecStart.
std::map<std::string, std::string> environment_of(const std::vector<SystemdUnit>& units) {
    std::map<std::string, std::string> env;
    for (const auto& e : effective_values(units, "Service", "Environment"))
        for (auto& [k, v] : parse_environment_assignments(e.value)) env[k] = v;
    return env;
}

std::vector<std::string> exec_start(const std::vector<SystemdUnit>& units,
                                    const std::map<std::string, std::string>& env) {
    const auto values = effective_values(units, "Service", "ExecStart");
    EXPECT_EQ(values.size(), 1u);
    return values.empty() ? std::vector<std::string>{} : split_exec_line(values.back().value, env);
}

} // namespace

TEST(FormatsSystemdUnit, EksInitialReleaseJoinsTheLongContinuedExecStart) {
    const auto unit = load("amazon-eks-ami/2018-19279be-kubelet.service");
    const auto values = effective_values({unit}, "Service", "ExecStart");
    ASSERT_EQ(values.size(), 1u);
    EXPECT_EQ(values[0].line, 8);
    EXPECT_EQ(values[0].source, upstream_fixtures() + "/amazon-eks-ami/2018-19279be-kubelet.service");
    const auto words = split_exec_line(values[0].value, {});
    ASSERT_EQ(words.size(), 21u);
    EXPECT_EQ(words.front(), "/usr/bin/kubelet");
    EXPECT_EQ(words[1], "--address=0.0.0.0");
    EXPECT_EQ(words[18], "--feature-gates=RotateKubeletServerCertificate=true");
    EXPECT_EQ(words.back(), "--client-ca-file=CLIENT_CA_FILE");
    const auto flags = parse_kubelet_flags({words.begin() + 1, words.end()});
    const auto gates = last_flag(flags, "feature-gates");
    ASSERT_TRUE(gates && gates->value);
    EXPECT_EQ(parse_feature_gates(*gates->value, "ExecStart"),
              (std::map<std::string, bool>{{"RotateKubeletServerCertificate", true}}));
    // The keys after the blank line are still in [Service].
    const auto restart = effective_values({unit}, "Service", "Restart");
    ASSERT_EQ(restart.size(), 1u);
    EXPECT_EQ(restart[0].value, "on-failure");
    EXPECT_EQ(effective_values({unit}, "Install", "WantedBy").at(0).value, "multi-user.target");
}

TEST(FormatsSystemdUnit, Eks2018ConfigUnitExpandsArgsVariablesFromTheEnvironment) {
    const auto unit = load("amazon-eks-ami/2018-67053cf-kubelet.service");
    const auto words = exec_start({unit}, {{"KUBELET_ARGS", "--node-ip=10.0.0.5 --pod-infra-container-image=pause:3.1"},
                                           {"KUBELET_EXTRA_ARGS", ""}});
    const std::vector<std::string> expected{"/usr/bin/kubelet",
                                            "--cloud-provider",
                                            "aws",
                                            "--config",
                                            "/etc/systemd/system/kubelet.service.d/kubelet-config.json",
                                            "--kubeconfig",
                                            "/var/lib/kubelet/kubeconfig",
                                            "--allow-privileged",
                                            "true",
                                            "--container-runtime",
                                            "docker",
                                            "--network-plugin",
                                            "cni",
                                            "--register-node",
                                            "true",
                                            "--node-ip=10.0.0.5",
                                            "--pod-infra-container-image=pause:3.1"};
    EXPECT_EQ(words, expected);
}

TEST(FormatsSystemdUnit, Al2KubeletUnitsKeepEveryFlagAndDropUnknownVariables) {
    for (const char* file : {"amazon-eks-ami/kubelet.service", "amazon-eks-ami/kubelet-containerd.service"}) {
        const auto unit = load(file);
        const auto words = exec_start({unit}, {});
        ASSERT_GE(words.size(), 5u) << file;
        EXPECT_EQ(words[0], "/usr/bin/kubelet");
        EXPECT_EQ(words[1], "--config");
        EXPECT_EQ(words[2], "/etc/kubernetes/kubelet/kubelet-config.json");
        EXPECT_EQ(words.back(), "/etc/eks/image-credential-provider") << file;
        for (const auto& w : words) EXPECT_EQ(w.find('$'), std::string::npos) << w;
        const auto pre = effective_values({unit}, "Service", "ExecStartPre");
        ASSERT_EQ(pre.size(), 1u);
        EXPECT_EQ(pre[0].value, "/sbin/iptables -P FORWARD ACCEPT -w 5");
    }
    const auto words = exec_start({load("amazon-eks-ami/kubelet-containerd.service")},
                                  {{"KUBELET_EXTRA_ARGS", "--rotate-server-certificates --v=2"}});
    EXPECT_EQ(std::vector<std::string>(words.end() - 2, words.end()),
              (std::vector<std::string>{"--rotate-server-certificates", "--v=2"}));
}

TEST(FormatsSystemdUnit, Al2023UnitTakesArgsFromItsEnvironmentFile) {
    const auto unit = load("amazon-eks-ami/al2023-kubelet.service");
    const auto files = effective_values({unit}, "Service", "EnvironmentFile");
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(files[0].value, "/etc/eks/kubelet/environment");
    const auto env = parse_env_file(
        "NODEADM_KUBELET_ARGS=--node-ip=192.168.0.7 --hostname-override=ip-192-168-0-7 --cloud-provider=external\n",
        "/etc/eks/kubelet/environment");
    const auto words = exec_start({unit}, env);
    EXPECT_EQ(words, (std::vector<std::string>{"/usr/bin/kubelet", "--node-ip=192.168.0.7",
                                               "--hostname-override=ip-192-168-0-7", "--cloud-provider=external"}));
}

TEST(FormatsSystemdUnit, NodeadmEnvironmentDropInQuotesWholeAssignments) {
    const auto dropin = load("amazon-eks-ami/nodeadm-expected-config-service-specific-kubelet.conf");
    EXPECT_EQ(environment_of({dropin}),
              (std::map<std::string, std::string>{{"HTTP_PROXY", "http://kubelet-proxy:8080"},
                                                  {"KUBELET_SPECIFIC_VAR", "kubelet-value"}}));
}

TEST(FormatsSystemdUnit, KubeadmDropInResetsExecStartOfThePackageUnit) {
    const auto base = load("kubernetes-release/kubelet.service");
    EXPECT_EQ(effective_values({base}, "Service", "ExecStart").at(0).value, "/usr/bin/kubelet");
    for (const char* file :
         {"kubernetes-release/10-kubeadm.conf", "kubernetes-release/deb-post-1.10-10-kubeadm.conf"}) {
        const auto dropin = load(file);
        const std::vector<SystemdUnit> units{base, dropin};
        const auto exec = effective_values(units, "Service", "ExecStart");
        ASSERT_EQ(exec.size(), 1u) << file;
        EXPECT_EQ(exec[0].line, 11);
        auto env = environment_of(units);
        EXPECT_EQ(env.at("KUBELET_CONFIG_ARGS"), "--config=/var/lib/kubelet/config.yaml");
        // kubeadm-flags.env and /etc/default/kubelet as kubeadm and the package write them.
        for (auto& [k, v] : parse_env_file("KUBELET_KUBEADM_ARGS=\"--container-runtime-endpoint=unix:///var/run/"
                                           "containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/"
                                           "pause:3.9\"\n",
                                           "/var/lib/kubelet/kubeadm-flags.env"))
            env[k] = v;
        for (auto& [k, v] :
             parse_env_file(read_file(upstream_fixtures() + "/kubernetes-release/kubelet.env"), "kubelet.env"))
            env[k] = v;
        EXPECT_EQ(split_exec_line(exec[0].value, env),
                  (std::vector<std::string>{
                      "/usr/bin/kubelet", "--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf",
                      "--kubeconfig=/etc/kubernetes/kubelet.conf", "--config=/var/lib/kubelet/config.yaml",
                      "--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock",
                      "--pod-infra-container-image=registry.k8s.io/pause:3.9"}));
        const auto files = effective_values(units, "Service", "EnvironmentFile");
        ASSERT_EQ(files.size(), 2u);
        EXPECT_EQ(files[0].value, "-/var/lib/kubelet/kubeadm-flags.env");
    }
}

TEST(FormatsSystemdUnit, LegacyKubeadmDropInsCarryTheRotationFlags) {
    const auto post18 = load("kubernetes-release/deb-post-1.8-10-kubeadm.conf");
    const auto words = exec_start({post18}, environment_of({post18}));
    const auto flags = parse_kubelet_flags({words.begin() + 1, words.end()});
    const auto rotate = last_flag(flags, "rotate-certificates");
    ASSERT_TRUE(rotate.has_value());
    EXPECT_EQ(rotate->value, "true");
    EXPECT_EQ(last_flag(flags, "cert-dir")->value, "/var/lib/kubelet/pki");
    EXPECT_EQ(words.size(), 15u);

    const auto pre18 = load("kubernetes-release/deb-pre-1.8-10-kubeadm.conf");
    const auto old = exec_start({pre18}, environment_of({pre18}));
    EXPECT_FALSE(last_flag(parse_kubelet_flags({old.begin() + 1, old.end()}), "rotate-certificates").has_value());
    EXPECT_EQ(last_flag(parse_kubelet_flags({old.begin() + 1, old.end()}), "require-kubeconfig")->value, "true");
}

TEST(FormatsSystemdUnit, PackageEnvFileHasAnEmptyExtraArgs) {
    const auto env = parse_env_file(read_file(upstream_fixtures() + "/kubernetes-release/kubelet.env"), "kubelet.env");
    EXPECT_EQ(env, (std::map<std::string, std::string>{{"KUBELET_EXTRA_ARGS", ""}}));
}

TEST(FormatsSystemdUnit, ContinuationsSkipCommentLinesAndBlanksAroundEquals) {
    const auto unit = parse_systemd_unit("; top comment\n"
                                         "[Service]\n"
                                         "  Environment = \"A=one two\" B=three  \n"
                                         "ExecStart=/usr/bin/kubelet \\\n"
                                         "# a comment inside\n"
                                         "; another\n"
                                         "    --v=2 \\\n"
                                         "    --x=${A}\n"
                                         "Restart=always\r\n",
                                         "unit");
    ASSERT_EQ(unit.entries.size(), 3u);
    EXPECT_EQ(unit.entries[0].key, "Environment");
    EXPECT_EQ(unit.entries[0].value, "\"A=one two\" B=three");
    EXPECT_EQ(unit.entries[1].line, 4);
    EXPECT_EQ(unit.entries[1].value, "/usr/bin/kubelet      --v=2      --x=${A}");
    EXPECT_EQ(unit.entries[2].value, "always");
    EXPECT_EQ(unit.entries[2].line, 9);
    const auto env = environment_of({unit});
    EXPECT_EQ(env.at("A"), "one two");
    EXPECT_EQ(env.at("B"), "three");
    EXPECT_EQ(split_exec_line(unit.entries[1].value, env),
              (std::vector<std::string>{"/usr/bin/kubelet", "--v=2", "--x=one two"}));
}

TEST(FormatsSystemdUnit, EmptyAssignmentResetsAcrossDropIns) {
    const auto base = parse_systemd_unit("[Service]\nEnvironment=A=1\nExecStart=/bin/a\n", "base");
    const auto one = parse_systemd_unit("[Service]\nEnvironment=B=2\nExecStart=\nExecStart=/bin/b --x\n", "10.conf");
    const auto two = parse_systemd_unit("[Service]\nEnvironment=\nEnvironment=C=3\n", "20.conf");
    const auto env = effective_values({base, one, two}, "Service", "Environment");
    ASSERT_EQ(env.size(), 1u);
    EXPECT_EQ(env[0].value, "C=3");
    EXPECT_EQ(env[0].source, "20.conf");
    const auto exec = effective_values({base, one, two}, "Service", "ExecStart");
    ASSERT_EQ(exec.size(), 1u);
    EXPECT_EQ(exec[0].value, "/bin/b --x");
    EXPECT_EQ(effective_values({base, one}, "Service", "Environment").size(), 2u);
}

TEST(FormatsSystemdUnit, RejectsLinesThatAreNotUnitSyntaxWithTheirLine) {
    try {
        parse_systemd_unit("[Service]\nExecStart=/bin/x\nthis is not an assignment\n", "/etc/systemd/system/k.service");
        FAIL() << "no error";
    } catch (const ParseError& e) {
        EXPECT_EQ(e.line(), 3);
        EXPECT_EQ(e.source(), "/etc/systemd/system/k.service");
        EXPECT_EQ(std::string(e.what()).rfind("/etc/systemd/system/k.service:3:1: ", 0), 0u) << e.what();
    }
    EXPECT_THROW(parse_systemd_unit("ExecStart=/bin/x\n", "u"), ParseError);
    EXPECT_THROW(parse_systemd_unit("[Service\n", "u"), ParseError);
    // NUL bytes and odd bytes do not crash.
    const char raw[] = "[Service]\nExec\0Start=/bin/\0x\n";
    const std::string junk(raw, sizeof raw - 1);
    EXPECT_NO_THROW(parse_systemd_unit(junk, "u"));
}

TEST(FormatsSystemdUnit, ExecStartQuotingEscapesAndPrefixes) {
    const std::map<std::string, std::string> env{{"ARGS", "--a=1  --b=\"two words\""}, {"ONE", "x y"}};
    EXPECT_EQ(split_exec_line(
                  "-/usr/bin/kubelet \"--node-labels=a=b c\" '--x=$ONE' $ARGS ${ONE} $MISSING ${MISSING}z $$HOME", env),
              (std::vector<std::string>{"/usr/bin/kubelet", "--node-labels=a=b c", "--x=$ONE", "--a=1", "--b=two words",
                                        "x y", "z", "$HOME"}));
    EXPECT_EQ(split_exec_line("@/bin/k \\\"q\\\" a\\ b", {}), (std::vector<std::string>{"/bin/k", "\"q\"", "a b"}));
    EXPECT_EQ(split_exec_line("+!/bin/k", {}), (std::vector<std::string>{"/bin/k"}));
}

TEST(FormatsSystemdUnit, EnvFileSyntax) {
    const auto env = parse_env_file("# comment\n"
                                    "; also a comment\n"
                                    "\n"
                                    "export KUBELET_EXTRA_ARGS=\"--node-labels=a=b --v=2\"\n"
                                    "SINGLE='it is $literal'\n"
                                    "PLAIN=  spaced value  \n"
                                    "ESCAPED=\"say \\\"hi\\\"\"\n"
                                    "CONT=one \\\ntwo\n"
                                    "MULTI=\"a\nb\"\r\n"
                                    "EMPTY=\n",
                                    "/etc/default/kubelet");
    EXPECT_EQ(env.at("KUBELET_EXTRA_ARGS"), "--node-labels=a=b --v=2");
    EXPECT_EQ(env.at("SINGLE"), "it is $literal");
    EXPECT_EQ(env.at("PLAIN"), "spaced value");
    EXPECT_EQ(env.at("ESCAPED"), "say \"hi\"");
    EXPECT_EQ(env.at("CONT"), "one two");
    EXPECT_EQ(env.at("MULTI"), "a\nb");
    EXPECT_EQ(env.at("EMPTY"), "");
    EXPECT_EQ(env.size(), 7u);
    try {
        parse_env_file("A=1\n\n  --rotate-certificates\n", "/etc/default/kubelet");
        FAIL() << "no error";
    } catch (const ParseError& e) {
        EXPECT_EQ(e.line(), 3);
        EXPECT_EQ(e.column(), 3);
    }
    EXPECT_THROW(parse_env_file("A=\"never closed\n", "f"), ParseError);
}

TEST(FormatsSystemdUnit, SplitWordsIsShellLike) {
    EXPECT_EQ(split_words("  --a=1\t--b \"two words\" '--c=$X' --d=\\\"q\\\"  "),
              (std::vector<std::string>{"--a=1", "--b", "two words", "--c=$X", "--d=\"q\""}));
    EXPECT_TRUE(split_words("   ").empty());
    EXPECT_EQ(split_words("a \\"), (std::vector<std::string>{"a"}));
    EXPECT_EQ(split_words("a '' \"\""), (std::vector<std::string>{"a", "", ""}));
    EXPECT_EQ(split_exec_line("/bin/k x\\", {}), (std::vector<std::string>{"/bin/k", "x"}));
}

// A continuation of 60,000 lines is one logical line, read in linear time
// (it was quadratic: 100k lines took minutes); past systemd's 1 MiB line
// limit the file is malformed, with the line where it started.
TEST(FormatsSystemdUnit, LongContinuationsAreLinearAndBoundedLikeSystemd) {
    std::string text = "[Service]\nExecStart=/usr/bin/kubelet \\\n";
    for (int i = 0; i < 60000; ++i) text += "a \\\n";
    text += "--last\n";
    const auto unit = parse_systemd_unit(text, "kubelet.service");
    ASSERT_EQ(unit.entries.size(), 1u);
    EXPECT_EQ(unit.entries[0].line, 2);
    // Each backslash-newline becomes one blank, as systemd joins them.
    EXPECT_EQ(unit.entries[0].value.size(), std::string("/usr/bin/kubelet  ").size() + 60000 * 3 + 6);
    EXPECT_EQ(unit.entries[0].value.substr(unit.entries[0].value.size() - 9), "a  --last");

    std::string huge = "[Service]\n\nExecStart=/usr/bin/kubelet \\\n";
    for (int i = 0; i < 300000; ++i) huge += "--x \\\n";
    try {
        parse_systemd_unit(huge, "kubelet.service");
        FAIL() << "a logical line over 1 MiB was accepted";
    } catch (const ParseError& e) {
        EXPECT_EQ(std::string(e.what()), "kubelet.service:3:1: line longer than systemd's limit of 1 MiB");
    }
}
