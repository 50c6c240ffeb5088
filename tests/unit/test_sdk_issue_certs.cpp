// sdk::Host::issue_certs: one cert_issue_batch call on an ABI 1.2 host, one
// cert_issue per request on an older host (whose table ends before the field).
#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <vector>

#include <kubecert/sdk.hpp>

namespace {

// What the fake hosts saw.
struct Seen {
    std::vector<std::string> single_templates;
    std::vector<std::string> batch_templates;
    std::vector<std::string> batch_old_keys;
    std::vector<uint32_t> result_sizes;
    std::string error = "no error";
};
Seen seen;

const char* last_error(const kubecert_host_t*) {
    return seen.error.c_str();
}

kubecert_status_t single(const kubecert_host_t*, const char* tmpl, size_t tmpl_size, const char*, size_t, const char*,
                         size_t, int64_t, kubecert_issued_t* out) {
    std::string t(tmpl, tmpl_size);
    seen.single_templates.push_back(t);
    if (t == "bad") {
        seen.error = "cannot issue bad";
        return KUBECERT_ERR_PARSE;
    }
    static std::string cert, key;
    cert = "cert of " + t;
    key = "key of " + t;
    out->cert_pem = {cert.c_str(), cert.size()};
    out->key_pem = {key.c_str(), key.size()};
    return KUBECERT_OK;
}

kubecert_status_t batch(const kubecert_host_t*, const kubecert_issue_request_t* const* requests, size_t count,
                        kubecert_issue_result_t* const* results) {
    static std::vector<std::string> kept;
    kept.clear();
    kept.reserve(2 * count);
    for (size_t i = 0; i < count; ++i) {
        const auto* r = requests[i];
        EXPECT_EQ(r->struct_size, sizeof(kubecert_issue_request_t));
        const std::string t(r->tmpl, r->tmpl_size);
        seen.batch_templates.push_back(t);
        seen.batch_old_keys.push_back(r->old_key ? std::string(r->old_key, r->old_key_size) : "<none>");
        seen.result_sizes.push_back(results[i]->struct_size);
        if (t == "bad") {
            results[i]->status = KUBECERT_ERR_PARSE;
            results[i]->error = "cannot issue bad";
            continue;
        }
        results[i]->status = KUBECERT_OK;
        results[i]->error = "";
        const auto& c = kept.emplace_back("cert of " + t);
        const auto& k = kept.emplace_back("key of " + t);
        results[i]->cert_pem = {c.c_str(), c.size()};
        results[i]->key_pem = {k.c_str(), k.size()};
    }
    return KUBECERT_OK;
}

std::vector<kubecert::sdk::IssueRequest> requests() {
    return {{"a", "ca", "ca-key", "old-a", 10}, {"bad", "ca", "ca-key", "", 10}, {"c", "ca", "ca-key", "", 10}};
}

void expect_results(const std::vector<kubecert::sdk::IssueResult>& r) {
    ASSERT_EQ(r.size(), 3u);
    EXPECT_TRUE(r[0].ok());
    EXPECT_EQ(r[0].issued.cert_pem, "cert of a");
    EXPECT_EQ(r[0].issued.key_pem, "key of a");
    EXPECT_FALSE(r[1].ok());
    EXPECT_EQ(r[1].status, KUBECERT_ERR_PARSE);
    EXPECT_EQ(r[1].error, "cannot issue bad");
    EXPECT_TRUE(r[2].ok());
    EXPECT_EQ(r[2].issued.cert_pem, "cert of c");
}

TEST(SdkIssueCerts, OneBatchCallOnAnAbi12Host) {
    seen = {};
    kubecert_host_t host{};
    host.struct_size = sizeof host;
    host.last_error = last_error;
    host.cert_issue = single;
    host.cert_issue_batch = batch;
    expect_results(kubecert::sdk::Host(&host).issue_certs(requests()));
    EXPECT_TRUE(seen.single_templates.empty());
    EXPECT_EQ(seen.batch_templates, (std::vector<std::string>{"a", "bad", "c"}));
    EXPECT_EQ(seen.batch_old_keys, (std::vector<std::string>{"old-a", "<none>", "<none>"}));
    EXPECT_EQ(seen.result_sizes, (std::vector<uint32_t>(3, sizeof(kubecert_issue_result_t))));
}

TEST(SdkIssueCerts, OneCallPerRequestOnAnOlderHost) {
    seen = {};
    kubecert_host_t host{};
    // An ABI 1.1 host's table: it ends before cert_issue_batch (whatever lies beyond is not read).
    host.struct_size = offsetof(kubecert_host_t, cert_issue_batch);
    host.last_error = last_error;
    host.cert_issue = single;
    host.cert_issue_batch = batch; // must not be called: struct_size does not cover it
    expect_results(kubecert::sdk::Host(&host).issue_certs(requests()));
    EXPECT_EQ(seen.single_templates, (std::vector<std::string>{"a", "bad", "c"}));
    EXPECT_TRUE(seen.batch_templates.empty());
}

} // namespace
