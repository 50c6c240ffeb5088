// The eks plugin's targeted text edits: kubelet flags inside unit, drop-in and
// environment-file entries, and JSON booleans set in place.
#include <gtest/gtest.h>

#include <kubecert/formats/parse_error.hpp>

#include "flag_edit.hpp"

namespace {

using namespace kubecert::eks;

const std::string k_dropin =
    "[Service]\nEnvironment='KUBELET_ARGS=--node-ip=10.0.0.1 --rotate-server-certificates=false --v=2'\n";

TEST(EksFlagEdit, EntryRangeCoversContinuationLines) {
    const std::string unit = "[Service]\nExecStart=/usr/bin/kubelet \\\n    --a=1 \\\n    --b=2\nRestart=always\n";
    auto r = entry_range(unit, 2);
    EXPECT_EQ(unit.substr(r.first, r.second - r.first), "ExecStart=/usr/bin/kubelet \\\n    --a=1 \\\n    --b=2\n");
    EXPECT_EQ(entry_range(unit, 9).first, std::string::npos);
}

TEST(EksFlagEdit, SetFlagChangesOnlyTheValue) {
    EXPECT_EQ(set_flag(k_dropin, entry_range(k_dropin, 2), "rotate-server-certificates", "true"),
              "[Service]\nEnvironment='KUBELET_ARGS=--node-ip=10.0.0.1 --rotate-server-certificates=true --v=2'\n");
    // A bare boolean flag gets an explicit value; a longer flag name is not a match.
    const std::string t = "A=--rotate-server-certificates --rotate-server-certificates-x=false\n";
    EXPECT_EQ(set_flag(t, entry_range(t, 1), "rotate-server-certificates", "true"),
              "A=--rotate-server-certificates=true --rotate-server-certificates-x=false\n");
}

TEST(EksFlagEdit, EditsStayInsideTheRange) {
    const std::string t = "# --rotate-server-certificates=false in a comment\nX='--rotate-server-certificates=false'\n";
    EXPECT_EQ(set_flag(t, entry_range(t, 2), "rotate-server-certificates", "true"),
              "# --rotate-server-certificates=false in a comment\nX='--rotate-server-certificates=true'\n");
}

TEST(EksFlagEdit, RemoveFlagInsideALine) {
    const std::string t = "[Service]\nEnvironment='KUBELET_ARGS=--rotate-kubelet-server-certificate=true --v=2'\n";
    EXPECT_EQ(remove_flag(t, entry_range(t, 2), "rotate-kubelet-server-certificate"),
              "[Service]\nEnvironment='KUBELET_ARGS=--v=2'\n");
    const std::string u = "K=\"--v=2 --rotate-kubelet-server-certificate true --max-pods=5\"\n";
    EXPECT_EQ(remove_flag(u, entry_range(u, 1), "rotate-kubelet-server-certificate"), "K=\"--v=2 --max-pods=5\"\n");
    // The following word is only taken along when it is the flag's boolean value.
    const std::string w = "K=--rotate-kubelet-server-certificate --v=2\n";
    EXPECT_EQ(remove_flag(w, entry_range(w, 1), "rotate-kubelet-server-certificate"), "K=--v=2\n");
}

TEST(EksFlagEdit, RemoveFlagOnItsOwnContinuationLine) {
    const std::string middle =
        "[Service]\nExecStart=/usr/bin/kubelet \\\n    --rotate-kubelet-server-certificate=true \\\n    --v=2\n";
    EXPECT_EQ(remove_flag(middle, entry_range(middle, 2), "rotate-kubelet-server-certificate"),
              "[Service]\nExecStart=/usr/bin/kubelet \\\n    --v=2\n");
    // The last line of the entry: the previous line must stop continuing.
    const std::string last = "[Service]\nExecStart=/usr/bin/kubelet \\\n    --v=2 \\\n    "
                             "--rotate-kubelet-server-certificate\nRestart=always\n";
    EXPECT_EQ(remove_flag(last, entry_range(last, 2), "rotate-kubelet-server-certificate"),
              "[Service]\nExecStart=/usr/bin/kubelet \\\n    --v=2\nRestart=always\n");
}

TEST(EksFlagEdit, DropFalseFeatureGate) {
    const std::string t = "A='--feature-gates=RotateKubeletServerCertificate=false,Foo=true --v=2'\n";
    EXPECT_EQ(drop_false_feature_gate(t, entry_range(t, 1), "RotateKubeletServerCertificate"),
              "A='--feature-gates=Foo=true --v=2'\n");
    const std::string only = "A='--v=2 --feature-gates=RotateKubeletServerCertificate=false'\n";
    EXPECT_EQ(drop_false_feature_gate(only, entry_range(only, 1), "RotateKubeletServerCertificate"), "A='--v=2'\n");
    const std::string keep = "A='--feature-gates=RotateKubeletServerCertificate=true'\n";
    EXPECT_EQ(drop_false_feature_gate(keep, entry_range(keep, 1), "RotateKubeletServerCertificate"), keep);
}

TEST(EksFlagEdit, AppendFlagAfterTheLastWord) {
    const std::string unit = "[Service]\nExecStart=/usr/bin/kubelet \\\n  --v=2\n\nRestart=always\n";
    EXPECT_EQ(
        append_flag(unit, entry_range(unit, 2), "--rotate-server-certificates=true"),
        "[Service]\nExecStart=/usr/bin/kubelet \\\n  --v=2 --rotate-server-certificates=true\n\nRestart=always\n");
}

} // namespace
