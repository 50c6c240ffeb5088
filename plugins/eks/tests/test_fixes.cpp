// The EKS plugin's fix plans, from in-memory facts: what the audit offers is what fix() would do.
#include <gtest/gtest.h>

#include "findings.hpp"
#include "fixes.hpp"
#include "node_facts.hpp"

namespace {

using namespace kubecert::eks;
using kubecert::eks::testing::k_config;
using kubecert::eks::testing::k_unit;
using kubecert::eks::testing::sources;

TEST(EksFixes, GateOffInTheFileIsSetThere) {
    const auto plan =
        plan_rotate_server_cert(sources("", R"({"featureGates": {"RotateKubeletServerCertificate": false}})"));
    ASSERT_TRUE(plan.possible());
    ASSERT_EQ(plan.edits.size(), 1u);
    EXPECT_EQ(plan.edits[0].path, k_config);
    const std::string edited = plan.edits[0].apply(R"({"featureGates": {"RotateKubeletServerCertificate": false}})");
    EXPECT_NE(edited.find("true"), std::string::npos) << edited;
}

TEST(EksFixes, BogusFlagIsRemovedFromTheUnit) {
    const auto plan = plan_rotate_server_cert(sources("--rotate-kubelet-server-certificate=true",
                                                      R"({"featureGates": {"RotateKubeletServerCertificate": true}})"));
    ASSERT_EQ(plan.edits.size(), 1u);
    EXPECT_EQ(plan.edits[0].path, k_unit);
    const std::string unit =
        "[Unit]\n\n[Service]\n\nExecStart=/usr/bin/kubelet --rotate-kubelet-server-certificate=true "
        "--config=" +
        k_config + "\n";
    EXPECT_EQ(plan.edits[0].apply(unit),
              "[Unit]\n\n[Service]\n\nExecStart=/usr/bin/kubelet --config=" + k_config + "\n");
}

TEST(EksFixes, ProcessOnlyFlagCannotBeEdited) {
    KubeletSources s;
    CommandLine process;
    process.source = "/proc/42/cmdline";
    process.from_process = true;
    process.args.push_back({"--rotate-server-certificates=false", {}});
    s.process = process;
    const auto plan = plan_server_tls_bootstrap(s);
    EXPECT_FALSE(plan.possible());
    EXPECT_FALSE(plan.blocker.empty());
}

TEST(EksFixes, PlansAndOffersFollowTheFindings) {
    Facts facts;
    facts.sources = sources("");
    facts.selected = {k_server_tls_bootstrap, k_serving_cert_expiry};
    auto findings = std::vector<kubecert::sdk::Finding>{check_server_tls_bootstrap(*facts.sources)};
    const auto plans = plan_fixes(facts, findings);
    ASSERT_EQ(plans.count(k_server_tls_bootstrap), 1u);
    offer_fixes(findings, plans, facts);
    EXPECT_TRUE(findings[0].fixable);
}

TEST(EksFixes, LiveConfigzBehindTheFilesIsARestart) {
    Facts facts;
    facts.sources = sources("", R"({"serverTLSBootstrap": true})");
    facts.configz.state = ConfigzFacts::State::answered;
    facts.configz.server_tls_bootstrap = false;
    auto findings = std::vector<kubecert::sdk::Finding>{check_configz(facts.configz, &*facts.sources)};
    const auto plans = plan_fixes(facts, findings);
    ASSERT_EQ(plans.count(k_configz), 1u);
    EXPECT_TRUE(plans.at(k_configz).restart_only);
    offer_fixes(findings, plans, facts);
    EXPECT_TRUE(findings[0].fixable);
}

} // namespace
