#include "cli/options.hpp"

#include <boost/program_options.hpp>

#include <algorithm>
#include <set>
#include <sstream>

namespace po = boost::program_options;

namespace kubecert::cli {

namespace {

const std::set<std::string> k_commands = {"audit", "fix", "certs", "plugins", "restore", "version", "report"};

po::options_description global_options(Options& o) {
    po::options_description d("Options");
    // clang-format off: one option per line, as --help lists them
    d.add_options()("help,h", po::bool_switch(&o.help), "show help (also after a command: kubecert fix --help)")(
        "root", po::value(&o.root)->value_name("DIR"),
        "the node's file system root (default /)")("flavor", po::value(&o.flavor)->value_name("auto|NAME"),
                                                   "plugin to run; auto runs every plugin whose detect matches")(
        "plugin-dir", po::value(&o.plugin_dirs)->value_name("DIR")->composing(),
        "extra plugin folder (repeatable; also KUBECERT_PLUGIN_PATH)")(
        "format", po::value(&o.format)->value_name("FORMAT"), "text|json|junit|prometheus (default text)")(
        "output", po::value(&o.output)->value_name("FILE"),
        "write the report to FILE (atomically) instead of standard output")(
        "now", po::value<std::string>()->value_name("RFC3339"),
        "evaluate time-based checks as of this instant (audit, certs, fix --dry-run)")(
        "warn-within", po::value(&o.warn_within)->value_name("DURATION"),
        "warn for certificates expiring within DURATION (default 30d)")(
        "check", po::value(&o.checks)->value_name("ID")->composing(), "only this check id or id prefix (repeatable)")(
        "benchmark", po::value(&o.benchmark)->value_name("NAME"),
        "benchmark version the reports cite (eks-1.8.0, cis-1.12, rke-cis-1.24, ...)")(
        "verbose,v", po::bool_switch(&o.verbose), "log debug messages and commands to standard error")(
        "lock-wait", po::value(&o.lock_wait)->value_name("DURATION"),
        "how long fix/restore wait for another fix on the same root (default 10s)")(
        "live-system", po::value(&o.live_system)->value_name("auto|yes|no"),
        "whether the node under --root is the running system, where commands run and ports are probed (default "
        "$KUBECERT_LIVE_SYSTEM, else auto: --root / or ROOT/proc shows this PID namespace)")(
        "node-name", po::value(&o.node_name)->value_name("NAME"),
        "the node's name in the report (default: /etc/hostname under --root)");
    // clang-format on
    return d;
}

po::options_description report_merge_options(Options& o) {
    po::options_description d("report merge options");
    // clang-format off: one option per line, as --help lists them
    d.add_options()("max-age", po::value(&o.max_age)->value_name("DURATION"),
                    "a node whose report is older is listed as stale (default 24h; 0 for never)");
    // clang-format on
    return d;
}

po::options_description fix_options(Options& o) {
    po::options_description d("fix options");
    // clang-format off: one option per line, as --help lists them
    d.add_options()("dry-run", po::bool_switch(&o.dry_run),
                    "print the diff of every change and every command; change nothing")(
        "no-restart", po::bool_switch(&o.no_restart),
        "change files but restart no service")("backup-dir", po::value(&o.backup_dir)->value_name("DIR"),
                                               "backup folder (default ROOT/var/backups/kubecert/<timestamp>)")(
        "yes,y", po::bool_switch(&o.yes), "do not ask before changing the node (needed without a terminal)");
    // clang-format on
    return d;
}

struct PluginOptionSlot {
    std::string plugin;
    std::string name;
    bool is_flag = false;
};

// Declares one plugin's options on `d`, recording each in `slots` when given.
void add_plugin_options(po::options_description& d, const loader::PluginModel& p,
                        std::vector<PluginOptionSlot>* slots) {
    for (const auto& decl : p.options) {
        std::string flag = p.name + "-" + decl.name;
        std::string help = decl.help;
        if (decl.default_value) help += " (default " + *decl.default_value + ")";
        if (decl.value_name) {
            d.add_options()(flag.c_str(), po::value<std::string>()->value_name(*decl.value_name), help.c_str());
        } else {
            d.add_options()(flag.c_str(), po::bool_switch(), help.c_str());
        }
        if (slots) slots->push_back({p.name, decl.name, decl.is_flag()});
    }
}

po::options_description plugin_options(const std::vector<std::unique_ptr<loader::LoadedPlugin>>& plugins,
                                       std::vector<PluginOptionSlot>* slots) {
    po::options_description d("Plugin options");
    for (const auto& p : plugins) add_plugin_options(d, p->model(), slots);
    return d;
}

po::options_description plugin_options_of(const loader::PluginModel& p) {
    po::options_description d(p.name + " plugin options");
    add_plugin_options(d, p, nullptr);
    return d;
}

po::positional_options_description positionals() {
    po::positional_options_description pos;
    pos.add("command", 1).add("args", -1);
    return pos;
}

} // namespace

Options parse_early(int argc, char** argv) {
    Options o;
    po::options_description d = global_options(o);
    d.add(fix_options(o)).add(report_merge_options(o));
    d.add_options()("command", po::value(&o.command))("args", po::value(&o.arguments)->composing());
    // Hidden: what the build runs to generate the manual page and the bash completion.
    d.add_options()("help-format", po::value(&o.help_format));
    po::variables_map vm;
    try {
        auto parsed =
            po::command_line_parser(argc, argv).options(d).positional(positionals()).allow_unregistered().run();
        po::store(parsed, vm);
        po::notify(vm);
    } catch (const po::error&) {
        // The full parse reports it.
    }
    return o;
}

Options parse(int argc, char** argv, const std::vector<std::unique_ptr<loader::LoadedPlugin>>& plugins) {
    Options o;
    std::vector<PluginOptionSlot> slots;
    po::options_description all;
    all.add(global_options(o)).add(fix_options(o)).add(report_merge_options(o)).add(plugin_options(plugins, &slots));
    all.add_options()("command", po::value(&o.command))("args", po::value(&o.arguments)->composing());
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positionals()).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw UsageError(e.what());
    }
    if (vm.count("now")) o.now = vm["now"].as<std::string>();
    for (const auto& s : slots) {
        std::string flag = s.plugin + "-" + s.name;
        if (!vm.count(flag)) continue;
        if (s.is_flag) {
            if (vm[flag].as<bool>()) o.plugin_options[s.plugin][s.name] = "true";
        } else if (!vm[flag].defaulted()) {
            o.plugin_options[s.plugin][s.name] = vm[flag].as<std::string>();
        }
    }
    if (o.help) return o;
    if (o.command.empty()) throw UsageError("no command given (audit, fix, certs, plugins, restore, version)");
    if (!k_commands.count(o.command)) throw UsageError("unknown command '" + o.command + "'");
    if (o.command == "restore") {
        if (o.arguments.size() != 1) throw UsageError("restore takes exactly one BACKUP folder");
    } else if (o.command == "report") {
        if (o.arguments.empty() || o.arguments.front() != "merge")
            throw UsageError(
                "report takes a subcommand: report merge REPORT... (files, folders, - for standard input)");
        if (o.arguments.size() < 2) throw UsageError("report merge needs at least one REPORT (a file, a folder or -)");
    } else if (!o.arguments.empty()) {
        throw UsageError("unexpected argument '" + o.arguments.front() + "' after " + o.command);
    }
    if (o.command != "fix" && (o.dry_run || o.no_restart || o.yes || !o.backup_dir.empty()))
        throw UsageError("--dry-run, --no-restart, --backup-dir and --yes go with fix");
    // A real fix issues certificates from the real clock, so an after-audit at --now would contradict it.
    if (o.command != "report" && o.max_age != "24h") throw UsageError("--max-age goes with report merge");
    if (o.now &&
        !(o.command == "audit" || o.command == "report" || o.command == "certs" || (o.command == "fix" && o.dry_run)))
        throw UsageError("--now goes with audit, certs and fix --dry-run only (a real fix issues certificates "
                         "from the clock)");
    static const std::set<std::string> formats = {"text", "json", "junit", "prometheus"};
    if (!formats.count(o.format))
        throw UsageError("unknown --format '" + o.format + "' (text, json, junit, prometheus)");
    return o;
}

