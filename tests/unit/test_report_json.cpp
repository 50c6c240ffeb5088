#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/writers.hpp"
#include "report_samples.hpp"
#include "test_support.hpp"

using namespace kubecert::report;
namespace samples = kubecert::test::samples;
using Json = nlohmann::ordered_json;

namespace {

// Validates each file named after the schema and prints one line per file:
// "valid" or "invalid: <reason>". Exit 3 when jsonschema is missing, which
// must fail the tests since CI installs python3-jsonschema.
const char* k_validate_py = R"(import json, sys
try:
    import jsonschema
except ImportError:
    sys.stderr.write("python3-jsonschema is not installed (apt-get install python3-jsonschema)\n")
    sys.exit(3)
with open(sys.argv[1]) as f:
    schema = json.load(f)
validator = jsonschema.validators.validator_for(schema)
validator.check_schema(schema)
for path in sys.argv[2:]:
    with open(path) as f:
        report = json.load(f)
    try:
        jsonschema.validate(report, schema, cls=validator)
        print("valid")
    except jsonschema.ValidationError as e:
        print("invalid: " + e.message.replace("\n", " "))
)";

std::string schema_path() {
    return kubecert::test::source_dir() + "/docs/report.schema.json";
}

// Runs a real JSON Schema validator (python3-jsonschema) on `reports`
// against docs/report.schema.json; one verdict line per report. One process
// for all of them, since starting Python dominates the cost.
std::vector<std::string> validate(const std::vector<std::string>& reports) {
    kubecert::test::TempDir dir;
    std::vector<std::string> argv = {"python3", "-c", k_validate_py, schema_path()};
    for (std::size_t i = 0; i < reports.size(); ++i) {
        argv.push_back(dir.path() + "/report-" + std::to_string(i) + ".json");
        kubecert::test::write_file(argv.back(), reports[i]);
    }
    const auto r = kubecert::test::run(argv, {}, "", 60);
    EXPECT_NE(r.exit_code, 3) << r.err;
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> verdicts;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) verdicts.push_back(line);
    EXPECT_EQ(verdicts.size(), reports.size()) << r.out << r.err;
    verdicts.resize(reports.size());
    return verdicts;
}

std::vector<std::string> keys_of(const Json& j) {
    std::vector<std::string> keys;
    for (const auto& [k, v] : j.items()) keys.push_back(k);
    return keys;
}

} // namespace

TEST(ReportJson, AuditHasTheDocumentedKeysInOrder) {
    const Json j = Json::parse(render_json(samples::audit_report()));
    EXPECT_EQ(keys_of(j),
              (std::vector<std::string>{"schema", "tool", "generated_at", "root", "node", "confinement", "command",
                                        "dry_run", "plugins", "findings", "certificates", "summary", "errors"}));
    EXPECT_EQ(j["schema"], "kubecert/report/v1");
    EXPECT_EQ(j["tool"], (Json{{"name", "kubecert"}, {"version", "0.1.0"}}));
    EXPECT_EQ(j["generated_at"], "2025-03-01T00:00:00Z");
    EXPECT_EQ(j["command"], "audit");
    EXPECT_EQ(j["dry_run"], false);
    EXPECT_EQ(j["plugins"][1], (Json{{"name", "rke"}, {"version", "0.2.0"}}));
    EXPECT_EQ(j["summary"], (Json{{"PASS", 2}, {"FAIL", 1}, {"WARN", 1}, {"INFO", 1}, {"ERROR", 1}}));
    EXPECT_EQ(j["errors"], Json::array());
}

TEST(ReportJson, FindingsCarryEvidenceAndNullBenchmark) {
    const Json j = Json::parse(render_json(samples::audit_report()));
    ASSERT_EQ(j["findings"].size(), 6u);
    const Json& fail = j["findings"][1];
    EXPECT_EQ(keys_of(fail), (std::vector<std::string>{"id", "plugin", "title", "status", "benchmark", "evidence",
                                                       "remediation", "fixable", "result"}));
    EXPECT_EQ(fail["id"], "eks.server-tls-bootstrap");
    EXPECT_EQ(fail["plugin"], "eks");
    EXPECT_EQ(fail["status"], "FAIL");
    EXPECT_EQ(fail["benchmark"], "CIS Amazon EKS Benchmark 3.2.11");
    EXPECT_EQ(fail["evidence"][0], (Json{{"source", "/etc/kubernetes/kubelet/kubelet-config.json"},
                                         {"key", "serverTLSBootstrap"},
                                         {"actual", "false"},
                                         {"expected", "true"}}));
    EXPECT_EQ(fail["remediation"], samples::k_bootstrap_remediation);
    EXPECT_EQ(fail["fixable"], true);
    EXPECT_TRUE(j["findings"][2]["benchmark"].is_null());
    EXPECT_EQ(j["findings"][4]["status"], "ERROR");
    // Quotes and backslashes survive the round trip.
    EXPECT_EQ(j["findings"][4]["remediation"], samples::audit_report().findings[4].remediation);
}

TEST(ReportJson, CertificatesHaveRfc3339DatesAndResidualSeconds) {
    const Json j = Json::parse(render_json(samples::audit_report()));
    ASSERT_EQ(j["certificates"].size(), 2u);
    EXPECT_EQ(j["certificates"][0], (Json{{"plugin", "eks"},
                                          {"name", "kubelet-server"},
                                          {"path", "/var/lib/kubelet/pki/kubelet-server-current.pem"},
                                          {"subject", "CN=system:node:ip-10-0-0-1"},
                                          {"issuer", "CN=kubernetes"},
                                          {"not_before", "2024-03-01T00:00:00Z"},
                                          {"not_after", "2025-03-15T12:00:00Z"},
                                          {"residual_seconds", 1252800},
                                          {"authority", "kubernetes"},
                                          {"externally_managed", true},
                                          {"is_authority", false}}));
    EXPECT_EQ(j["certificates"][1]["residual_seconds"], -777600);
    EXPECT_EQ(j["certificates"][1]["is_authority"], true);
}

