// loader::read_plugin_model: a descriptor is read by plugin.h's rules
// (any struct_size covering ABI 1.0, arrays with their own stride,
// accessors when given), and a malformed one is refused with a reason.
#include <gtest/gtest.h>

#include <cstring>

#include "loader/plugin_model.hpp"

using kubecert::loader::read_plugin_model;

namespace {

const kubecert_version_t k_v1_0{1, 0, 0};
const kubecert_version_t k_v1_4{1, 4, 0};

// A check declaration as a future header might have it: larger than today's.
struct WideCheck {
    kubecert_check_decl_t today;
    const char* trailing;
};

kubecert_plugin_t descriptor() {
    kubecert_plugin_t p{};
    p.struct_size = sizeof p;
    p.name = "unit";
    p.version = "1.0";
    p.description = "d";
    return p;
}

} // namespace

TEST(PluginModel, ReadsAnArrayWithTheStrideOfItsFirstElement) {
    const WideCheck checks[] = {{{sizeof(WideCheck), "a.one", "first"}, "x"},
                                {{sizeof(WideCheck), "a.two", "second"}, "y"}};
    auto p = descriptor();
    p.checks = &checks[0].today;
    p.check_count = 2;
    auto m = read_plugin_model(k_v1_0, p, "/p.so");
    ASSERT_TRUE(m) << m.error().message;
    ASSERT_EQ(m->checks.size(), 2u);
    EXPECT_EQ(m->checks[1].id, "a.two");
    EXPECT_EQ(m->checks[1].title, "second");
    EXPECT_EQ(m->path, "/p.so");
    EXPECT_EQ(m->abi_text(), "1.0.0");
}

TEST(PluginModel, AcceptsTheAbi10DescriptorSizeAndNeedsTheAccessorsFrom14) {
    auto p = descriptor();
    p.struct_size = KUBECERT_SIZE_UNTIL(kubecert_plugin_t, get_last_error);
    EXPECT_TRUE(read_plugin_model(k_v1_0, p, "p"));
    auto m = read_plugin_model(k_v1_4, p, "p");
    ASSERT_FALSE(m);
    EXPECT_NE(m.error().message.find("plugin descriptor too small"), std::string::npos) << m.error().message;
    p.struct_size = KUBECERT_SIZE_UNTIL(kubecert_plugin_t, get_last_error) - 1;
    EXPECT_FALSE(read_plugin_model(k_v1_0, p, "p"));
}

TEST(PluginModel, UsesTheAccessorsInsteadOfTheArrays) {
    struct Accessors {
        static uint32_t count(const kubecert_plugin_t*) { return 1; }
        static const kubecert_option_decl_t* get(const kubecert_plugin_t*, uint32_t i) {
            static const kubecert_option_decl_t o{sizeof o, "level", "N", "a level", "3"};
            return i == 0 ? &o : nullptr;
        }
    };
    const kubecert_option_decl_t wrong{sizeof wrong, "array", nullptr, "not this", nullptr};
    auto p = descriptor();
    p.options = &wrong;
    p.option_count = 1;
    p.get_option_count = &Accessors::count;
    p.get_option = &Accessors::get;
    auto m = read_plugin_model(k_v1_4, p, "p");
    ASSERT_TRUE(m) << m.error().message;
    ASSERT_EQ(m->options.size(), 1u);
    EXPECT_EQ(m->options[0].name, "level");
    EXPECT_EQ(m->options[0].default_value, "3");
    ASSERT_NE(m->option("level"), nullptr);
    EXPECT_EQ(m->option("array"), nullptr);
}

TEST(PluginModel, AFlagHasNoValueNameAndNoDefault) {
    const kubecert_option_decl_t opts[] = {{sizeof(kubecert_option_decl_t), "loud", nullptr, "be loud", "ignored"}};
    auto p = descriptor();
    p.options = opts;
    p.option_count = 1;
    auto m = read_plugin_model(k_v1_0, p, "p");
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->options[0].is_flag());
    EXPECT_FALSE(m->options[0].default_value);
}

TEST(PluginModel, RefusesMalformedDeclarationsWithAReason) {
    auto p = descriptor();
    p.check_count = 2; // and no array
    auto m = read_plugin_model(k_v1_0, p, "p");
    ASSERT_FALSE(m);
    EXPECT_NE(m.error().message.find("checks: count 2 but no array"), std::string::npos) << m.error().message;

    const kubecert_check_decl_t tiny[] = {{4, "a", "b"}};
    p.checks = tiny;
    p.check_count = 1;
    m = read_plugin_model(k_v1_0, p, "p");
    ASSERT_FALSE(m);
    EXPECT_NE(m.error().message.find("check declarations have struct_size 4"), std::string::npos) << m.error().message;

    const kubecert_check_decl_t mixed[] = {{sizeof(kubecert_check_decl_t), "a", "b"},
                                           {sizeof(kubecert_check_decl_t) + 8, "c", "d"}};
    p.checks = mixed;
    p.check_count = 2;
    m = read_plugin_model(k_v1_0, p, "p");
    ASSERT_FALSE(m);
    EXPECT_NE(m.error().message.find("not the array's stride"), std::string::npos) << m.error().message;
}
