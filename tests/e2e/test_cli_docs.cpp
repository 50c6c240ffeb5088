// The manual page and the bash completion the build generated
// (build/share/...) against what the built kubecert's --help says: every
// command, option and plugin option, with the same words.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.hpp"

using namespace kubecert::test;

namespace {

const std::vector<std::string> k_commands = {"audit", "fix", "certs", "plugins", "restore", "version"};

// Runs with only the bundled plugins, like the build that generated the files.
ProcResult kubecert_alone(const std::vector<std::string>& args) {
    return run_kubecert(args, {{"KUBECERT_PLUGIN_PATH", "\x01unset"}});
}

// Whitespace runs collapsed to one space, so text wrapped differently compares equal.
std::string squeeze(const std::string& text) {
    std::string out;
    bool space = false;
    for (char c : text) {
        if (c == ' ' || c == '\n' || c == '\t') {
            space = true;
            continue;
        }
        if (space && !out.empty()) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

// Without any white space.
std::string bare(const std::string& text) {
    std::string out;
    for (char c : text)
        if (c != ' ' && c != '\n' && c != '\t') out += c;
    return out;
}

// roff source to plain text: escapes and font changes removed, requests dropped.
std::vector<std::string> man_lines() {
    std::vector<std::string> lines;
    std::istringstream in(read_file(build_dir() + "/share/man/man1/kubecert.1"));
    for (std::string line; std::getline(in, line);) {
        std::string plain;
        for (std::size_t i = 0; i < line.size(); ++i) {
            if (line[i] != '\\' || i + 1 >= line.size()) {
                plain += line[i];
                continue;
            }
            const char next = line[++i];
            if (next == 'f' && i + 1 < line.size())
                ++i; // \fB \fI \fR
            else if (next == '-')
                plain += '-';
            else if (next == 'e')
                plain += '\\';
            // "\&" is nothing
        }
        lines.push_back(plain);
    }
    return lines;
}

std::set<std::string> flags_in(const std::string& text) {
    static const std::regex flag(R"((^|[\s\[])(--[a-z][a-z0-9-]*))");
    std::set<std::string> out;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), flag); it != std::sregex_iterator(); ++it)
        out.insert((*it)[2]);
    return out;
}

} // namespace

TEST(CliDocs, ManPageDocumentsEveryOptionWithTheHelpText) {
    const auto help = kubecert_alone({"--help"});
    ASSERT_EQ(help.exit_code, 0) << help.err;
    const std::string help_bare = bare(help.out);
    const auto lines = man_lines();

    // Every option entry of the page (".TP", then the tag, then the sentence) says what --help says.
    std::set<std::string> man_flags;
    std::size_t entries = 0;
    bool in_options = false;
    for (std::size_t i = 0; i + 2 < lines.size(); ++i) {
        if (lines[i].rfind(".SH", 0) == 0)
            in_options = lines[i] == ".SH OPTIONS" || lines[i] == ".SH FIX OPTIONS" || lines[i] == ".SH PLUGIN OPTIONS";
        if (!in_options || lines[i] != ".TP" || lines[i + 1].rfind("-", 0) != 0) continue;
        ++entries;
        const auto tag_flags = flags_in(lines[i + 1]);
        ASSERT_EQ(tag_flags.size(), 1u) << lines[i + 1];
        man_flags.insert(*tag_flags.begin());
        // --help wraps long words too, so the comparison ignores all white space.
        EXPECT_NE(help_bare.find(bare(lines[i + 2])), std::string::npos)
            << "man page text of " << *tag_flags.begin() << " is not in --help: " << lines[i + 2];
    }
    EXPECT_GT(entries, 30u);

    // The same set of options: everything --help lists (the bundled plugins' included) and nothing else.
    std::set<std::string> help_flags;
    for (const auto& f : flags_in(help.out))
        if (help.out.find("\n  " + f) != std::string::npos || help.out.find(", " + f) != std::string::npos ||
            help.out.find("[ " + f + " ]") != std::string::npos)
            help_flags.insert(f);
    EXPECT_EQ(man_flags, help_flags);
    for (const char* plugin_flag : {"--eks-api-proxy", "--kubeadm-pki-dir", "--rke-cluster-config"})
        EXPECT_EQ(man_flags.count(plugin_flag), 1u) << plugin_flag;
}

