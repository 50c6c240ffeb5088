#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "fleet/fleet.hpp"
#include "fleet/report_digest.hpp"
#include "report/writers.hpp"
#include "report_samples.hpp"
#include "test_support.hpp"

using namespace kubecert;
using namespace kubecert::fleet;
namespace samples = kubecert::test::samples;
using report::FindingStatus;

namespace {

constexpr std::int64_t k_day = 86400;

// The sample audit (2 PASS, 1 FAIL, 1 WARN, 1 INFO, 1 ERROR) as a node's JSON report.
std::string sample_json(const std::string& node, const std::string& flavor = "eks+rke") {
    auto r = samples::audit_report();
    r.node_name = node;
    r.flavor = flavor;
    return report::render_json(r);
}

// A JSON report of `node` made at `at`, its findings all `status`, one
// certificate per entry of `not_after`.
std::string node_json(const std::string& node, std::int64_t at, FindingStatus status,
                      const std::vector<std::int64_t>& not_after) {
    report::Report r;
    r.tool_version = "0.1.0";
    r.generated_at = at;
    r.root = "/";
    r.command = "audit";
    r.node_name = node;
    r.flavor = "kubeadm";
    r.plugins = {{"kubeadm", "0.1.0"}};
    r.findings = {{"kubeadm.a", "kubeadm", "a", status, "", {}, "", false, ""},
                  {"kubeadm.b", "kubeadm", "b", FindingStatus::pass, "", {}, "", false, ""}};
    for (std::size_t i = 0; i < not_after.size(); ++i)
        r.certificates.push_back({"kubeadm", "cert-" + std::to_string(i), "/p", "CN=x", "CN=ca", at - 100 * k_day,
                                  not_after[i], not_after[i] - at, "ca", false, false});
    return report::render_json(r);
}

NodeDigest digest(const std::string& text, const std::string& source = "reports/n.json") {
    auto d = digest_report(text, source);
    EXPECT_TRUE(d.ok()) << (d.ok() ? "" : d.error().message);
    return d.ok() ? *d : NodeDigest{};
}

} // namespace

TEST(FleetDigest, KeepsNameFlavorCountsFailingChecksAndCertificates) {
    NodeDigest d = digest(sample_json("ip-10-0-0-1"));
    EXPECT_EQ(d.name, "ip-10-0-0-1");
    EXPECT_EQ(d.flavor, "eks+rke");
    EXPECT_EQ(d.source, "reports/n.json");
    EXPECT_EQ(d.generated_at, samples::k_audit_now);
    EXPECT_EQ(d.command, "audit");
    EXPECT_EQ(d.counts, (std::array<int, 5>{2, 1, 1, 1, 1})); // pass, fail, warn, info, error
    ASSERT_EQ(d.failing.size(), 2u);
    EXPECT_EQ(d.failing_total, 2);
    EXPECT_EQ(d.failing[0].status, FindingStatus::fail);
    EXPECT_EQ(d.failing[1].status, FindingStatus::error);
    EXPECT_EQ(d.status(), FindingStatus::error);
    ASSERT_EQ(d.certificates.size(), 2u);
    ASSERT_NE(d.soonest(), nullptr);
    EXPECT_EQ(d.soonest()->name, "kube-ca");
    EXPECT_TRUE(d.soonest()->is_authority);
    EXPECT_EQ(d.soonest()->not_after, 1740009600);
}

TEST(FleetDigest, WithoutNodeUsesTheFileNameAndThePlugins) {
    auto j = nlohmann::json::parse(sample_json("x"));
    j.erase("node"); // a report of a kubecert before node was added
    NodeDigest d = digest(j.dump(), "/tmp/reports/worker-7.json");
    EXPECT_EQ(d.name, "worker-7");
    EXPECT_EQ(d.flavor, "eks+rke");
}

TEST(FleetDigest, AfterAFixTheAfterAuditCountsUnlessDryRun) {
    auto fixed = samples::fix_report(false);
    NodeDigest d = digest(report::render_json(fixed));
    EXPECT_EQ(d.counts[static_cast<int>(FindingStatus::fail)], 0);
    EXPECT_EQ(d.counts[static_cast<int>(FindingStatus::pass)], 3);
    NodeDigest preview = digest(report::render_json(samples::fix_report(true)));
    EXPECT_EQ(preview.counts[static_cast<int>(FindingStatus::fail)], 1);
}

