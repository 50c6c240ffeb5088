// The C host table (HostAbiAdapter) called with hostile arguments: NULL
// pointers, paths outside the root, sizes larger than any buffer, calls out
// of phase. Each answers with a status and a message, never an exception or
// a crash.
#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <cstring>
#include <string>

#include "app/host_abi_adapter.hpp"
#include "app/host_services.hpp"
#include "app/phase_context.hpp"
#include "test_support.hpp"

namespace kubecert::app {
namespace {

// A plugin "unit" declaring --unit-window DURATION with the default 30d.
loader::PluginModel unit_model() {
    loader::PluginModel m;
    m.name = "unit";
    m.options.push_back({"window", "DURATION", "the window", "30d"});
    return m;
}

class HostAbiAdapterTest : public ::testing::Test {
protected:
    void SetUp() override {
        test::write_file(m_tmp / "/etc/kubernetes/kubelet.conf", "apiVersion: v1\n");
        m_run.fs = std::make_unique<host::RootFs>(m_tmp.path());
        m_run.now = 1'800'000'000;
    }
    // The table as a plugin sees it during an audit.
    const kubecert_host_t* h() const { return m_adapter.table(); }
    std::string last_error() const { return h()->last_error(h()); }

    test::TempDir m_tmp;
    RunContext m_run;
    loader::PluginModel m_model{unit_model()};
    HostServices m_services{m_run, m_model};
    HostAbiAdapter m_adapter{m_services};
};

// Expects `status` to be a failure with a message naming `what`.
#define EXPECT_REFUSED(call, status, what)                                                                             \
    do {                                                                                                               \
        EXPECT_EQ((call), (status)) << #call;                                                                          \
        EXPECT_NE(last_error().find(what), std::string::npos) << #call << ": " << last_error();                        \
    } while (0)

TEST_F(HostAbiAdapterTest, NullArgumentsAreRefusedWithAStatus) {
    const auto audit = PhaseContext::reading(PhaseKind::audit, *m_run.fs, m_run.now);
    AuditResults results;
    HostServices::CallScope scope(m_services, audit, &results);
    kubecert_buffer_t buf{};
    kubecert_file_info_t info{};
    info.struct_size = sizeof info;
    kubecert_string_list_t list{};
    const kubecert_process_t* procs = nullptr;
    size_t count = 0;
    int flag = 0;
    kubecert_cert_info_t cert{};
    cert.struct_size = sizeof cert;
    kubecert_issued_t issued{};
    issued.struct_size = sizeof issued;
    kubecert_http_response_t http{};
    http.struct_size = sizeof http;

    EXPECT_EQ(h()->option(h(), nullptr), nullptr);
    EXPECT_EQ(h()->check_selected(h(), nullptr), 0);
    h()->log(h(), static_cast<kubecert_log_level_t>(99), nullptr);
    h()->begin_action(h(), nullptr);
    EXPECT_REFUSED(h()->report_finding(h(), nullptr), KUBECERT_ERR_INVALID, "report_finding");
    EXPECT_REFUSED(h()->report_certificate(h(), nullptr), KUBECERT_ERR_INVALID, "report_certificate");
    EXPECT_REFUSED(h()->read_file(h(), nullptr, &buf), KUBECERT_ERR_INVALID, "read_file");
    EXPECT_REFUSED(h()->read_file(h(), "/etc/kubernetes/kubelet.conf", nullptr), KUBECERT_ERR_INVALID, "read_file");
    EXPECT_REFUSED(h()->stat_file(h(), nullptr, &info), KUBECERT_ERR_INVALID, "stat_file");
    EXPECT_REFUSED(h()->lstat_file(h(), "/etc", nullptr), KUBECERT_ERR_INVALID, "stat_file");
    EXPECT_REFUSED(h()->list_dir(h(), nullptr, &list), KUBECERT_ERR_INVALID, "list_dir");
    EXPECT_REFUSED(h()->resolve_path(h(), "/etc", nullptr), KUBECERT_ERR_INVALID, "resolve_path");
    EXPECT_REFUSED(h()->find_processes(h(), nullptr, &procs, &count), KUBECERT_ERR_INVALID, "find_processes");
    EXPECT_REFUSED(h()->run_command(h(), nullptr, 1, 0, 0, nullptr), KUBECERT_ERR_INVALID, "run_command");
    const char* with_null[] = {"true", nullptr, "x"};
    kubecert_command_result_t result{};
    result.struct_size = sizeof result;
    EXPECT_REFUSED(h()->run_command(h(), with_null, 3, 0, 0, &result), KUBECERT_ERR_INVALID, "null argument");
    EXPECT_REFUSED(h()->cert_parse(h(), nullptr, 5, nullptr, &cert), KUBECERT_ERR_INVALID, "cert_parse");
    EXPECT_REFUSED(h()->key_matches_cert(h(), nullptr, 0, "x", 1, &flag), KUBECERT_ERR_INVALID, "key_matches_cert");
    EXPECT_REFUSED(h()->cert_verify(h(), "x", 1, nullptr, 0, &flag, nullptr), KUBECERT_ERR_INVALID, "cert_verify");
    EXPECT_REFUSED(h()->cert_issue(h(), "x", 1, "y", 1, nullptr, 0, 10, &issued), KUBECERT_ERR_INVALID, "cert_issue");
    EXPECT_REFUSED(h()->cert_issue(h(), "x", 1, "y", 1, "z", 1, 0, &issued), KUBECERT_ERR_INVALID, "validity");
    EXPECT_REFUSED(h()->cert_issue_batch(h(), nullptr, 3, nullptr), KUBECERT_ERR_INVALID, "cert_issue_batch");
    const kubecert_issue_request_t* no_request[] = {nullptr};
    kubecert_issue_result_t* no_result[] = {nullptr};
    EXPECT_REFUSED(h()->cert_issue_batch(h(), no_request, 1, no_result), KUBECERT_ERR_INVALID, "request 0");
    EXPECT_REFUSED(h()->tls_fetch_cert(h(), nullptr, 0, &cert), KUBECERT_ERR_INVALID, "tls_fetch_cert");
    EXPECT_REFUSED(h()->http_get(h(), "http://127.0.0.1:1/", 0, nullptr), KUBECERT_ERR_INVALID, "http_get");
    EXPECT_EQ(h()->http_get(h(), nullptr, 0, &http), KUBECERT_ERR_INVALID);
    EXPECT_TRUE(results.findings.empty()) << "nothing refused was recorded";
}

TEST_F(HostAbiAdapterTest, PathsStayInsideTheRoot) {
    const auto audit = PhaseContext::reading(PhaseKind::audit, *m_run.fs, m_run.now);
    HostServices::CallScope scope(m_services, audit);
    kubecert_buffer_t buf{};
    const char* resolved = nullptr;
    // Climbing above the root lands on the root, like chroot: the host's own files are not reached.
    ASSERT_EQ(h()->resolve_path(h(), "/../../../etc/kubernetes/kubelet.conf", &resolved), KUBECERT_OK);
    EXPECT_STREQ(resolved, "/etc/kubernetes/kubelet.conf");
    EXPECT_EQ(h()->read_file(h(), "/../../../../etc/hostname", &buf), KUBECERT_ERR_NOT_FOUND) << last_error();
    EXPECT_NE(h()->read_file(h(), "etc/kubernetes/kubelet.conf", &buf), KUBECERT_OK) << "a relative path";
    EXPECT_EQ(h()->read_file(h(), "/etc", &buf), KUBECERT_ERR_DENIED) << "a folder is not a file";
    const std::string with_nul("/etc/kube\0rnetes", 16);
    EXPECT_EQ(h()->read_file(h(), with_nul.c_str(), &buf), KUBECERT_ERR_NOT_FOUND);
    const std::string long_path = "/" + std::string(PATH_MAX * 2, 'a');
    EXPECT_NE(h()->read_file(h(), long_path.c_str(), &buf), KUBECERT_OK);
}

TEST_F(HostAbiAdapterTest, HugeSizesAreRefusedBeforeTheDataIsRead) {
    const auto audit = PhaseContext::reading(PhaseKind::audit, *m_run.fs, m_run.now);
    HostServices::CallScope scope(m_services, audit);
    const char small[] = "x";
    kubecert_cert_info_t cert{};
    cert.struct_size = sizeof cert;
    int flag = 0;
    EXPECT_REFUSED(h()->cert_parse(h(), small, SIZE_MAX, "x", &cert), KUBECERT_ERR_INVALID, "bytes");
    EXPECT_REFUSED(h()->key_matches_cert(h(), small, SIZE_MAX, small, 1, &flag), KUBECERT_ERR_INVALID, "size");
    EXPECT_REFUSED(h()->cert_verify(h(), small, 1, small, SIZE_MAX, &flag, nullptr), KUBECERT_ERR_INVALID, "size");
    EXPECT_REFUSED(h()->cert_parse(h(), small, 1, "garbage.pem", &cert), KUBECERT_ERR_PARSE, "garbage.pem");
}

TEST_F(HostAbiAdapterTest, ChangesOutsideTheFixAreDenied) {
    const auto audit = PhaseContext::reading(PhaseKind::audit, *m_run.fs, m_run.now);
    HostServices::CallScope scope(m_services, audit);
    EXPECT_REFUSED(h()->write_file(h(), "/etc/x", "x", 1, 0644, 0), KUBECERT_ERR_DENIED, "only be changed during fix");
    EXPECT_REFUSED(h()->backup_file(h(), "/etc/x"), KUBECERT_ERR_DENIED, "backup_file");
    EXPECT_REFUSED(h()->park_file(h(), "/etc/x"), KUBECERT_ERR_DENIED, "park_file");
    EXPECT_REFUSED(h()->unpark_file(h(), nullptr), KUBECERT_ERR_INVALID, "unpark_file");
    EXPECT_REFUSED(h()->rollback(h()), KUBECERT_ERR_DENIED, "rollback");
    EXPECT_REFUSED(h()->replace_symlink(h(), "/etc/x", "y"), KUBECERT_ERR_DENIED, "replace_symlink");
    EXPECT_FALSE(test::file_exists(m_tmp / "/etc/x"));
}

TEST_F(HostAbiAdapterTest, WritesInTheFixCheckSizesAndPointers) {
    host::Transaction txn(*m_run.fs, m_tmp.path() + "-backup", true);
    const auto fixing = PhaseContext::fixing(txn, *m_run.fs, m_run.now);
    HostServices::CallScope scope(m_services, fixing);
    EXPECT_REFUSED(h()->write_file(h(), "/etc/x", nullptr, 5, 0644, 0), KUBECERT_ERR_INVALID, "null argument");
    EXPECT_REFUSED(h()->write_file(h(), "/etc/x", "x", SIZE_MAX, 0644, 0), KUBECERT_ERR_INVALID, "more than");
    EXPECT_REFUSED(h()->write_file(h(), nullptr, "x", 1, 0644, 0), KUBECERT_ERR_INVALID, "write_file");
    EXPECT_REFUSED(h()->replace_symlink(h(), "/etc/link", nullptr), KUBECERT_ERR_INVALID, "replace_symlink");
    EXPECT_REFUSED(h()->park_file(h(), "/etc/absent"), KUBECERT_ERR_NOT_FOUND, "nothing to park");
    EXPECT_EQ(h()->write_file(h(), "/etc/empty", nullptr, 0, 0644, 0), KUBECERT_OK) << last_error();
}

TEST_F(HostAbiAdapterTest, CallsOutsideAPluginCallFailCleanly) {
    kubecert_buffer_t buf{};
    EXPECT_REFUSED(h()->read_file(h(), "/etc/kubernetes/kubelet.conf", &buf), KUBECERT_ERR_FAILED, "outside");
    EXPECT_EQ(h()->now(h()), 0);
    EXPECT_STREQ(h()->option(h(), "window"), "30d") << "settings need no phase";
}

TEST_F(HostAbiAdapterTest, AForeignOrNullHostPointerIsRefused) {
    kubecert_host_t foreign = *h();
    foreign.host_data = nullptr;
    kubecert_buffer_t buf{};
    EXPECT_EQ(foreign.read_file(&foreign, "/etc/kubernetes/kubelet.conf", &buf), KUBECERT_ERR_INVALID);
    EXPECT_EQ(foreign.read_file(nullptr, "/etc", &buf), KUBECERT_ERR_INVALID);
    EXPECT_NE(foreign.last_error(nullptr), nullptr);
    EXPECT_EQ(foreign.node_name(&foreign), std::string("localhost"));
    EXPECT_EQ(foreign.now(nullptr), 0);
}

} // namespace
} // namespace kubecert::app

