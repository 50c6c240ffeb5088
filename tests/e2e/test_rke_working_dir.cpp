// Like `rke up`, the RKE plugin finds cluster.yml in the folder it runs in
// (host service working_dir, ABI 1.1), when that folder is inside --root.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

using namespace kubecert::test;

namespace {

nlohmann::json finding(const nlohmann::json& report, const std::string& id) {
    for (const auto& f : report["findings"])
        if (f["id"] == id) return f;
    return {};
}

} // namespace

TEST(RkeWorkingDir, ClusterYmlInTheWorkingFolderIsAuditedWithoutFlags) {
    TempDir root;
    const std::string folder = root / "/home/admin/cluster";
    copy_file(upstream_fixtures() + "/rke/cluster.yml", folder + "/cluster.yml");
    auto r = run_kubecert_in(folder, {"--root", root.path(), "--format", "json", "audit"},
                             {{"KUBECERT_PLUGIN_PATH", "\x01unset"}});
    ASSERT_FALSE(r.out.empty()) << r.err;
    auto report = nlohmann::json::parse(r.out);
    auto f = finding(report, "rke.generate-serving-cert");
    ASSERT_FALSE(f.is_null()) << r.out;
    EXPECT_EQ(f["status"], "FAIL") << "the upstream cluster.yml does not set generate_serving_certificate";
    EXPECT_NE(f.dump().find("/home/admin/cluster/cluster.yml"), std::string::npos) << f.dump(2);
}

TEST(RkeWorkingDir, AWorkingFolderOutsideTheRootIsNotLookedAt) {
    TempDir root, elsewhere;
    copy_file(upstream_fixtures() + "/rke/cluster.yml", elsewhere.path() + "/cluster.yml");
    auto r = run_kubecert_in(elsewhere.path(), {"--root", root.path(), "--flavor", "rke", "--format", "json", "audit"},
                             {{"KUBECERT_PLUGIN_PATH", "\x01unset"}});
    auto report = nlohmann::json::parse(r.out);
    auto f = finding(report, "rke.generate-serving-cert");
    ASSERT_FALSE(f.is_null()) << r.out;
    EXPECT_EQ(f["status"], "INFO") << "no cluster.yml under --root: " << f.dump(2);
}
