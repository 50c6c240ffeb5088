// Compile-time joined names: what the check ids of a plugin are built from.
#include <gtest/gtest.h>

#include <string_view>

#include <kubecert/util/static_text.hpp>

namespace {

using kubecert::util::join;

inline constexpr char k_family[] = "kubeadm.";
inline constexpr auto k_prefix = join(k_family, "cert-expiry/");
inline constexpr auto k_family_id = join(k_prefix, "<name>");

// Constant data: usable where a constant expression is required.
static_assert(std::string_view(k_prefix.c_str()) == "kubeadm.cert-expiry/");
static_assert(std::string_view(k_family_id.c_str()) == "kubeadm.cert-expiry/<name>");
static_assert(sizeof(k_family_id.chars) == sizeof("kubeadm.cert-expiry/<name>"));

TEST(UtilStaticText, JoinsIntoOneTerminatedString) {
    EXPECT_STREQ(join("a", "").c_str(), "a");
    EXPECT_STREQ(join("", "b").c_str(), "b");
    EXPECT_STREQ(join(join("kubeadm.", "ca-expiry/"), "ca").c_str(), "kubeadm.ca-expiry/ca");
}

} // namespace