namespace kubecert::app {
namespace {

class HostExtensionsTest : public ::testing::Test {
protected:
    void SetUp() override { m_run.fs = std::make_unique<host::RootFs>(m_tmp.path()); }
    const kubecert_host_t* h() const { return m_adapter.table(); }
    std::string last_error() const { return h()->last_error(h()); }

    test::TempDir m_tmp;
    RunContext m_run;
    loader::PluginModel m_model{unit_model()};
    HostServices m_services{m_run, m_model};
    HostAbiAdapter m_adapter{m_services};
};

// ABI 1.5's extensions, called with what a careless or hostile plugin passes.
TEST_F(HostExtensionsTest, HttpsAndCsrRefuseBadArgumentsAndChangesOutsideFix) {
    const auto audit = PhaseContext::reading(PhaseKind::audit, *m_run.fs, 1'800'000'000);
    HostServices::CallScope scope(m_services, audit);
    const auto* https = static_cast<const kubecert_https_v1_t*>(h()->get_extension(h(), KUBECERT_EXT_HTTPS_V1));
    const auto* csr = static_cast<const kubecert_csr_v1_t*>(h()->get_extension(h(), KUBECERT_EXT_CSR_V1));
    ASSERT_NE(https, nullptr);
    ASSERT_NE(csr, nullptr);
    EXPECT_EQ(https->struct_size, sizeof(kubecert_https_v1_t));
    kubecert_https_response_t response{};
    response.struct_size = sizeof response;
    kubecert_https_request_t request{};
    request.struct_size = sizeof request;
    request.method = "GET";
    request.url = "https://127.0.0.1:1/api";
    EXPECT_EQ(https->request(h(), nullptr, &response), KUBECERT_ERR_INVALID);
    EXPECT_EQ(https->request(h(), &request, nullptr), KUBECERT_ERR_INVALID);
    EXPECT_EQ(https->request(nullptr, &request, &response), KUBECERT_ERR_INVALID);
    EXPECT_EQ(https->request(h(), &request, &response), KUBECERT_ERR_INVALID) << "no CA";
    EXPECT_NE(last_error().find("no CA certificate"), std::string::npos) << last_error();
    request.ca_pem = "x";
    request.ca_pem_size = 1;
    request.url = "http://127.0.0.1:1/api";
    EXPECT_EQ(https->request(h(), &request, &response), KUBECERT_ERR_INVALID);
    EXPECT_NE(last_error().find("only https://"), std::string::npos) << last_error();
    request.url = "https://127.0.0.1:1/api";
    request.method = "TRACE";
    EXPECT_EQ(https->request(h(), &request, &response), KUBECERT_ERR_INVALID);
    request.method = "PUT";
    EXPECT_EQ(https->request(h(), &request, &response), KUBECERT_ERR_DENIED);
    EXPECT_NE(last_error().find("https_request: PUT https://127.0.0.1:1/api refused during audit()"), std::string::npos)
        << last_error();
    const char* bad_header[] = {"X-Injected: a\r\nHost: evil"};
    request.method = "GET";
    request.headers = bad_header;
    request.header_count = 1;
    EXPECT_EQ(https->request(h(), &request, &response), KUBECERT_ERR_INVALID);
    request.headers = nullptr;
    request.struct_size = 8;
    EXPECT_EQ(https->request(h(), &request, &response), KUBECERT_ERR_INVALID) << "struct_size too small";
    EXPECT_TRUE(m_run.actions.derive(nullptr).empty()) << "nothing refused was listed";

    kubecert_csr_info_t info{};
    info.struct_size = sizeof info;
    EXPECT_EQ(csr->parse(h(), nullptr, 0, "x", &info), KUBECERT_ERR_INVALID);
    EXPECT_EQ(csr->parse(h(), "x", 1, "x", nullptr), KUBECERT_ERR_INVALID);
    EXPECT_EQ(csr->parse(h(), "x", SIZE_MAX, "x", &info), KUBECERT_ERR_INVALID);
    EXPECT_EQ(csr->parse(h(), "hello", 5, "the request", &info), KUBECERT_ERR_PARSE);
    EXPECT_NE(last_error().find("the request"), std::string::npos);
}

// kubecert.run.v1 answers from the phase of the call: only the audit after a fix knows what was
// fixed, and only the ids of this plugin ("unit").
TEST_F(HostExtensionsTest, RunAnswersFromThePhaseAndOnlyForThisPlugin) {
    const auto* run = static_cast<const kubecert_run_v1_t*>(h()->get_extension(h(), KUBECERT_EXT_RUN_V1));
    ASSERT_NE(run, nullptr);
    EXPECT_EQ(run->struct_size, sizeof(kubecert_run_v1_t));
    EXPECT_EQ(run->fixed_in_this_run(h(), "unit.a"), 0) << "outside a call";
    EXPECT_NE(last_error().find("fixed_in_this_run"), std::string::npos) << last_error();

    FixedFindings fixed;
    fixed.add("unit", {"unit.a"});
    fixed.add("other", {"other.a", "unit.b"});
    host::Transaction txn(*m_run.fs, m_tmp.path() + "-backup", true);
    const auto after = PhaseContext::after_fix(txn, *m_run.fs, 1'800'000'000, fixed);
    {
        HostServices::CallScope scope(m_services, after);
        EXPECT_EQ(run->fixed_in_this_run(h(), "unit.a"), 1);
        EXPECT_EQ(run->fixed_in_this_run(h(), "unit.b"), 0) << "fixed by another plugin under an id of ours";
        EXPECT_EQ(run->fixed_in_this_run(h(), "other.a"), 0);
        EXPECT_EQ(run->fixed_in_this_run(h(), "unit"), 0);
        EXPECT_EQ(run->fixed_in_this_run(h(), nullptr), 0);
        EXPECT_EQ(run->fixed_in_this_run(nullptr, "unit.a"), 0);
    }
    for (const auto kind : {PhaseKind::detect, PhaseKind::audit}) {
        const auto reading = PhaseContext::reading(kind, *m_run.fs, 1'800'000'000);
        HostServices::CallScope scope(m_services, reading);
        EXPECT_EQ(run->fixed_in_this_run(h(), "unit.a"), 0);
    }
    const auto fixing = PhaseContext::fixing(txn, *m_run.fs, 1'800'000'000);
    HostServices::CallScope scope(m_services, fixing);
    EXPECT_EQ(run->fixed_in_this_run(h(), "unit.a"), 0);
}

} // namespace
} // namespace kubecert::app