const std::vector<CommandDoc>& command_docs() {
    static const std::vector<CommandDoc> docs = {
        {"audit", "", "run checks, print findings",
         "Runs every check of the selected plugins and prints the findings."},
        {"fix", "[--dry-run] [--no-restart] [--backup-dir DIR] [--yes]",
         "audit, apply the fixes of failing checks, audit again, report both",
         "Audits, applies the fixes of FAIL/WARN findings that are fixable (all edits one transaction, backed up, "
         "rolled back on failure), audits again and reports both."},
        {"certs", "", "table of every certificate the plugins know",
         "Prints every certificate the plugins know, in the layout of `kubeadm certs check-expiration` (with "
         "--format json: the report's certificates)."},
        {"plugins", "", "loaded plugins: name, version, ABI, path, checks, options",
         "Lists the loaded plugins with their checks and options."},
        {"restore", "BACKUP", "put back the files of one earlier fix",
         "Puts back every file saved in BACKUP (a fix's backup folder)."},
        {"report", "merge REPORT...", "fleet view of many nodes' JSON reports (files, folders, - for standard input)",
         "Reads the JSON reports of many nodes (files, folders of *.json, - for standard input) and prints the fleet "
         "view: nodes by their soonest expiring certificate, per flavor and per status, stale and unreadable "
         "reports. Exit status as for audit, over the whole fleet."},
        {"version", "", "print the version", "Prints the version of kubecert and of its plugin ABI."},
    };
    return docs;
}

