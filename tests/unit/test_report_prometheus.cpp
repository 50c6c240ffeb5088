#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "report/writers.hpp"
#include "report_samples.hpp"

using namespace kubecert::report;
namespace samples = kubecert::test::samples;

namespace {

struct Sample {
    std::string name;
    std::map<std::string, std::string> labels; // unescaped values
    std::string value;
};

struct Exposition {
    std::vector<Sample> samples;
    std::map<std::string, int> help_count;
    std::map<std::string, std::string> types;
};

std::string unescape(const std::string& v) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '\\' && i + 1 < v.size()) {
            ++i;
            out += v[i] == 'n' ? '\n' : v[i];
        } else {
            out += v[i];
        }
    }
    return out;
}

// Parses the text exposition format line by line; every line must be a
// comment of the known kinds or a well-formed sample.
void parse(const std::string& text, Exposition& e) {
    static const std::regex help(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$)");
    static const std::regex type(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (gauge|counter|untyped)$)");
    static const std::regex sample(
        R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*)\})? (-?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)$)");
    static const std::regex label(R"re(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)")re");
    ASSERT_FALSE(text.empty());
    ASSERT_EQ(text.back(), '\n');
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        std::smatch m;
        if (std::regex_match(line, m, help)) {
            ++e.help_count[m[1]];
        } else if (std::regex_match(line, m, type)) {
            ASSERT_EQ(e.types.count(m[1]), 0u) << "TYPE twice: " << line;
            e.types[m[1]] = m[2];
        } else if (std::regex_match(line, m, sample)) {
            Sample s{m[1], {}, m[4]};
            ASSERT_EQ(e.types.count(s.name), 1u) << "sample before its TYPE: " << line;
            const std::string labels = m[3];
            for (auto it = std::sregex_iterator(labels.begin(), labels.end(), label); it != std::sregex_iterator();
                 ++it) {
                s.labels[(*it)[1]] = unescape((*it)[2]);
            }
            e.samples.push_back(std::move(s));
        } else {
            FAIL() << "not exposition format: [" << line << "]";
        }
    }
}

std::vector<Sample> find(const Exposition& e, const std::string& name,
                         const std::map<std::string, std::string>& labels = {}) {
    std::vector<Sample> out;
    for (const Sample& s : e.samples) {
        if (s.name != name) continue;
        bool match = true;
        for (const auto& [k, v] : labels) {
            auto it = s.labels.find(k);
            match = match && it != s.labels.end() && it->second == v;
        }
        if (match) out.push_back(s);
    }
    return out;
}

} // namespace

TEST(ReportPrometheus, EveryLineIsValidAndEachMetricHasHelpAndTypeOnce) {
    Exposition e;
    ASSERT_NO_FATAL_FAILURE(parse(render_prometheus(samples::audit_report()), e));
    for (const char* name : {"kubecert_certificate_not_after_seconds", "kubecert_certificate_residual_seconds",
                             "kubecert_finding_status", "kubecert_findings", "kubecert_last_run_timestamp_seconds"}) {
        EXPECT_EQ(e.help_count[name], 1) << name;
        EXPECT_EQ(e.types[name], "gauge") << name;
    }
    // No two samples with the same name and labels (node_exporter rejects the file).
    std::set<std::pair<std::string, std::map<std::string, std::string>>> seen;
    for (const Sample& s : e.samples) EXPECT_TRUE(seen.insert({s.name, s.labels}).second) << s.name;
}

TEST(ReportPrometheus, CertificateExpiryAndResidual) {
    Exposition e;
    ASSERT_NO_FATAL_FAILURE(parse(render_prometheus(samples::audit_report()), e));
    const auto not_after = find(e, "kubecert_certificate_not_after_seconds", {{"plugin", "eks"}});
    ASSERT_EQ(not_after.size(), 1u);
    EXPECT_EQ(not_after[0].labels.at("name"), "kubelet-server");
    EXPECT_EQ(not_after[0].labels.at("path"), "/var/lib/kubelet/pki/kubelet-server-current.pem");
    EXPECT_EQ(not_after[0].value, "1742040000");
    const auto residual = find(e, "kubecert_certificate_residual_seconds", {{"plugin", "rke"}, {"name", "kube-ca"}});
    ASSERT_EQ(residual.size(), 1u);
    EXPECT_EQ(residual[0].value, "-777600");
    ASSERT_EQ(find(e, "kubecert_last_run_timestamp_seconds").size(), 1u);
    EXPECT_EQ(find(e, "kubecert_last_run_timestamp_seconds")[0].value, "1740787200");
}

