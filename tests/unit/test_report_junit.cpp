#include <gtest/gtest.h>

#include <string>

#include <pugixml.hpp>

#include "report/writers.hpp"
#include "report_samples.hpp"

using namespace kubecert::report;
namespace samples = kubecert::test::samples;

namespace {

// Parses the rendered XML back, failing the test when it is not well formed.
void parse(const std::string& xml, pugi::xml_document& doc) {
    const pugi::xml_parse_result result = doc.load_string(xml.c_str());
    ASSERT_TRUE(result) << result.description() << " at " << result.offset << "\n" << xml;
}

pugi::xml_node suite_named(const pugi::xml_document& doc, const char* name) {
    return doc.child("testsuites").find_child_by_attribute("testsuite", "name", name);
}

pugi::xml_node case_named(pugi::xml_node suite, const char* name) {
    return suite.find_child_by_attribute("testcase", "name", name);
}

} // namespace

TEST(ReportJunit, OneTestsuitePerPluginWithCounts) {
    pugi::xml_document doc;
    ASSERT_NO_FATAL_FAILURE(parse(render_junit(samples::audit_report()), doc));
    const pugi::xml_node root = doc.child("testsuites");
    ASSERT_TRUE(root);
    EXPECT_EQ(root.attribute("tests").as_int(), 6);
    EXPECT_EQ(root.attribute("failures").as_int(), 1);
    EXPECT_EQ(root.attribute("errors").as_int(), 1);
    EXPECT_EQ(root.attribute("skipped").as_int(), 1);
    EXPECT_EQ(std::distance(root.children("testsuite").begin(), root.children("testsuite").end()), 2);

    const pugi::xml_node eks = suite_named(doc, "eks");
    ASSERT_TRUE(eks);
    EXPECT_EQ(eks.attribute("tests").as_int(), 4);
    EXPECT_EQ(eks.attribute("failures").as_int(), 1);
    EXPECT_EQ(eks.attribute("errors").as_int(), 0);
    EXPECT_EQ(eks.attribute("skipped").as_int(), 1);
    EXPECT_EQ(std::distance(eks.children("testcase").begin(), eks.children("testcase").end()), 4);

    const pugi::xml_node rke = suite_named(doc, "rke");
    ASSERT_TRUE(rke);
    EXPECT_EQ(rke.attribute("tests").as_int(), 2);
    EXPECT_EQ(rke.attribute("failures").as_int(), 0);
    EXPECT_EQ(rke.attribute("errors").as_int(), 1);
    EXPECT_EQ(rke.attribute("skipped").as_int(), 0);
}

TEST(ReportJunit, FailIsAFailureWithEvidenceAndRemediation) {
    pugi::xml_document doc;
    ASSERT_NO_FATAL_FAILURE(parse(render_junit(samples::audit_report()), doc));
    const pugi::xml_node tc = case_named(suite_named(doc, "eks"), "eks.server-tls-bootstrap");
    ASSERT_TRUE(tc);
    EXPECT_STREQ(tc.attribute("classname").value(), "kubecert.eks");
    const pugi::xml_node failure = tc.child("failure");
    ASSERT_TRUE(failure);
    EXPECT_STREQ(failure.attribute("message").value(), "The kubelet requests and rotates its serving certificate");
    EXPECT_STREQ(failure.attribute("type").value(), "FAIL");
    const std::string body = failure.text().get();
    EXPECT_NE(body.find("/etc/kubernetes/kubelet/kubelet-config.json: serverTLSBootstrap = false (expected: true)\n"),
              std::string::npos)
        << body;
    EXPECT_NE(body.find(std::string("remediation: ") + samples::k_bootstrap_remediation), std::string::npos) << body;
    EXPECT_FALSE(tc.child("error"));
}

TEST(ReportJunit, ErrorInfoWarnAndPassMapToJunitElements) {
    pugi::xml_document doc;
    ASSERT_NO_FATAL_FAILURE(parse(render_junit(samples::audit_report()), doc));
    const pugi::xml_node error = case_named(suite_named(doc, "rke"), "rke.generate-serving-cert").child("error");
    ASSERT_TRUE(error);
    EXPECT_STREQ(error.attribute("type").value(), "ERROR");
    // Markup characters in the remediation are escaped, and read back intact.
    EXPECT_NE(std::string(error.text().get()).find(samples::audit_report().findings[4].remediation), std::string::npos);

    const pugi::xml_node info = case_named(suite_named(doc, "eks"), "eks.configz");
    ASSERT_TRUE(info.child("skipped"));
    EXPECT_STREQ(info.child("skipped").attribute("message").value(), "Live kubelet configuration (configz)");

    const pugi::xml_node warn = case_named(suite_named(doc, "eks"), "eks.serving-cert-expiry");
    ASSERT_TRUE(warn);
    EXPECT_FALSE(warn.child("failure"));
    EXPECT_FALSE(warn.child("error"));
    EXPECT_FALSE(warn.child("skipped"));
    EXPECT_NE(std::string(warn.child("system-out").text().get()).find("notAfter = 2025-03-15T12:00:00Z"),
              std::string::npos);

    const pugi::xml_node pass = case_named(suite_named(doc, "eks"), "eks.rotate-server-cert");
    ASSERT_TRUE(pass);
    EXPECT_FALSE(pass.first_child());
}

TEST(ReportJunit, AfterAFixTheAfterAuditCounts) {
    pugi::xml_document doc;
    ASSERT_NO_FATAL_FAILURE(parse(render_junit(samples::fix_report(false)), doc));
    EXPECT_EQ(doc.child("testsuites").attribute("failures").as_int(), 0);
    const pugi::xml_node tc = case_named(suite_named(doc, "eks"), "eks.server-tls-bootstrap");
    ASSERT_TRUE(tc);
    EXPECT_FALSE(tc.child("failure"));
    // Without an after-audit, the audit counts.
    Report no_after = samples::fix_report(true);
    no_after.has_after = false;
    pugi::xml_document before;
    ASSERT_NO_FATAL_FAILURE(parse(render_junit(no_after), before));
    EXPECT_EQ(before.child("testsuites").attribute("failures").as_int(), 1);
}

TEST(ReportJunit, RunErrorsBecomeErrorTestcases) {
    Report r = samples::audit_report();
    r.errors = {"plugin foo: failed to load: \"/usr/lib/kubecert/plugins/foo.so\" is writable by others"};
    pugi::xml_document doc;
    ASSERT_NO_FATAL_FAILURE(parse(render_junit(r), doc));
    EXPECT_EQ(doc.child("testsuites").attribute("errors").as_int(), 2);
    EXPECT_EQ(doc.child("testsuites").attribute("tests").as_int(), 7);
    const pugi::xml_node run = suite_named(doc, "kubecert");
    ASSERT_TRUE(run);
    EXPECT_EQ(run.attribute("errors").as_int(), 1);
    EXPECT_STREQ(run.child("testcase").child("error").attribute("message").value(), r.errors[0].c_str());
}

TEST(ReportJunit, PluginWithoutFindingsIsAnEmptySuite) {
    Report r = samples::audit_report();
    r.plugins.push_back({"kubeadm", "0.1.0"});
    pugi::xml_document doc;
    ASSERT_NO_FATAL_FAILURE(parse(render_junit(r), doc));
    const pugi::xml_node kubeadm = suite_named(doc, "kubeadm");
    ASSERT_TRUE(kubeadm);
    EXPECT_EQ(kubeadm.attribute("tests").as_int(), 0);
    EXPECT_FALSE(kubeadm.child("testcase"));
}