TEST(CliDocs, ManPageDescribesEveryCommandAsItsHelpDoes) {
    const auto lines = man_lines();
    std::string page;
    for (const auto& l : lines) page += l + "\n";
    for (const auto& cmd : k_commands) {
        const auto h = kubecert_alone({cmd, "--help"});
        ASSERT_EQ(h.exit_code, 0) << cmd;
        // The paragraph under "usage:" is the command's description in the page.
        const auto start = h.out.find("\n\n");
        const auto end = h.out.find("\n\n", start + 2);
        ASSERT_NE(end, std::string::npos) << h.out;
        const std::string description = squeeze(h.out.substr(start + 2, end - start - 2));
        bool found = false;
        for (std::size_t i = 0; i + 2 < lines.size(); ++i)
            if (lines[i] == ".TP" && lines[i + 1].rfind(cmd, 0) == 0 && squeeze(lines[i + 2]) == description)
                found = true;
        EXPECT_TRUE(found) << cmd << ": " << description;
    }
    for (const char* section : {".SH EXIT STATUS", ".SH FILES", ".SH ENVIRONMENT", ".SH REPORT FORMATS"})
        EXPECT_NE(page.find(std::string("\n") + section + "\n"), std::string::npos) << section;
    for (const char* format : {"text", "json", "junit", "prometheus"})
        EXPECT_NE(page.find(std::string(".B ") + format + "\n"), std::string::npos) << format;
    for (int code = 0; code <= 3; ++code)
        EXPECT_NE(page.find(".B " + std::to_string(code) + "\n"), std::string::npos) << code;
}

TEST(CliDocs, ManPageIsWellFormedRoff) {
    const auto r = run({"sh", "-c",
                        "LC_ALL=C.UTF-8 MANWIDTH=100 man --warnings -l '" + build_dir() +
                            "/share/man/man1/kubecert.1' 2>&1 >/dev/null"});
    if (r.exit_code == 127 || r.out.find("not found") != std::string::npos) GTEST_SKIP() << "man is not installed";
    EXPECT_EQ(r.out, "") << "groff warnings";
}

namespace {

// Completes `line` (the word under the cursor last) with the generated script, as bash-completion does.
std::vector<std::string> complete(const std::string& line) {
    const std::string script = "/usr/share/bash-completion/bash_completion";
    std::string program = "source " + script + "; source '" + build_dir() +
                          "/share/bash-completion/completions/kubecert'; "
                          "COMP_LINE=\"$1\"; COMP_POINT=${#COMP_LINE}; read -ra COMP_WORDS <<<\"$COMP_LINE\"; "
                          "[[ $COMP_LINE == *' ' ]] && COMP_WORDS+=(''); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); "
                          "_kubecert; printf '%s\\n' \"${COMPREPLY[@]}\"";
    const auto r = run({"bash", "-c", program, "complete", line}, {{"KUBECERT_PLUGIN_PATH", "\x01unset"}});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> words;
    std::istringstream in(r.out);
    for (std::string w; std::getline(in, w);)
        if (!w.empty()) words.push_back(w);
    std::sort(words.begin(), words.end());
    return words;
}

} // namespace

TEST(CliDocs, BashCompletionCompletesCommandsOptionsFlavorsFormatsAndFiles) {
    if (!file_exists("/usr/share/bash-completion/bash_completion")) GTEST_SKIP() << "bash-completion not installed";
    const std::string k = kubecert_binary();
    EXPECT_EQ(complete(k + " au"), std::vector<std::string>{"audit"});
    EXPECT_EQ(complete(k + " --root / c"), std::vector<std::string>{"certs"});
    EXPECT_EQ(complete(k + " --format j"), (std::vector<std::string>{"json", "junit"}));
    EXPECT_EQ(complete(k + " --flavor "), (std::vector<std::string>{"auto", "eks", "kubeadm", "rke"}));
    EXPECT_EQ(complete(k + " --kubeadm-p"), std::vector<std::string>{"--kubeadm-pki-dir"});
    EXPECT_EQ(complete(k + " fix --dry"), std::vector<std::string>{"--dry-run"});
    // File and folder arguments: the completion offers what is on disk.
    TempDir dir;
    write_file(dir / "/report.json", "{}");
    std::filesystem::create_directory(dir / "/backup-1");
    EXPECT_EQ(complete(k + " --output " + dir.path() + "/rep"), std::vector<std::string>{dir.path() + "/report.json"});
    EXPECT_EQ(complete(k + " restore " + dir.path() + "/b"), std::vector<std::string>{dir.path() + "/backup-1"});
    // Every option --help lists is offered.
    const auto offered = complete(k + " -");
    const auto help = kubecert_alone({"--help"});
    for (const auto& f : flags_in(help.out)) {
        if (help.out.find("\n  " + f) == std::string::npos && help.out.find(", " + f) == std::string::npos &&
            help.out.find("[ " + f + " ]") == std::string::npos)
            continue;
        EXPECT_NE(std::find(offered.begin(), offered.end(), f), offered.end()) << f;
    }
}