TEST(ReportPrometheus, FindingStatusIsOneForTheCurrentStatusOnly) {
    Exposition e;
    ASSERT_NO_FATAL_FAILURE(parse(render_prometheus(samples::audit_report()), e));
    const auto series = find(e, "kubecert_finding_status", {{"plugin", "eks"}, {"id", "eks.server-tls-bootstrap"}});
    ASSERT_EQ(series.size(), 5u);
    for (const Sample& s : series)
        EXPECT_EQ(s.value, s.labels.at("status") == "FAIL" ? "1" : "0") << s.labels.at("status");
    EXPECT_EQ(find(e, "kubecert_finding_status").size(), 6u * 5u);
    EXPECT_EQ(find(e, "kubecert_findings", {{"status", "PASS"}})[0].value, "2");
    EXPECT_EQ(find(e, "kubecert_findings", {{"status", "FAIL"}})[0].value, "1");
    EXPECT_EQ(find(e, "kubecert_findings", {{"status", "ERROR"}})[0].value, "1");
    EXPECT_EQ(find(e, "kubecert_findings").size(), 5u);
}

TEST(ReportPrometheus, AfterAFixTheMetricsShowTheAfterAudit) {
    Exposition e;
    ASSERT_NO_FATAL_FAILURE(parse(render_prometheus(samples::fix_report(false)), e));
    EXPECT_EQ(find(e, "kubecert_finding_status", {{"id", "eks.server-tls-bootstrap"}, {"status", "PASS"}})[0].value,
              "1");
    EXPECT_EQ(find(e, "kubecert_findings", {{"status", "FAIL"}})[0].value, "0");
}

TEST(ReportPrometheus, AfterADryRunTheMetricsShowTheNodeAsAudited) {
    Exposition e;
    ASSERT_NO_FATAL_FAILURE(parse(render_prometheus(samples::fix_report(true)), e));
    EXPECT_EQ(find(e, "kubecert_finding_status", {{"id", "eks.server-tls-bootstrap"}, {"status", "FAIL"}})[0].value,
              "1");
    EXPECT_EQ(find(e, "kubecert_findings", {{"status", "FAIL"}})[0].value, "1");
}

TEST(ReportPrometheus, LabelValuesAreEscaped) {
    Report r = samples::audit_report();
    r.certificates[0].path = "C:\\pki\\\"odd\"\nname.pem";
    r.findings[0].id = "eks.\"quoted\"";
    const std::string text = render_prometheus(r);
    EXPECT_NE(text.find(R"(path="C:\\pki\\\"odd\"\nname.pem")"), std::string::npos) << text;
    Exposition e;
    ASSERT_NO_FATAL_FAILURE(parse(text, e));
    EXPECT_EQ(find(e, "kubecert_certificate_not_after_seconds", {{"path", r.certificates[0].path}}).size(), 1u);
    EXPECT_EQ(find(e, "kubecert_finding_status", {{"id", "eks.\"quoted\""}}).size(), 5u);
}

TEST(ReportPrometheus, RunErrorsAreCounted) {
    Report r = samples::audit_report();
    r.errors = {"plugin rke: crashed", "plugin eks: timeout"};
    Exposition e;
    ASSERT_NO_FATAL_FAILURE(parse(render_prometheus(r), e));
    ASSERT_EQ(find(e, "kubecert_run_errors").size(), 1u);
    EXPECT_EQ(find(e, "kubecert_run_errors")[0].value, "2");
}
