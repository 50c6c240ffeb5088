// Typed plugin options: durations parsed and bounded once, errors naming --<plugin>-<name>.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include <kubecert/util/plugin_options.hpp>

namespace {

using kubecert::util::PluginOptions;

// A host whose only service is option(): the values of `options` (host_data), as the real host
// gives a user's value or the declared default.
struct FakeHost {
    std::map<std::string, std::string> options;
    kubecert_host_t raw{};
    FakeHost() {
        raw.host_data = this;
        raw.option = [](const kubecert_host_t* h, const char* name) -> const char* {
            const auto& opts = static_cast<const FakeHost*>(h->host_data)->options;
            auto it = opts.find(name);
            return it == opts.end() ? nullptr : it->second.c_str();
        };
    }
};

TEST(UtilPluginOptions, DurationInsideItsBounds) {
    FakeHost fake;
    fake.options["restart-timeout"] = "2m";
    const kubecert::sdk::Host host(&fake.raw);
    const PluginOptions options(host, "eks");
    EXPECT_EQ(options.duration("restart-timeout", 1, 3600), 120);
    EXPECT_EQ(options.duration("absent", 1, 3600), std::nullopt);
    EXPECT_EQ(options.duration_or("absent", 1, 3600, 30), 30);
}

TEST(UtilPluginOptions, MalformedOrOutOfBoundsNamesTheOptionAndValue) {
    FakeHost fake;
    fake.options["timeout"] = "soon";
    fake.options["validity"] = "2h";
    const kubecert::sdk::Host host(&fake.raw);
    const PluginOptions options(host, "kubeadm");
    try {
        options.duration("timeout", 1, 3600);
        FAIL() << "a malformed duration was accepted";
    } catch (const kubecert::sdk::Error& e) {
        EXPECT_EQ(e.status(), KUBECERT_ERR_INVALID);
        EXPECT_NE(std::string(e.what()).find("--kubeadm-timeout \"soon\""), std::string::npos) << e.what();
    }
    try {
        options.duration("validity", 1, 3600);
        FAIL() << "a duration above its bound was accepted";
    } catch (const kubecert::sdk::Error& e) {
        EXPECT_NE(std::string(e.what()).find("--kubeadm-validity \"2h\": not a duration between 1s and 1h"),
                  std::string::npos)
            << e.what();
    }
}

TEST(UtilPluginOptions, EmptyTextIsNotGivenAndFlagsAreBooleans) {
    FakeHost fake;
    fake.options["docker"] = "";
    fake.options["crictl"] = "/usr/local/bin/crictl";
    fake.options["legacy"] = "true";
    fake.options["run-up"] = "false";
    const kubecert::sdk::Host host(&fake.raw);
    const PluginOptions options(host, "rke");
    EXPECT_EQ(options.text("docker"), std::nullopt);
    EXPECT_EQ(options.text("crictl"), "/usr/local/bin/crictl");
    EXPECT_TRUE(options.flag("legacy"));
    EXPECT_FALSE(options.flag("run-up"));
    EXPECT_EQ(options.spelling("run-up"), "--rke-run-up");
}

} // namespace
