// The loader's refusals, through the real binary: one clear line naming the
// file and the reason, exit 3, no crash; and what `kubecert plugins` lists.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "core_fixture.hpp"

using namespace kubecert::test;

namespace {

ProcResult plugins_cmd(const std::string& dir, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"--plugin-dir", dir};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back("plugins");
    return run_kubecert(args, {{"KUBECERT_PLUGIN_PATH", "\x01unset"}});
}

bool has_line(const std::string& text, const std::string& a, const std::string& b) {
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (line.find(a) != std::string::npos && line.find(b) != std::string::npos) return true;
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return false;
}

} // namespace

TEST(CoreLoader, ListsAPluginWithItsChecksOptionsAbiAndPath) {
    TempDir dir;
    CoreNode::install_plugin("testgood.so", dir.path(), "testgood.so");
    auto r = plugins_cmd(dir.path(), {"--format", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = parse_report(r.out);
    nlohmann::json found;
    for (const auto& p : j["plugins"])
        if (p["name"] == "testgood") found = p;
    ASSERT_FALSE(found.is_null()) << r.out;
    EXPECT_EQ(found["version"], "1.2.3");
    EXPECT_EQ(found["abi"], "1.5.0"); // testgood.c stamps KUBECERT_ABI_MINOR
    EXPECT_EQ(found["path"], dir.path() + "/testgood.so");
    EXPECT_EQ(found["description"], "test plugin written in C");
    EXPECT_EQ(found["checks"].size(), 4u);
    EXPECT_EQ(found["options"][0]["flag"], "--testgood-fail-after");

    auto text = plugins_cmd(dir.path());
    ASSERT_EQ(text.exit_code, 0);
    EXPECT_TRUE(has_line(text.out, "testgood 1.2.3", "ABI 1.5.0")) << text.out;
    EXPECT_NE(text.out.find("--testgood-run PROGRAM"), std::string::npos);
    EXPECT_NE(text.out.find("testgood.cert"), std::string::npos);
}

TEST(CoreLoader, RefusesAFileThatIsNotASharedLibrary) {
    TempDir dir;
    write_file(dir.path() + "/fake.so", "this is text, not ELF\n", 0644);
    auto r = plugins_cmd(dir.path());
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_TRUE(has_line(r.err, dir.path() + "/fake.so", "not a loadable shared library")) << r.err;
}

TEST(CoreLoader, RefusesASharedLibraryWithoutTheEntrySymbol) {
    TempDir dir;
    CoreNode::install_plugin("no_entry.so", dir.path(), "no_entry.so");
    auto r = plugins_cmd(dir.path());
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_TRUE(has_line(r.err, dir.path() + "/no_entry.so", "no kubecert_plugin_entry symbol")) << r.err;
}

TEST(CoreLoader, RefusesAnUnsupportedAbiMajorVersion) {
    TempDir dir;
    CoreNode::install_plugin("bad_abi.so", dir.path(), "bad_abi.so");
    auto r = plugins_cmd(dir.path());
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_TRUE(has_line(r.err, dir.path() + "/bad_abi.so", "needs plugin ABI 99.")) << r.err;
}

TEST(CoreLoader, LoadsAPluginBuiltForAnOlderMinorVersion) {
    TempDir dir;
    CoreNode::install_plugin("older_minor.so", dir.path(), "older_minor.so");
    auto r = plugins_cmd(dir.path(), {"--format", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = parse_report(r.out);
    bool found = false;
    for (const auto& p : j["plugins"])
        if (p["path"] == dir.path() + "/older_minor.so") {
            found = true;
            EXPECT_EQ(p["abi"], "1.0.0");
        }
    EXPECT_TRUE(found) << r.out;
}

TEST(CoreLoader, RefusesANewerAbiMinorVersion) {
    TempDir dir;
    CoreNode::install_plugin("newer_minor.so", dir.path(), "newer_minor.so");
    auto r = plugins_cmd(dir.path());
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_TRUE(has_line(r.err, dir.path() + "/newer_minor.so", "newer than this kubecert")) << r.err;
}

TEST(CoreLoader, RefusesAPluginFileWritableByOthers) {
    TempDir dir;
    CoreNode::install_plugin("testgood.so", dir.path(), "testgood.so");
    ::chmod((dir.path() + "/testgood.so").c_str(), 0666);
    auto r = plugins_cmd(dir.path());
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_TRUE(has_line(r.err, dir.path() + "/testgood.so", "writable by group or others")) << r.err;
}

TEST(CoreLoader, RefusesAPluginFolderWritableByGroup) {
    TempDir dir;
    CoreNode::install_plugin("testgood.so", dir.path(), "testgood.so");
    ::chmod(dir.path().c_str(), 0775);
    auto r = plugins_cmd(dir.path());
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_TRUE(has_line(r.err, "plugin folder", "writable by group or others")) << r.err;
}

// Anyone who may write a folder above the plugin can rename the plugin's
// folder and put their own in its place: refused, naming that folder.
TEST(CoreLoader, RefusesAPluginBelowAFolderWritableByOthers) {
    TempDir top;
    const std::string open_folder = top.path() + "/shared", plugins = open_folder + "/plugins";
    ::mkdir(open_folder.c_str(), 0755);
    ::mkdir(plugins.c_str(), 0755);
    ::chmod(open_folder.c_str(), 0777); // no sticky bit
    CoreNode::install_plugin("testgood.so", plugins, "testgood.so");
    auto r = plugins_cmd(plugins);
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_TRUE(has_line(r.err, open_folder + ": refused: folder above the plugin", "writable by group or others"))
        << r.err;
    // Sticky and root's, like /tmp: nobody can rename what others put there, so it is fine.
    if (::getuid() == 0) {
        ::chmod(open_folder.c_str(), 01777);
        EXPECT_EQ(plugins_cmd(plugins).exit_code, 0);
    }
}

// A link in a safe folder to a library in a folder anyone may write is the
// library in that folder: the resolved file is what is checked, and loaded.
TEST(CoreLoader, RefusesASymlinkToAPluginInAWritableFolder) {
    TempDir safe, open;
    ::chmod(open.path().c_str(), 0777);
    CoreNode::install_plugin("testgood.so", open.path(), "testgood.so");
    ASSERT_EQ(::symlink((open.path() + "/testgood.so").c_str(), (safe.path() + "/testgood.so").c_str()), 0);
    auto r = plugins_cmd(safe.path());
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_TRUE(has_line(r.err, open.path() + ": refused: plugin folder", "writable by group or others")) << r.err;
}

TEST(CoreLoader, RefusesTwoPluginsWithTheSameName) {
    TempDir one, two;
    CoreNode::install_plugin("testgood.so", one.path(), "testgood.so");
    CoreNode::install_plugin("testgood.so", two.path(), "other-name.so");
    auto r = run_kubecert({"--plugin-dir", one.path(), "--plugin-dir", two.path(), "plugins"},
                          {{"KUBECERT_PLUGIN_PATH", "\x01unset"}});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_TRUE(has_line(r.err, two.path() + "/other-name.so", "already loaded from " + one.path() + "/testgood.so"))
        << r.err;
}

TEST(CoreLoader, KubecertPluginPathAddsFolders) {
    TempDir dir;
    CoreNode::install_plugin("testgood.so", dir.path(), "testgood.so");
    auto r = run_kubecert({"plugins"}, {{"KUBECERT_PLUGIN_PATH", "/nonexistent:" + dir.path()}});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find(dir.path() + "/testgood.so"), std::string::npos) << r.out;
}

TEST(CoreLoader, FindsItsOwnInstalledPluginsWithoutFlags) {
    auto r = run_kubecert({"--format", "json", "plugins"}, {{"KUBECERT_PLUGIN_PATH", "\x01unset"}});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = parse_report(r.out);
    std::vector<std::string> names;
    for (const auto& p : j["plugins"]) names.push_back(p["name"]);
    for (const char* want : {"eks", "rke", "kubeadm"})
        EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want << " not in " << r.out;
}

TEST(CoreLoader, ABrokenPluginDoesNotStopTheOthersButTheRunExits3) {
    CoreNode node;
    node.write_confs("ok\n", "ok\n", "ok\n");
    write_file(node.plugins.path() + "/broken.so", "garbage", 0644);
    auto r = node.kubecert({"--format", "json", "audit"});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    auto j = parse_report(r.out);
    EXPECT_EQ(status_of(j["findings"], "testgood.a"), "PASS");
    ASSERT_FALSE(j["errors"].empty());
    EXPECT_NE(j["errors"][0].get<std::string>().find("broken.so"), std::string::npos);
}

// get_plugin() is the plugin's code too: an exception it throws through the C ABI refuses that
// file with a line naming it, and the plugins beside it still load.
TEST(CoreLoader, AGetPluginThatThrowsIsRefusedAndTheOthersLoad) {
    TempDir dir;
    CoreNode::install_plugin("throws_in_get_plugin.so", dir.path(), "throws_in_get_plugin.so");
    CoreNode::install_plugin("testgood.so", dir.path(), "testgood.so");
    auto r = plugins_cmd(dir.path(), {"--format", "json"});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_TRUE(has_line(r.err, dir.path() + "/throws_in_get_plugin.so",
                         "get_plugin(): a C++ exception crossed the plugin ABI: get_plugin failed on purpose"))
        << r.err;
    auto j = parse_report(r.out);
    bool testgood = false;
    for (const auto& p : j["plugins"]) testgood = testgood || p["name"] == "testgood";
    EXPECT_TRUE(testgood) << r.out;
}