TEST(FleetDigest, RunErrorsMakeTheNodeError) {
    auto r = samples::audit_report();
    r.findings.resize(1); // one PASS
    r.errors = {"kubecert-rke: audit failed"};
    NodeDigest d = digest(report::render_json(r));
    EXPECT_EQ(d.run_errors, 1);
    EXPECT_EQ(d.status(), FindingStatus::error);
}

TEST(FleetDigest, MalformedReportsAreNamedErrors) {
    const std::string good = sample_json("n");
    struct Case {
        std::string text, expect;
    } cases[] = {
        {good.substr(0, good.size() / 2), "not valid JSON at byte"},
        {"", "not valid JSON"},
        {"[1, 2]", "not a JSON object"},
        {R"({"schema": "kubecert/fleet/v1"})", "not a kubecert/report/v1 report"},
        {R"({"hello": 1})", "no \"schema\""},
        {R"({"schema": "kubecert/report/v1", "findings": []})", "generated_at"},
        {R"({"schema": "kubecert/report/v1", "generated_at": "2025-01-01T00:00:00Z"})", "no \"findings\""},
        {R"({"schema": "kubecert/report/v1", "generated_at": "2025-01-01T00:00:00Z", "findings": [{"id": "x", "status": "MAYBE"}]})",
         "MAYBE"},
        {R"({"schema": "kubecert/report/v1", "generated_at": "2025-01-01T00:00:00Z", "findings": [],
             "certificates": [{"name": "c", "not_after": "soon"}]})",
         "certificate \"c\""},
        {good + "{}", "not valid JSON"},
    };
    for (const auto& c : cases) {
        auto d = digest_report(c.text, "bad.json");
        ASSERT_FALSE(d.ok()) << c.text;
        EXPECT_EQ(d.error().message.rfind("bad.json: ", 0), 0u) << d.error().message;
        EXPECT_NE(d.error().message.find(c.expect), std::string::npos) << d.error().message;
    }
}

TEST(FleetDigest, StreamReadsReportsOneAfterAnotherAndStopsAtGarbage) {
    std::istringstream in(sample_json("a") + "\n" + sample_json("b") + R"({"schema": "other"})" + "\n" +
                          sample_json("c") + "not json" + sample_json("d"));
    std::vector<std::string> seen;
    digest_stream(in, "-", [&](util::Result<NodeDigest> r) {
        seen.push_back(r ? "node " + r->name : "error " + r.error().message);
    });
    ASSERT_EQ(seen.size(), 5u);
    EXPECT_EQ(seen[0], "node a");
    EXPECT_EQ(seen[1], "node b");
    EXPECT_NE(seen[2].find("error - (report 3): not a kubecert/report/v1"), std::string::npos) << seen[2];
    EXPECT_EQ(seen[3], "node c");
    EXPECT_NE(seen[4].find("the rest of - is not read"), std::string::npos) << seen[4];
}

TEST(Fleet, SortsBySoonestCertificateAndKeepsTheNewestReportOfANode) {
    const std::int64_t now = 1'800'000'000;
    Fleet f;
    f.add(digest(node_json("late", now, FindingStatus::pass, {now + 90 * k_day, now + 300 * k_day})));
    f.add(digest(node_json("soon", now, FindingStatus::warn, {now + 400 * k_day, now + 5 * k_day})));
    f.add(digest(node_json("nocert-fail", now, FindingStatus::fail, {})));
    f.add(digest(node_json("nocert-pass", now, FindingStatus::pass, {})));
    f.add(digest(node_json("soon", now - k_day, FindingStatus::fail, {now - k_day}))); // older: left out
    f.add(digest(node_json("expired", now, FindingStatus::fail, {now - 2 * k_day})));
    f.add_unreadable("z.json", "z.json: not valid JSON at byte 3");
    f.finish();
    std::vector<std::string> order;
    for (const auto& n : f.nodes()) order.push_back(n.name);
    EXPECT_EQ(order, (std::vector<std::string>{"expired", "soon", "late", "nocert-fail", "nocert-pass"}));
    EXPECT_EQ(f.superseded(), 1);
    EXPECT_EQ(f.reports(), 7);
    ASSERT_EQ(f.unreadable().size(), 1u);
    EXPECT_EQ(f.unreadable()[0].source, "z.json");
    EXPECT_EQ(f.unreadable()[0].reason, "not valid JSON at byte 3");
    EXPECT_EQ(f.nodes()[1].status(), FindingStatus::warn);
}

