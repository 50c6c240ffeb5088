// Reading the kubelet's configz answer and checking node names, without a server.
#include <gtest/gtest.h>

#include "configz_request.hpp"

namespace {

using namespace kubecert::eks;

TEST(EksConfigz, NodeNamesAreDns1123Subdomains) {
    EXPECT_TRUE(is_dns1123_subdomain("ip-10-0-1-23.us-west-2.compute.internal"));
    EXPECT_FALSE(is_dns1123_subdomain(""));
    EXPECT_FALSE(is_dns1123_subdomain("Upper"));
    EXPECT_FALSE(is_dns1123_subdomain("-leading"));
    EXPECT_FALSE(is_dns1123_subdomain("a..b"));
    EXPECT_FALSE(is_dns1123_subdomain(std::string(254, 'a')));
}

TEST(EksConfigz, BodyGivesTheLiveValues) {
    ConfigzFacts facts;
    parse_configz_body("u", R"({"kubeletconfig": {"serverTLSBootstrap": true,
                                                   "featureGates": {"RotateKubeletServerCertificate": false}}})",
                       facts);
    EXPECT_EQ(facts.state, ConfigzFacts::State::answered);
    EXPECT_EQ(facts.server_tls_bootstrap, true);
    EXPECT_EQ(facts.rotate_server_cert_gate, false);
}

TEST(EksConfigz, SomethingElseIsAProblemNamingTheUrl) {
    ConfigzFacts facts;
    parse_configz_body("http://127.0.0.1:8001/x", "<html>", facts);
    EXPECT_EQ(facts.state, ConfigzFacts::State::problem);
    EXPECT_EQ(facts.problem.source, "http://127.0.0.1:8001/x");
    EXPECT_NE(facts.problem.actual.find("malformed JSON"), std::string::npos);
}

} // namespace