TEST(ReportJson, FixAddsActionsAfterAndSummaryAfter) {
    const Json j = Json::parse(render_json(samples::fix_report(false)));
    EXPECT_EQ(keys_of(j), (std::vector<std::string>{"schema", "tool", "generated_at", "root", "node", "confinement",
                                                    "command", "dry_run", "plugins", "findings", "certificates",
                                                    "summary", "errors", "actions", "after", "summary_after"}));
    EXPECT_EQ(j["command"], "fix");
    ASSERT_EQ(j["actions"].size(), 2u);
    EXPECT_EQ(j["actions"][0],
              (Json{{"finding", "eks.server-tls-bootstrap"},
                    {"plugin", "eks"},
                    {"kind", "edit"},
                    {"target", "/etc/kubernetes/kubelet/kubelet-config.json"},
                    {"status", "applied"},
                    {"backup", "/var/backups/kubecert/20250301T000000Z/etc/kubernetes/kubelet/kubelet-config.json"},
                    {"detail", ""}}));
    EXPECT_EQ(j["actions"][1]["kind"], "command");
    EXPECT_TRUE(j["actions"][1]["backup"].is_null());
    EXPECT_EQ(j["after"][1]["status"], "PASS");
    EXPECT_EQ(j["summary"]["FAIL"], 1);
    EXPECT_EQ(j["summary_after"], (Json{{"PASS", 3}, {"FAIL", 0}, {"WARN", 1}, {"INFO", 1}, {"ERROR", 1}}));
}

TEST(ReportJson, DryRunHasPlannedActionsWithTheDiff) {
    const Json j = Json::parse(render_json(samples::fix_report(true)));
    EXPECT_EQ(j["dry_run"], true);
    EXPECT_EQ(j["actions"][0]["status"], "planned");
    EXPECT_EQ(j["actions"][0]["detail"], samples::k_kubelet_config_diff);
    EXPECT_FALSE(j["actions"][0]["backup"].is_string());
    // Without an after-audit (a fix that did not get that far) both keys are absent.
    Report no_after = samples::fix_report(true);
    no_after.has_after = false;
    const Json k = Json::parse(render_json(no_after));
    EXPECT_TRUE(k.contains("actions"));
    EXPECT_FALSE(k.contains("after"));
    EXPECT_FALSE(k.contains("summary_after"));
}

TEST(ReportJson, InvalidUtf8IsReplacedNotThrown) {
    Report r = samples::audit_report();
    r.errors = {"cannot read /etc/\xff\xfe.conf"};
    std::string out;
    ASSERT_NO_THROW(out = render_json(r));
    EXPECT_TRUE(Json::accept(out));
}

TEST(ReportJsonSchema, AuditFixDryRunAndCertsReportsAreValid) {
    Report with_errors = samples::audit_report();
    with_errors.errors = {"plugin rke: failed to load: not a kubecert plugin"};
    const std::vector<std::string> reports = {
        render_json(samples::audit_report()), render_json(samples::fix_report(false)),
        render_json(samples::fix_report(true)), render_json(samples::kubeadm_certs_report()), render_json(with_errors)};
    const std::vector<std::string> verdicts = validate(reports);
    for (std::size_t i = 0; i < reports.size(); ++i) EXPECT_EQ(verdicts[i], "valid") << reports[i];
}

TEST(ReportJsonSchema, RejectsReportsThatBreakTheContract) {
    const Json audit = Json::parse(render_json(samples::audit_report()));
    const Json fix = Json::parse(render_json(samples::fix_report(false)));
    // Each case: the broken report and a fragment of the reason the validator must give.
    std::vector<std::pair<std::string, Json>> cases;

    Json bad_status = audit;
    bad_status["findings"][0]["status"] = "OK";
    cases.emplace_back("'OK' is not one of", bad_status);

    Json unknown_key = audit;
    unknown_key["findings"][1]["evidence"][0]["severity"] = "high";
    cases.emplace_back("'severity' was unexpected", unknown_key);

    Json missing_summary = audit;
    missing_summary.erase("summary");
    cases.emplace_back("'summary' is a required property", missing_summary);

    Json wrong_schema = audit;
    wrong_schema["schema"] = "kubecert/report/v2";
    cases.emplace_back("'kubecert/report/v1' was expected", wrong_schema);

    Json bad_date = audit;
    bad_date["certificates"][0]["not_after"] = "Mar 15, 2025 12:00 UTC";
    cases.emplace_back("does not match", bad_date);

    Json bad_action = fix;
    bad_action["actions"][0]["status"] = "done";
    cases.emplace_back("'done' is not one of", bad_action);

    Json fix_without_actions = fix;
    fix_without_actions.erase("actions");
    cases.emplace_back("'actions' is a required property", fix_without_actions);

    Json after_without_summary = fix;
    after_without_summary.erase("summary_after");
    cases.emplace_back("'summary_after' is a dependency", after_without_summary);

    std::vector<std::string> reports;
    for (const auto& [why, report] : cases) reports.push_back(report.dump(2));
    const std::vector<std::string> verdicts = validate(reports);
    for (std::size_t i = 0; i < cases.size(); ++i) {
        EXPECT_EQ(verdicts[i].rfind("invalid: ", 0), 0u) << verdicts[i];
        EXPECT_NE(verdicts[i].find(cases[i].first), std::string::npos) << verdicts[i];
    }
}