TEST(Fleet, ExitStatusIsThatOfAuditOverTheFleet) {
    const std::int64_t now = 1'800'000'000;
    MergeSettings s{now, k_day};
    auto fleet_of = [&](const std::vector<std::string>& reports, bool unreadable = false) {
        Fleet f;
        for (const auto& r : reports) f.add(digest(r));
        if (unreadable) f.add_unreadable("x.json", "x.json: truncated");
        f.finish();
        return exit_status(f, s);
    };
    EXPECT_EQ(fleet_of({}), 3); // nothing to judge is not "all good"
    EXPECT_EQ(fleet_of({node_json("a", now, FindingStatus::pass, {}), node_json("b", now, FindingStatus::warn, {})}),
              0);
    EXPECT_EQ(fleet_of({node_json("a", now, FindingStatus::pass, {}), node_json("b", now, FindingStatus::fail, {})}),
              1);
    EXPECT_EQ(fleet_of({node_json("a", now, FindingStatus::error, {}), node_json("b", now, FindingStatus::fail, {})}),
              3);
    EXPECT_EQ(fleet_of({node_json("a", now, FindingStatus::pass, {})}, true), 3);
    EXPECT_EQ(fleet_of({node_json("a", now - 2 * k_day, FindingStatus::pass, {})}), 3); // stale
    s.max_age = 0;
    EXPECT_EQ(fleet_of({node_json("a", now - 200 * k_day, FindingStatus::pass, {})}), 0);
}

TEST(FleetWriters, TextListsNodesSummariesStaleAndUnreadable) {
    const std::int64_t now = 1'800'000'000;
    Fleet f;
    f.add(digest(node_json("cp-1", now, FindingStatus::fail, {now - 2 * k_day})));
    f.add(digest(node_json("w-\x1b[31m", now - 3 * k_day, FindingStatus::pass, {now + 40 * k_day})));
    f.add_unreadable("r/bad.json", "r/bad.json: not valid JSON at byte 10");
    f.finish();
    const std::string t = render_text(f, {now, k_day}, "0.1.0");
    EXPECT_NE(t.find("2 nodes (1 FAIL, 1 PASS), 1 unreadable report, 1 stale"), std::string::npos) << t;
    EXPECT_NE(t.find("NODE"), std::string::npos);
    EXPECT_NE(t.find("kubeadm/cert-0"), std::string::npos);
    EXPECT_NE(t.find("expired"), std::string::npos);
    EXPECT_NE(t.find("kubeadm.a"), std::string::npos);
    EXPECT_NE(t.find("PASS (stale)"), std::string::npos) << t;
    EXPECT_NE(t.find("kubeadm: 2 nodes (1 FAIL, 1 PASS)"), std::string::npos) << t;
    EXPECT_NE(t.find("Stale reports (older than 1d"), std::string::npos) << t;
    EXPECT_NE(t.find("r/bad.json: not valid JSON at byte 10"), std::string::npos) << t;
    EXPECT_EQ(t.find('\x1b'), std::string::npos) << "a node's bytes reached the terminal raw";
    EXPECT_LT(t.find("cp-1"), t.find("w-\\x1b"));
}

TEST(FleetWriters, JsonJunitAndPrometheusCarryEveryNode) {
    const std::int64_t now = 1'800'000'000;
    Fleet f;
    f.add(digest(node_json("cp-1", now, FindingStatus::fail, {now + 3 * k_day})));
    f.add(digest(node_json("w\"1", now, FindingStatus::error, {now + 9 * k_day})));
    f.add_unreadable("bad.json", "bad.json: truncated");
    f.finish();
    const MergeSettings s{now, k_day};

    auto j = nlohmann::json::parse(render_json(f, s, "0.1.0"));
    EXPECT_EQ(j["schema"], "kubecert/fleet/v1");
    EXPECT_EQ(j["summary"]["nodes"], 2);
    EXPECT_EQ(j["summary"]["unreadable"], 1);
    EXPECT_EQ(j["summary"]["status"]["FAIL"], 1);
    EXPECT_EQ(j["summary"]["flavors"]["kubeadm"]["nodes"], 2);
    EXPECT_EQ(j["nodes"][0]["name"], "cp-1");
    EXPECT_EQ(j["nodes"][0]["soonest"]["residual_seconds"], 3 * k_day);
    EXPECT_EQ(j["nodes"][1]["name"], "w\"1");
    EXPECT_EQ(j["nodes"][1]["failing"][0]["status"], "ERROR");
    EXPECT_EQ(j["unreadable"][0]["reason"], "truncated");

    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(render_junit(f, s).c_str()));
    auto suites = doc.child("testsuites");
    EXPECT_EQ(std::string(suites.first_child().attribute("name").value()), "cp-1");
    EXPECT_EQ(suites.attribute("failures").as_int(), 1);
    EXPECT_EQ(suites.attribute("errors").as_int(), 2); // w"1's ERROR and the unreadable report
    EXPECT_TRUE(suites.find_child_by_attribute("testsuite", "name", "unreadable reports"));

    const std::string p = render_prometheus(f, s);
    EXPECT_NE(p.find("kubecert_fleet_node_status{node=\"cp-1\",flavor=\"kubeadm\",status=\"FAIL\"} 1"),
              std::string::npos)
        << p;
    EXPECT_NE(p.find("kubecert_fleet_node_status{node=\"w\\\"1\""), std::string::npos) << p;
    EXPECT_NE(p.find("kubecert_fleet_certificate_not_after_seconds{node=\"cp-1\",flavor=\"kubeadm\",plugin=\"kubeadm\","
                     "name=\"cert-0\"} " +
                     std::to_string(now + 3 * k_day)),
              std::string::npos);
    EXPECT_NE(p.find("kubecert_fleet_reports_unreadable 1"), std::string::npos);
}

