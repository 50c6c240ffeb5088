// The command line contract of DESIGN.md through the real binary, with the C
// test plugin: exit statuses, formats, --check, fix/dry-run/rollback/restore,
// the fix lock, confinement to --root.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pugixml.hpp>
#include <thread>

#include "core_fixture.hpp"
#include "pki.hpp"

using namespace kubecert::test;

TEST(CoreCli, VersionAndHelp) {
    auto v = run_kubecert({"version"});
    EXPECT_EQ(v.exit_code, 0);
    EXPECT_NE(v.out.find("kubecert 0."), std::string::npos);
    EXPECT_NE(v.out.find("plugin ABI 1.5"), std::string::npos);

    CoreNode node;
    for (const char* cmd : {"audit", "fix", "certs", "plugins", "restore", "version"}) {
        auto h = node.kubecert({cmd, "--help"});
        EXPECT_EQ(h.exit_code, 0) << cmd;
        EXPECT_NE(h.out.find(std::string("usage: kubecert")), std::string::npos) << cmd << h.out;
    }
    auto h = node.kubecert({"--help"});
    EXPECT_NE(h.out.find("--testgood-fail-after"), std::string::npos) << "plugin options appear in --help";
    EXPECT_NE(h.out.find("--warn-within"), std::string::npos);
}

TEST(CoreCli, UsageErrorsExit2) {
    CoreNode node;
    EXPECT_EQ(node.kubecert({}).exit_code, 2);
    EXPECT_EQ(node.kubecert({"frobnicate"}).exit_code, 2);
    EXPECT_EQ(node.kubecert({"audit", "--no-such-option"}).exit_code, 2);
    EXPECT_EQ(node.kubecert({"--format", "yaml", "audit"}).exit_code, 2);
    EXPECT_EQ(node.kubecert({"--now", "yesterday", "audit"}).exit_code, 2);
    EXPECT_EQ(node.kubecert({"--warn-within", "soon", "audit"}).exit_code, 2);
    EXPECT_EQ(node.kubecert({"audit", "--dry-run"}).exit_code, 2);
    auto r = node.kubecert({"audit", "--no-such-option"});
    EXPECT_NE(r.err.find("no-such-option"), std::string::npos) << r.err;
}

TEST(CoreCli, ExitStatusFollowsTheFindings) {
    CoreNode node;
    node.write_confs("ok\n", "ok\n", "ok\n");
    EXPECT_EQ(node.kubecert({"audit"}).exit_code, 0);
    node.write_confs("ok\n", "bad\n", "ok\n");
    auto r = node.kubecert({"audit"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.out.find("testgood.b"), std::string::npos);
    // Unreadable input is an ERROR finding: exit 3.
    ::mkdir((node.root / "/etc/testgood/c.conf.d").c_str(), 0755);
    ::unlink((node.root / "/etc/testgood/c.conf").c_str());
    ::symlink("c.conf.d", (node.root / "/etc/testgood/c.conf").c_str());
    EXPECT_EQ(node.kubecert({"audit"}).exit_code, 3);
}

TEST(CoreCli, NoPluginMatchingOrUnknownFlavorExits3) {
    TempDir root, plugins;
    CoreNode::install_plugin("testgood.so", plugins.path(), "testgood.so");
    auto r = run_kubecert({"--root", root.path(), "--plugin-dir", plugins.path(), "audit"},
                          {{"KUBECERT_PLUGIN_PATH", "\x01unset"}});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_NE(r.err.find("no plugin recognises the node"), std::string::npos) << r.err;
    auto u = run_kubecert({"--root", root.path(), "--plugin-dir", plugins.path(), "--flavor", "nope", "audit"});
    EXPECT_EQ(u.exit_code, 3);
    EXPECT_NE(u.err.find("no plugin named 'nope'"), std::string::npos) << u.err;
}

TEST(CoreCli, CheckSelectsFindings) {
    CoreNode node;
    node.write_confs("bad\n", "ok\n", "ok\n");
    auto r = node.kubecert({"--format", "json", "--check", "testgood.b", "audit"});
    EXPECT_EQ(r.exit_code, 0) << "the failing check is not selected";
    auto j = parse_report(r.out);
    ASSERT_EQ(j["findings"].size(), 1u);
    EXPECT_EQ(j["findings"][0]["id"], "testgood.b");
}

TEST(CoreCli, NowAndWarnWithinDriveCertificateStatus) {
    CoreNode node;
    node.write_confs("ok\n", "ok\n", "ok\n");
    CertSpec spec;
    spec.common_name = "test";
    spec.not_before = now_seconds() - k_day;
    spec.not_after = now_seconds() + 10 * k_day;
    write_file(node.root / "/etc/testgood/cert.pem", make_self_signed(spec).cert_pem);
    auto status = [&](std::vector<std::string> extra) {
        extra.insert(extra.end(), {"--format", "json", "audit"});
        return status_of(parse_report(node.kubecert(extra).out)["findings"], "testgood.cert");
    };
    EXPECT_EQ(status({}), "WARN"); // 10 days < default 30d
    EXPECT_EQ(status({"--warn-within", "5d"}), "PASS");
    EXPECT_EQ(status({"--now", "2099-01-01T00:00:00Z"}), "FAIL");
    auto prom = node.kubecert({"--format", "prometheus", "audit"});
    EXPECT_NE(prom.out.find("kubecert_certificate_not_after_seconds{"), std::string::npos) << prom.out;
}

TEST(CoreCli, JunitReportParsesBack) {
    CoreNode node;
    node.write_confs("ok\n", "bad\n", "ok\n");
    auto r = node.kubecert({"--format", "junit", "audit"});
    EXPECT_EQ(r.exit_code, 1);
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(r.out.c_str())) << r.out;
    auto suite = doc.select_node("//testsuite[@name='testgood']").node();
    ASSERT_TRUE(suite);
    EXPECT_STREQ(suite.attribute("failures").value(), "1");
    EXPECT_TRUE(doc.select_node("//testcase[@name='testgood.b']/failure"));
}

