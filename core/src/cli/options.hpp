#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loader/plugin_loader.hpp"

namespace kubecert::cli {

// The command line of DESIGN.md, parsed.
struct Options {
    std::string command;                // audit, fix, certs, plugins, restore, version
    std::vector<std::string> arguments; // positional words after the command (restore BACKUP)
    bool help = false;
    std::string help_format; // hidden --help-format man|bash: generated documentation
    std::string root = "/";
    std::string flavor = "auto";
    std::vector<std::string> plugin_dirs;
    std::string format = "text";
    std::string output;             // "" = standard output
    std::optional<std::string> now; // RFC 3339
    std::string warn_within = "30d";
    std::vector<std::string> checks;
    std::string benchmark;
    bool verbose = false;
    std::string lock_wait = "10s";
    std::string live_system; // auto|yes|no ("" when not given: $KUBECERT_LIVE_SYSTEM, else auto)
    std::string node_name;   // "" = /etc/hostname under --root
    // report merge
    std::string max_age = "24h";
    // fix
    bool dry_run = false;
    bool no_restart = false;
    std::string backup_dir;
    bool yes = false;
    // --<plugin>-<name> values by plugin and option name
    std::map<std::string, std::map<std::string, std::string>> plugin_options;
};

// Thrown for a usage error (exit 2); what() is the message for people.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Only the options needed before plugins are loaded (--plugin-dir, --help,
// the command), tolerating everything else.
Options parse_early(int argc, char** argv);

// The whole command line, with every loaded plugin's options declared.
// Throws UsageError.
Options parse(int argc, char** argv, const std::vector<std::unique_ptr<loader::LoadedPlugin>>& plugins);

// A command as --help, the manual page and the completion describe it.
struct CommandDoc {
    std::string name;        // "restore"
    std::string args;        // "BACKUP", "" when none
    std::string summary;     // one line for the command list
    std::string description; // a paragraph for `kubecert CMD --help` and the manual page
};
const std::vector<CommandDoc>& command_docs();

struct ExitStatusDoc {
    int code;
    std::string meaning;
};
const std::vector<ExitStatusDoc>& exit_status_docs();

// One option as --help lists it.
struct OptionDoc {
    std::string flag;       // "--root"
    std::string short_flag; // "-v", "" when none
    std::string value_name; // "DIR", "" for a switch
    std::string help;       // the --help sentence, defaults included
};
struct OptionGroupDoc {
    std::string title;              // "Options", "fix options", "eks plugin options"
    std::string plugin;             // the plugin that declares them, "" for the core's
    std::string plugin_description; // that plugin's one-line description
    std::vector<OptionDoc> options;
};
// The core's option groups, then one group per loaded plugin: the very
// descriptions --help prints, so generated documentation cannot disagree.
std::vector<OptionGroupDoc> option_docs(const std::vector<std::unique_ptr<loader::LoadedPlugin>>& plugins);

// --help text: general, or for one command; lists plugin options.
std::string help_text(const std::string& command, const std::vector<std::unique_ptr<loader::LoadedPlugin>>& plugins);

} // namespace kubecert::cli