const std::vector<ExitStatusDoc>& exit_status_docs() {
    static const std::vector<ExitStatusDoc> docs = {
        {0, "all checks passed (WARN and INFO findings included)"},
        {1, "a check FAILs (after fix: still fails)"},
        {2, "usage error"},
        {3, "error: unreadable or malformed input, unreachable endpoint, no plugin, plugin failure, a fix rolled "
            "back, an ERROR finding"},
    };
    return docs;
}

std::vector<OptionGroupDoc> option_docs(const std::vector<std::unique_ptr<loader::LoadedPlugin>>& plugins) {
    Options o;
    std::vector<OptionGroupDoc> groups;
    auto add = [&](const po::options_description& d, std::string title, std::string plugin, std::string description) {
        OptionGroupDoc g;
        g.title = std::move(title);
        g.plugin = std::move(plugin);
        g.plugin_description = std::move(description);
        for (const auto& opt : d.options()) {
            OptionDoc od;
            od.flag = "--" + opt->long_name();
            const std::string shown = opt->format_name(); // "-h [ --help ]" or "--root"
            if (shown.size() > 1 && shown[0] == '-' && shown[1] != '-') od.short_flag = shown.substr(0, 2);
            od.value_name = opt->semantic()->max_tokens() == 0 ? "" : opt->semantic()->name();
            od.help = opt->description();
            g.options.push_back(std::move(od));
        }
        groups.push_back(std::move(g));
    };
    add(global_options(o), "Options", "", "");
    add(fix_options(o), "fix options", "", "");
    add(report_merge_options(o), "report merge options", "", "");
    for (const auto& p : plugins) {
        const auto& m = p->model();
        add(plugin_options_of(m), m.name + " plugin options", m.name, m.description);
    }
    return groups;
}

std::string help_text(const std::string& command, const std::vector<std::unique_ptr<loader::LoadedPlugin>>& plugins) {
    Options o;
    std::ostringstream out;
    if (command.empty()) {
        out << "kubecert: audit and fix Kubernetes certificate rotation on a node\n\n"
               "usage: kubecert [options] <command>\n\n"
               "commands:\n";
        for (const auto& c : command_docs()) {
            std::string head = c.name;
            if (c.name == "restore" || c.name == "report") head += " " + c.args;
            out << "  " << head << std::string(head.size() < 17 ? 17 - head.size() : 1, ' ') << c.summary << "\n";
        }
        out << "\nexit status:";
        for (const auto& e : exit_status_docs()) out << "\n  " << e.code << "  " << e.meaning;
        out << "\n\n";
    } else {
        const auto& docs = command_docs();
        auto it = std::find_if(docs.begin(), docs.end(), [&](const CommandDoc& c) { return c.name == command; });
        if (it == docs.end()) {
            out << "unknown command '" << command << "'\n\n";
        } else if (it->name == "version") {
            out << "usage: kubecert version\n\n" << it->description << "\n\n";
        } else {
            out << "usage: kubecert [options] " << it->name << (it->args.empty() ? "" : " " + it->args) << "\n\n"
                << it->description << "\n\n";
        }
    }
    out << global_options(o) << "\n";
    if (command.empty() || command == "fix") out << fix_options(o) << "\n";
    if (command.empty() || command == "report") out << report_merge_options(o) << "\n";
    auto plugin_opts = plugin_options(plugins, nullptr);
    if (!plugin_opts.options().empty()) out << plugin_opts << "\n";
    return out.str();
}

} // namespace kubecert::cli