TEST(CoreCli, OutputFileIsWrittenAndStdoutStaysEmpty) {
    CoreNode node;
    node.write_confs("ok\n", "ok\n", "ok\n");
    TempDir out;
    auto r = node.kubecert({"--format", "json", "--output", out.path() + "/report.json", "audit"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_TRUE(r.out.empty());
    auto j = parse_report(read_file(out.path() + "/report.json"));
    EXPECT_EQ(j["schema"], "kubecert/report/v1");
}

TEST(CoreCli, FixWithoutTerminalNeedsYes) {
    CoreNode node;
    node.write_confs("bad\n", "ok\n", "ok\n");
    auto before = snapshot_tree(node.root.path());
    auto r = node.kubecert({"fix"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--yes"), std::string::npos) << r.err;
    EXPECT_EQ(snapshot_tree(node.root.path()), before);
}

TEST(CoreCli, DryRunPrintsDiffAndCommandsAndChangesNothing) {
    CoreNode node;
    node.write_confs("bad\n", "ok\n", "worse\n");
    auto before = snapshot_tree(node.root.path());
    auto r = node.kubecert({"--testgood-run", "systemctl", "fix", "--dry-run"});
    EXPECT_EQ(r.exit_code, 0) << "the preview audit passes: " << r.out << r.err;
    EXPECT_NE(r.out.find("--- a/etc/testgood/a.conf"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("-bad"), std::string::npos);
    EXPECT_NE(r.out.find("+ok"), std::string::npos);
    EXPECT_NE(r.out.find("systemctl restart"), std::string::npos);
    EXPECT_EQ(snapshot_tree(node.root.path()), before) << "dry run changed files (or made backups/locks)";
    auto j = parse_report(node.kubecert({"--format", "json", "fix", "--dry-run"}).out);
    ASSERT_EQ(j["actions"].size(), 2u);
    EXPECT_EQ(j["actions"][0]["status"], "planned");
    EXPECT_EQ(j["actions"][0]["kind"], "edit");
}

TEST(CoreCli, FixAppliesBacksUpAuditsAgainAndIsIdempotent) {
    CoreNode node;
    node.write_confs("bad\n", "ok\n", "worse\n");
    ::chmod((node.root / "/etc/testgood/a.conf").c_str(), 0600);
    TempDir bin;
    write_script(bin.path(), "systemctl", "#!/bin/sh\necho \"$@\" >> " + bin.path() + "/calls\n");
    auto r = node.kubecert({"--format", "json", "--testgood-run", "systemctl", "fix", "--yes"},
                           {{"PATH", path_with(bin.path())}});
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    auto j = parse_report(r.out);
    EXPECT_EQ(status_of(j["findings"], "testgood.a"), "FAIL");
    EXPECT_EQ(status_of(j["after"], "testgood.a"), "PASS");
    EXPECT_EQ(read_file(node.root / "/etc/testgood/a.conf"), "ok\n");
    struct stat st;
    ::stat((node.root / "/etc/testgood/a.conf").c_str(), &st);
    EXPECT_EQ(st.st_mode & 07777, 0600u) << "mode kept";
    EXPECT_EQ(read_file(bin.path() + "/calls"), "restart\n");
    std::string backup = j["actions"][0]["backup"];
    ASSERT_FALSE(backup.empty());
    EXPECT_EQ(read_file(backup), "bad\n");
    EXPECT_NE(backup.find(node.root.path() + "/var/backups/kubecert/"), std::string::npos);

    // A second fix changes nothing and runs nothing.
    auto before = snapshot_tree(node.root.path());
    auto again = node.kubecert({"--format", "json", "--testgood-run", "systemctl", "fix", "--yes"},
                               {{"PATH", path_with(bin.path())}});
    EXPECT_EQ(again.exit_code, 0);
    EXPECT_TRUE(parse_report(again.out)["actions"].empty());
    EXPECT_EQ(snapshot_tree(node.root.path()), before);
    EXPECT_EQ(read_file(bin.path() + "/calls"), "restart\n");
}

TEST(CoreCli, FailureAfterTheSecondOfThreeEditsRollsAllBack) {
    CoreNode node;
    node.write_confs("one\n", "two\n", "three\n");
    auto before = snapshot_tree(node.root.path() + "/etc");
    auto r = node.kubecert({"--format", "json", "--testgood-fail-after", "2", "fix", "--yes"});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_NE(r.err.find("injected failure after 2 edits"), std::string::npos) << r.err;
    EXPECT_EQ(snapshot_tree(node.root.path() + "/etc"), before) << "every edit was restored";
    auto j = parse_report(r.out);
    ASSERT_EQ(j["actions"].size(), 2u);
    for (const auto& a : j["actions"]) EXPECT_EQ(a["status"], "rolled_back");
}

TEST(CoreCli, FailingCommandRollsBackTheEdits) {
    CoreNode node;
    node.write_confs("bad\n", "ok\n", "ok\n");
    TempDir bin;
    write_script(bin.path(), "systemctl", "#!/bin/sh\necho 'Job for kubelet.service failed' >&2\nexit 1\n");
    auto r = node.kubecert({"--format", "json", "--testgood-run", "systemctl", "fix", "--yes"},
                           {{"PATH", path_with(bin.path())}});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(read_file(node.root / "/etc/testgood/a.conf"), "bad\n");
    auto j = parse_report(r.out);
    bool saw_failed_command = false;
    for (const auto& a : j["actions"])
        if (a["kind"] == "command" && a["status"] == "failed") {
            saw_failed_command = true;
            EXPECT_NE(a["detail"].get<std::string>().find("Job for kubelet.service failed"), std::string::npos);
        }
    EXPECT_TRUE(saw_failed_command) << r.out;
}

TEST(CoreCli, RestorePutsABackupBack) {
    CoreNode node;
    node.write_confs("bad\n", "ok\n", "ok\n");
    TempDir backups;
    auto r = node.kubecert({"fix", "--yes", "--backup-dir", backups.path() + "/b1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(read_file(node.root / "/etc/testgood/a.conf"), "ok\n");
    auto restore = node.kubecert({"restore", backups.path() + "/b1"});
    EXPECT_EQ(restore.exit_code, 0) << restore.err;
    EXPECT_EQ(read_file(node.root / "/etc/testgood/a.conf"), "bad\n");
    EXPECT_NE(restore.out.find("/etc/testgood/a.conf"), std::string::npos);
    EXPECT_EQ(node.kubecert({"restore", backups.path() + "/missing"}).exit_code, 3);
}

TEST(CoreCli, SymlinksCannotLeaveTheRoot) {
    CoreNode node;
    node.write_confs("bad\n", "ok\n", "ok\n");
    TempDir outside;
    write_file(outside.path() + "/target", "bad\n");
    // An absolute link is taken relative to the root, like chroot.
    ::unlink((node.root / "/etc/testgood/a.conf").c_str());
    ::symlink((outside.path() + "/target").c_str(), (node.root / "/etc/testgood/a.conf").c_str());
    write_file(node.root / (outside.path() + "/target"), "bad\n");
    auto r = node.kubecert({"fix", "--yes"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(read_file(outside.path() + "/target"), "bad\n") << "a file outside the root was written";
    EXPECT_EQ(read_file(node.root / (outside.path() + "/target")), "ok\n");
}

TEST(CoreCli, ASecondFixWaitsThenRefusesNamingTheHolder) {
    CoreNode node;
    node.write_confs("bad\n", "ok\n", "ok\n");
    TempDir bin;
    // The first fix holds the lock while its "systemctl" sleeps.
    write_script(bin.path(), "systemctl", "#!/bin/sh\nsleep 4\n");
    pid_t first = fork();
    if (first == 0) {
        auto r = node.kubecert({"--testgood-run", "systemctl", "fix", "--yes"}, {{"PATH", path_with(bin.path())}});
        _exit(r.exit_code);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    auto second = node.kubecert({"--lock-wait", "1s", "fix", "--yes"});
    EXPECT_EQ(second.exit_code, 3);
    EXPECT_NE(second.err.find("pid="), std::string::npos) << second.err;
    int status = 0;
    waitpid(first, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    // Once the holder is gone the lock is free.
    EXPECT_EQ(node.kubecert({"fix", "--yes"}).exit_code, 0);
}

// Reports the real binary writes (audit, fix, dry run, certs) validate
// against docs/report.schema.json with a real validator.
TEST(CoreCli, JsonReportsOfEveryCommandMatchTheSchema) {
    CoreNode node;
    node.write_confs("bad\n", "ok\n", "ok\n");
    CertSpec spec;
    spec.common_name = "test";
    spec.not_before = now_seconds() - k_day;
    spec.not_after = now_seconds() + 100 * k_day;
    write_file(node.root / "/etc/testgood/cert.pem", make_self_signed(spec).cert_pem);
    TempDir out;
    int n = 0;
    for (std::vector<std::string> args : {std::vector<std::string>{"audit"},
                                          {"certs"},
                                          {"fix", "--dry-run"},
                                          {"--testgood-fail-after", "0", "fix", "--yes"},
                                          {"fix", "--yes"}}) {
        args.insert(args.begin(), {"--format", "json"});
        auto r = node.kubecert(args);
        ASSERT_FALSE(r.out.empty()) << r.err;
        write_file(out.path() + "/r" + std::to_string(n++) + ".json", r.out);
    }
    const std::string script = "import json, sys, glob\n"
                               "import jsonschema\n"
                               "schema = json.load(open(sys.argv[1]))\n"
                               "cls = jsonschema.validators.validator_for(schema)\n"
                               "for path in sorted(glob.glob(sys.argv[2] + '/*.json')):\n"
                               "    errors = list(cls(schema).iter_errors(json.load(open(path))))\n"
                               "    for e in errors: print(path, e.message)\n"
                               "    if errors: sys.exit(1)\n"
                               "print('valid')\n";
    auto v = run({"python3", "-c", script, source_dir() + "/docs/report.schema.json", out.path()});
    EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
    EXPECT_EQ(v.out, "valid\n") << v.err;
}

TEST(CoreCli, NowGoesOnlyWithAuditCertsAndDryRun) {
    CoreNode node;
    node.write_confs("ok\n", "bad\n", "ok\n");
    const auto before = snapshot_tree(node.root.path());
    const std::string at = "2099-01-01T00:00:00Z";
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"--now", at, "fix", "--yes"}, {"--now", at, "fix", "--yes", "--no-restart"}, {"--now", at, "plugins"}}) {
        const auto r = node.kubecert(args);
        EXPECT_EQ(r.exit_code, 2) << args[2] << ": " << r.err;
        EXPECT_NE(r.err.find("--now goes with audit, certs and fix --dry-run"), std::string::npos) << r.err;
    }
    EXPECT_EQ(snapshot_tree(node.root.path()), before); // nothing changed, no backup made
    EXPECT_EQ(node.kubecert({"--now", at, "audit"}).exit_code, 1);
    EXPECT_EQ(node.kubecert({"--now", at, "certs"}).exit_code, 1);
    const auto dry = node.kubecert({"--now", at, "--format", "json", "fix", "--dry-run"});
    EXPECT_NE(dry.exit_code, 2) << dry.err;
    EXPECT_EQ(snapshot_tree(node.root.path()), before);
}
