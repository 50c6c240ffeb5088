// The text report of a node that needs attention, read at a glance: one line
// per finding that says what is the case, details where action is needed,
// each remediation once, and the command that fixes what is fixable.
#include <gtest/gtest.h>

#include <sstream>

#include "kubeadm_node.hpp"

using namespace kubecert::test;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

// Text audit of `node` with the stand-ins on PATH.
ProcResult text_audit(const KubeadmTestNode& node, const std::vector<std::string>& extra = {},
                      std::map<std::string, std::string> env = {}) {
    std::vector<std::string> args = {"--root", node.root.path(), "--flavor", "kubeadm"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back("audit");
    env["PATH"] = path_with(node.bin.path());
    env["HOME"] = "/home/alice";
    return run_kubecert(args, env);
}

} // namespace

TEST(TextAtAGlance, ControlPlaneTwoWeeksFromExpiryFitsOnOneScreen) {
    KubeadmNodeSpec spec;
    spec.default_days = 14;
    KubeadmTestNode node(spec);
    const auto r = text_audit(node);
    EXPECT_EQ(r.exit_code, 0) << r.err; // WARN only
    const auto lines = lines_of(r.out);
    EXPECT_LE(lines.size(), 30u) << r.out;
    // Each finding's line says what is the case, not what the check wants.
    bool found = false;
    for (const auto& l : lines) {
        if (l.rfind("WARN    kubeadm.cert-expiry/admin.conf ", 0) == 0) {
            found = true;
            EXPECT_NE(l.find(" expires in 13d ("), std::string::npos) << l; // 14 days less the seconds since
            EXPECT_NE(l.find(" UTC)"), std::string::npos) << l;
        }
        EXPECT_EQ(l.find("is valid and not about to expire"), std::string::npos) << l;
    }
    EXPECT_TRUE(found) << r.out;
    EXPECT_EQ(count_of(r.out, "remediation:"), 0u) << "WARN details only with -v:\n" << r.out;
    EXPECT_NE(
        r.out.find("\nto fix the 11 fixable findings: kubecert --root " + node.root.path() + " --flavor kubeadm fix\n"),
        std::string::npos)
        << r.out;
    // The INFO: kubeadm.kubelet-serving-csrs, not applicable while serverTLSBootstrap is off.
    EXPECT_EQ(lines.back(), "summary: 6 PASS, 0 FAIL, 12 WARN, 1 INFO, 0 ERROR");
}

TEST(TextAtAGlance, VerboseShowsWarnDetailsWithEachRemediationOnce) {
    KubeadmNodeSpec spec;
    spec.default_days = 14;
    KubeadmTestNode node(spec);
    const auto r = text_audit(node, {"-v"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(count_of(r.out, "remediation: Renew with `kubecert --flavor kubeadm fix`"), 1u) << r.out;
    EXPECT_EQ(count_of(r.out, "remediation: the same as for kubeadm.cert-expiry/"), 10u) << r.out;
    EXPECT_NE(r.out.find("residual = expires in 13d"), std::string::npos) << r.out;
}

TEST(TextAtAGlance, ExpiredControlPlaneShowsFailEvidenceAndWhatToRun) {
    KubeadmNodeSpec spec;
    spec.default_days = -2;
    KubeadmTestNode node(spec);
    const auto r = text_audit(node);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.out.find("FAIL    kubeadm.cert-expiry/apiserver"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("expired 2d ago ("), std::string::npos) << r.out;
    // FAIL keeps its evidence; the remediation is printed once for all eleven.
    EXPECT_NE(r.out.find("/etc/kubernetes/pki/apiserver.crt: residual = expired"), std::string::npos) << r.out;
    EXPECT_EQ(count_of(r.out, "remediation: Renew with"), 1u) << r.out;
    EXPECT_NE(r.out.find("\nto fix the 11 fixable findings: kubecert --root "), std::string::npos) << r.out;
}

TEST(TextAtAGlance, ColoursOnlyOnATerminalAndNotWithNoColor) {
    if (run({"sh", "-c", "command -v script"}).exit_code != 0) GTEST_SKIP() << "script(1) not installed";
    KubeadmNodeSpec spec;
    spec.default_days = 14;
    KubeadmTestNode node(spec);
    const std::string cmd = "'" + kubecert_binary() + "' --root '" + node.root.path() + "' --flavor kubeadm audit";
    // script(1) gives kubecert a terminal.
    const auto tty =
        run({"script", "-qec", cmd, "/dev/null"}, {{"PATH", path_with(node.bin.path())}, {"NO_COLOR", "\x01unset"}});
    EXPECT_NE(tty.out.find("\x1b[33mWARN\x1b[0m"), std::string::npos) << tty.out;
    const auto no_color =
        run({"script", "-qec", cmd, "/dev/null"}, {{"PATH", path_with(node.bin.path())}, {"NO_COLOR", "1"}});
    EXPECT_NE(no_color.out.find("WARN"), std::string::npos) << no_color.out;
    EXPECT_EQ(no_color.out.find("\x1b["), std::string::npos) << no_color.out;
    // Not a terminal: no colours.
    const auto piped = text_audit(node, {}, {{"NO_COLOR", "\x01unset"}});
    EXPECT_EQ(piped.out.find('\x1b'), std::string::npos);
}
