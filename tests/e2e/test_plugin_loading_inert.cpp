// Loading is inert (plugin.h): commands load only what they need, loading
// runs no code of a plugin, and the bundled plugins have no global
// constructors (their declarations are constant data).
#include <elf.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core_fixture.hpp"

using namespace kubecert::test;

namespace {

const std::map<std::string, std::string> k_env{{"KUBECERT_PLUGIN_PATH", "\x01unset"}};

// What the probe plugin wrote to its log: "loaded" when dlopened, "created" per instance.
std::string probe_log(const std::vector<std::string>& args) {
    TempDir plugins, work;
    CoreNode::install_plugin("probe.so", plugins.path(), "probe.so");
    const std::string log = work.path() + "/probe.log";
    std::vector<std::string> all{"--plugin-dir", plugins.path()};
    all.insert(all.end(), args.begin(), args.end());
    auto env = k_env;
    env["KUBECERT_TEST_PROBE_LOG"] = log;
    auto r = run_kubecert(all, env);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return file_exists(log) ? read_file(log) : "";
}

// The entries of a shared library's .init_array (the functions the dynamic
// loader runs when it opens it), or -1 when it is not a readable ELF64 file.
long init_array_entries(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    Elf64_Ehdr eh{};
    if (!in.read(reinterpret_cast<char*>(&eh), sizeof eh) ||
        std::string(reinterpret_cast<char*>(eh.e_ident), 4) != ELFMAG || eh.e_ident[EI_CLASS] != ELFCLASS64)
        return -1;
    long entries = 0;
    for (int i = 0; i < eh.e_shnum; ++i) {
        Elf64_Shdr sh{};
        in.seekg(static_cast<std::streamoff>(eh.e_shoff + static_cast<Elf64_Off>(i) * eh.e_shentsize));
        if (!in.read(reinterpret_cast<char*>(&sh), sizeof sh)) return -1;
        if (sh.sh_type == SHT_INIT_ARRAY) entries += static_cast<long>(sh.sh_size / sizeof(Elf64_Addr));
    }
    return entries;
}

// The C++ global initialisers of a binary (gcc's and clang's _GLOBAL__sub_I_<file>
// functions in its symbol table), counted with nm; -1 when nm fails.
long global_initializers(const std::string& path) {
    const auto r = run({"nm", "--defined-only", path});
    if (r.exit_code != 0) return -1;
    long count = 0;
    for (std::size_t at = r.out.find("_GLOBAL__sub_I_"); at != std::string::npos;
         at = r.out.find("_GLOBAL__sub_I_", at + 1))
        ++count;
    return count;
}

// Under ASan and libFuzzer every translation unit gets an instrumentation
// constructor of its own, so .init_array counts them too.
constexpr bool k_sanitized =
#if defined(__SANITIZE_ADDRESS__)
    true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    true;
#else
    false;
#endif
#else
    false;
#endif

// The files of the plugins kubecert finds with no flag (its own).
std::vector<std::string> bundled_plugins() {
    std::vector<std::string> out;
    auto r = run_kubecert({"--format", "json", "plugins"}, k_env);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto j = parse_report(r.out);
    for (const auto& p : j["plugins"]) out.push_back(p["path"]);
    return out;
}

} // namespace

TEST(InertLoading, VersionLoadsNoPlugin) {
    EXPECT_EQ(probe_log({"version"}), "");
}

TEST(InertLoading, HelpAndPluginsLoadPluginsButCreateNoInstance) {
    EXPECT_EQ(probe_log({"--help"}), "loaded\n");
    EXPECT_EQ(probe_log({"plugins"}), "loaded\n");
}

TEST(InertLoading, HelpListsAPluginsOptionsFromItsDeclarations) {
    TempDir plugins;
    CoreNode::install_plugin("probe.so", plugins.path(), "probe.so");
    auto r = run_kubecert({"--plugin-dir", plugins.path(), "--help"}, k_env);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("--probe-depth N"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("how deep to probe (default 1)"), std::string::npos) << r.out;
}

// The toolchain puts its own entries in .init_array (gcc's frame_dummy): a C
// plugin without constructors, built by the same toolchain, is the baseline.
// The probe plugin, which has one constructor, shows the count sees it.
TEST(InertLoading, BundledPluginsHaveNoGlobalConstructors) {
    if (k_sanitized) {
        // The sanitizers' constructors aside: no C++ global initialiser, and the check sees one
        // where there is (this test program's own, GoogleTest's registrations).
        EXPECT_GT(global_initializers(std::filesystem::read_symlink("/proc/self/exe")), 0);
        for (const auto& p : bundled_plugins())
            EXPECT_EQ(global_initializers(p), 0) << p << " runs C++ code when loaded: a global with a constructor";
        return;
    }
    const long baseline = init_array_entries(test_plugin_dir() + "/testgood.so");
    ASSERT_GE(baseline, 0);
    EXPECT_EQ(init_array_entries(test_plugin_dir() + "/probe.so"), baseline + 1);
    const auto plugins = bundled_plugins();
    ASSERT_EQ(plugins.size(), 3u) << "expected eks, rke and kubeadm";
    for (const auto& p : plugins)
        EXPECT_EQ(init_array_entries(p), baseline)
            << p << " runs code when loaded: a global with a constructor (std::string, std::vector, std::map, "
            << "std::regex...) at namespace or class scope, in the plugin or a support header it includes; make it "
            << "constexpr data or a function-local static";
}