TEST(FleetWriters, FleetJsonValidatesAgainstTheSchema) {
    const std::int64_t now = 1'800'000'000;
    Fleet f;
    f.add(digest(node_json("cp-1", now, FindingStatus::fail, {now + 3 * k_day})));
    f.add(digest(node_json("empty", now, FindingStatus::pass, {})));
    f.add_unreadable("bad.json", "bad.json: truncated");
    f.finish();
    test::TempDir dir;
    const std::string path = dir.path() + "/fleet.json";
    test::write_file(path, render_json(f, {now, k_day}, "0.1.0"));
    test::write_file(dir.path() + "/empty.json", render_json(Fleet{}, {now, 0}, "0.1.0"));
    const auto r = test::run({"python3", "-c",
                              "import json, sys, jsonschema\n"
                              "schema = json.load(open(sys.argv[1]))\n"
                              "jsonschema.validators.validator_for(schema).check_schema(schema)\n"
                              "for p in sys.argv[2:]: jsonschema.validate(json.load(open(p)), schema)\n",
                              test::source_dir() + "/docs/fleet.schema.json", path, dir.path() + "/empty.json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(FleetDigest, TheFileScannerDecodesEscapesAndChecksTheGrammar) {
    const std::string head =
        R"({"schema": "kubecert/report/v1", "generated_at": "2025-01-01T00:00:00Z", "findings": [], )";
    NodeDigest d = digest(head + R"("n": [1, -0, 2.5e-3, 1E+2, true, false, null, {}, []], )" +
                          R"("node": {"name": "a\"b\\\/\u00e9\ud83d\ude00\n", "flavor": "kubeadm"}})");
    EXPECT_EQ(d.name, "a\"b\\/\xc3\xa9\xf0\x9f\x98\x80\n");
    EXPECT_EQ(d.flavor, "kubeadm");
    const std::string deep = head + "\"x\": " + std::string(200, '[') + std::string(200, ']') + "}";
    const std::string bad[] = {
        head + R"("x": 01})",   head + R"("x": 1.})",       head + R"("x": -})",      head + R"("x": tru})",
        head + R"("x": "\q"})", head + R"("x": "\ud800"})", head + R"("x": "\u12"})", head + "\"x\": \"a\tb\"}",
        head + R"("x": [1,]})", head + R"("x": {"a" 1}})",  head + R"("x": 1, })",    deep,
    };
    for (const auto& text : bad) {
        auto r = digest_report(text, "s.json");
        ASSERT_FALSE(r.ok()) << text;
        EXPECT_NE(r.error().message.find("s.json: not valid JSON at byte"), std::string::npos) << r.error().message;
    }
    // The same reports through nlohmann's stream parser (standard input) give the same digests.
    for (const auto& text : {sample_json("same"), report::render_json(samples::fix_report(false))}) {
        std::istringstream in(text);
        std::vector<NodeDigest> streamed;
        digest_stream(in, "-", [&](util::Result<NodeDigest> r) {
            ASSERT_TRUE(r.ok());
            streamed.push_back(*r);
        });
        ASSERT_EQ(streamed.size(), 1u);
        NodeDigest direct = digest(text, "-");
        EXPECT_EQ(streamed[0].name, direct.name);
        EXPECT_EQ(streamed[0].counts, direct.counts);
        EXPECT_EQ(streamed[0].certificates.size(), direct.certificates.size());
        EXPECT_EQ(streamed[0].failing.size(), direct.failing.size());
    }
}
