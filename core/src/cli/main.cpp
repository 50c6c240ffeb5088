#include "cli/main.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <set>

#include <kubecert/util/time.hpp>

#include "app/commands.hpp"
#include "app/interrupted_fixes.hpp"
#include "cli/docs.hpp"
#include "cli/options.hpp"
#include "cli/output.hpp"
#include "cli/plugin_list.hpp"
#include "cli/report_command.hpp"
#include "fleet/node_identity.hpp"
#include "host/fix_lock.hpp"
#include "host/live_system.hpp"
#include "report/printable.hpp"
#include "report/writers.hpp"
#include "secrets/known_secrets.hpp"

namespace kubecert::cli {

namespace {

constexpr int k_exit_usage = 2;
constexpr int k_exit_error = 3;

std::atomic<bool> g_cancelled{false};

void on_signal(int) {
    g_cancelled.store(true);
}

void error_line(const std::string& message) {
    std::fprintf(stderr, "kubecert: error: %s\n", report::printable(secrets::scrub_for_output(message), true).c_str());
}

// A word for a shell command line, quoted only when it needs to be.
std::string shell_word(const std::string& w) {
    const bool plain = !w.empty() && w.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                                         "0123456789_./:=,@%+-") == std::string::npos;
    if (plain) return w;
    std::string out = "'";
    for (char c : w) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// The command that fixes what this run found fixable: this run's root, plugin
// folders, window, checks and plugin options, the plugin whose findings are
// fixable, and `fix` (without --dry-run).
std::string fix_command_line(const report::Report& r, const Options& o) {
    std::vector<std::string> words{"kubecert"};
    auto add = [&](const std::string& flag, const std::string& value) {
        words.push_back(flag);
        words.push_back(shell_word(value));
    };
    if (o.root != "/") add("--root", o.root);
    for (const auto& d : o.plugin_dirs) add("--plugin-dir", d);
    std::set<std::string> fixable_plugins;
    for (const auto& f : r.findings)
        if (f.fixable && (f.status == report::FindingStatus::fail || f.status == report::FindingStatus::warn))
            fixable_plugins.insert(f.plugin);
    if (fixable_plugins.size() == 1)
        add("--flavor", *fixable_plugins.begin());
    else if (o.flavor != "auto")
        add("--flavor", o.flavor);
    if (o.warn_within != "30d") add("--warn-within", o.warn_within);
    for (const auto& c : o.checks) add("--check", c);
    if (!o.benchmark.empty()) add("--benchmark", o.benchmark);
    for (const auto& [plugin, values] : o.plugin_options) {
        for (const auto& [name, value] : values) {
            if (value == "true")
                words.push_back("--" + plugin + "-" + name); // a switch
            else
                add("--" + plugin + "-" + name, value);
        }
    }
    words.push_back("fix");
    if (o.no_restart) words.push_back("--no-restart");
    if (!o.backup_dir.empty()) add("--backup-dir", o.backup_dir);
    std::string line;
    for (const auto& w : words) line += (line.empty() ? "" : " ") + w;
    return line;
}

std::string render(const report::Report& r, const Options& o) {
    if (o.format == "json") return report::render_json(r);
    if (o.format == "junit") return report::render_junit(r);
    if (o.format == "prometheus") return report::render_prometheus(r);
    report::TextOptions t;
    // https://no-color.org: set and not empty.
    const char* no_color = std::getenv("NO_COLOR");
    t.color = o.output.empty() && ::isatty(STDOUT_FILENO) && !(no_color && *no_color);
    t.verbose = o.verbose;
    t.fix_command = fix_command_line(r, o);
    if (o.command == "certs") return report::render_certs_table(r);
    return report::render_text(r, t);
}

// Asks on the terminal before a fix changes the node; without one, --yes is needed.
bool confirm_fix(const Options& o, const std::vector<report::Finding>& due) {
    if (o.yes || o.dry_run) return true;
    if (!::isatty(STDIN_FILENO))
        throw UsageError("fix would change the node and there is no terminal to ask on: pass --yes (or --dry-run)");
    std::fprintf(stderr, "kubecert will fix these findings on the node under %s:\n", o.root.c_str());
    for (const auto& f : due)
        std::fprintf(stderr, "  %-5s %s  %s\n", report::to_string(f.status), f.id.c_str(),
                     secrets::scrub_for_output(f.title).c_str());
    std::fprintf(stderr, "Proceed? [y/N] ");
    std::fflush(stderr);
    std::string answer;
    if (!std::getline(std::cin, answer)) return false;
    return answer == "y" || answer == "Y" || answer == "yes";
}

// --help and --help-format: the plugins' options are part of the text.
int run_help(const Options& early, const loader::LoadOutcome& loaded) {
    if (early.help_format.empty()) {
        std::fputs(help_text(early.command, loaded.plugins).c_str(), stdout);
        return 0;
    }
    if (early.help_format == "man")
        std::fputs(render_man_page(loaded.plugins, "BINDIR/" KUBECERT_BIN_TO_PLUGINS).c_str(), stdout);
    else if (early.help_format == "bash")
        std::fputs(render_bash_completion(loaded.plugins).c_str(), stdout);
    else
        throw UsageError("--help-format takes man or bash");
    for (const auto& e : loaded.errors) error_line(e);
    return loaded.errors.empty() ? 0 : k_exit_error;
}

int run_plugins_command(const Options& o, const loader::LoadOutcome& loaded) {
    auto st = write_output(o.output, render_plugin_list(loaded.plugins, loaded.errors, o.format));
    if (!st) error_line(st.error().message);
    return loaded.errors.empty() && st ? 0 : k_exit_error;
}

// --now, else the clock.
std::int64_t evaluation_instant(const Options& o) {
    if (!o.now) return static_cast<std::int64_t>(std::time(nullptr));
    auto t = util::parse_rfc3339(*o.now);
    if (!t) throw UsageError("--now '" + *o.now + "' is not an RFC 3339 time (e.g. 2026-01-02T15:04:05Z)");
    return *t;
}

// --live-system, else KUBECERT_LIVE_SYSTEM, else auto: decided once per run.
host::LiveSystem decide_live(const Options& o, const host::RootFs& fs) {
    const char* live_env = std::getenv("KUBECERT_LIVE_SYSTEM");
    const std::string live_text = !o.live_system.empty() ? o.live_system : (live_env && *live_env ? live_env : "auto");
    host::LiveSystemMode live_mode{};
    if (!host::parse_live_system_mode(live_text, live_mode))
        throw UsageError("--live-system '" + live_text + "' is not auto, yes or no");
    auto live = host::decide_live_system(fs, live_mode);
    if (o.verbose)
        std::fprintf(stderr, "kubecert: live system: %s (%s)\n", live.live ? "yes" : "no", live.reason.c_str());
    return live;
}

// The run's settings from the command line (ctx.fs already open).
void configure_run(app::RunContext& ctx, const Options& o, const loader::LoadOutcome& loaded) {
    ctx.now = evaluation_instant(o);
    auto within = util::parse_duration(o.warn_within);
    if (!within) throw UsageError("--warn-within '" + o.warn_within + "' is not a duration (e.g. 30d, 720h)");
    ctx.warn_within = *within;
    ctx.benchmark = o.benchmark;
    ctx.dry_run = o.dry_run;
    ctx.no_restart = o.no_restart;
    ctx.verbose = o.verbose;
    // Progress lines of long waits: on a terminal only, and not around a report meant for programs.
    ctx.stderr_is_terminal = ::isatty(STDERR_FILENO) && o.format == "text";
    ctx.checks = o.checks;
    ctx.plugin_options = o.plugin_options;
    ctx.cancelled = &g_cancelled;
    ctx.live = decide_live(o, *ctx.fs);
    ctx.report.tool_version = KUBECERT_VERSION;
    ctx.report.generated_at = ctx.now;
    ctx.report.root = ctx.fs->root().empty() ? "/" : ctx.fs->root();
    if (!ctx.fs->kernel_confined()) {
        ctx.report.confinement = "user-space";
        std::fprintf(stderr, "kubecert: warning: the kernel refused openat2: paths are kept inside --root in user "
                             "space, with a small race against links changed while kubecert runs\n");
    }
    ctx.report.command = o.command;
    ctx.report.node_name = fleet::node_name(*ctx.fs, o.node_name);
    ctx.report.dry_run = o.dry_run;
    ctx.report.errors = loaded.errors;
}

// The root's fix lock, taken at most once, when a command first needs it.
class RootLock {
public:
    RootLock(const host::RootFs& fs, std::chrono::seconds wait) : m_fs(fs), m_wait(wait) {}
    bool acquire() {
        if (m_locked) return true;
        auto st = m_lock.acquire(m_fs.root().empty() ? "/" : m_fs.root(), m_wait);
        if (!st) error_line(st.error().message);
        m_locked = bool(st);
        return m_locked;
    }

private:
    const host::RootFs& m_fs;
    std::chrono::seconds m_wait;
    host::FixLock m_lock;
    bool m_locked = false;
};

// A fix killed on this root is rolled back before anything reads the node; false when one is still there.
bool recover_node(app::RunContext& ctx, const Options& o, RootLock& lock) {
    auto recovered =
        app::recover_interrupted_fixes(ctx, o.command == "fix" ? o.backup_dir : "", [&lock] { return lock.acquire(); });
    if (recovered) return true;
    // A fix running right now holds the lock: its journal is in use, not interrupted.
    if ((recovered.error().code == util::ErrorCode::timeout && o.command != "fix") || o.command == "restore")
        error_line(recovered.error().message);
    else
        ctx.report.errors.push_back(recovered.error().message);
    return false;
}

int run_restore(app::RunContext& ctx, const Options& o, RootLock& lock) {
    if (!lock.acquire()) return k_exit_error;
    auto restored = host::restore_backup(*ctx.fs, o.arguments.front());
    if (!restored) {
        error_line(restored.error().message);
        return k_exit_error;
    }
    for (const auto& p : *restored) std::printf("restored %s\n", p.c_str());
    return 0;
}

// fix: under the lock (unless a dry run, which changes nothing, not even a lock file), with signals caught.
bool run_fix_command(app::RunContext& ctx, const Options& o, const app::PluginList& plugins, RootLock& lock) {
    if (!o.dry_run && !lock.acquire()) return false;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    app::FixSettings settings;
    settings.backup_dir = o.backup_dir;
    settings.confirm = [&](const std::vector<report::Finding>& due) { return confirm_fix(o, due); };
    if (auto st = app::run_fix(ctx, plugins, settings); !st) ctx.report.errors.push_back(st.error().message);
    return true;
}

// audit, certs or fix with the plugins that match the node; false when the fix lock could not be taken.
// A run that cannot choose a plugin still writes its report (with the error), so a scraped
// --output never goes stale unnoticed.
bool run_plugins(app::RunContext& ctx, const Options& o, const loader::LoadOutcome& loaded, bool node_consistent,
                 RootLock& lock) {
    auto plugins = app::select_plugins(ctx, loaded.plugins, o.flavor);
    if (!plugins) {
        ctx.report.errors.push_back(plugins.error().message);
    } else if (o.command == "fix" && !node_consistent) {
        // Renewing on top of a half-finished fix would mix two sets of keys: the report says why not.
        ctx.report.has_after = true;
    } else if (o.command == "fix") {
        if (!run_fix_command(ctx, o, *plugins, lock)) return false;
    } else {
        app::run_audit(ctx, *plugins);
    }
    ctx.report.flavor = fleet::flavor_of(ctx.report.plugins);
    return true;
}

// Errors of the run on stderr, the report where it goes, and the exit status of DESIGN.md.
int finish_run(const app::RunContext& ctx, const Options& o, const loader::LoadOutcome& loaded) {
    if (ctx.progress_shown) std::fputs("\r\033[K", stderr); // clear the last progress line
    for (size_t i = loaded.errors.size(); i < ctx.report.errors.size(); ++i) error_line(ctx.report.errors[i]);
    if (auto st = write_output(o.output, render(ctx.report, o)); !st) {
        error_line(st.error().message);
        return k_exit_error;
    }
    return app::exit_status(ctx.report);
}

// Every command that reads the node: a root, the run's settings, recovery, then the command.
int run_on_node(const Options& o, const loader::LoadOutcome& loaded) {
    app::RunContext ctx;
    try {
        ctx.fs = std::make_unique<host::RootFs>(o.root);
    } catch (const std::exception& e) {
        error_line(std::string("--root ") + o.root + ": " + e.what());
        return k_exit_error;
    }
    auto lock_wait = util::parse_duration(o.lock_wait);
    if (!lock_wait) throw UsageError("--lock-wait '" + o.lock_wait + "' is not a duration (e.g. 10s)");
    configure_run(ctx, o, loaded);
    RootLock lock(*ctx.fs, std::chrono::seconds(*lock_wait));
    const bool node_consistent = recover_node(ctx, o, lock);
    if (o.command == "restore") return run_restore(ctx, o, lock);
    if (!run_plugins(ctx, o, loaded, node_consistent, lock)) return k_exit_error;
    return finish_run(ctx, o, loaded);
}

int run(int argc, char** argv) {
    Options early = parse_early(argc, argv);
    // `version` prints kubecert's and the ABI's versions, no plugin's: it loads none.
    const bool needs_plugins = early.command != "version" || early.help || !early.help_format.empty();
    auto loaded =
        needs_plugins ? loader::load_plugins(loader::plugin_search_path(early.plugin_dirs)) : loader::LoadOutcome{};
    if (!early.help_format.empty() || early.help) return run_help(early, loaded);
    Options o = parse(argc, argv, loaded.plugins);
    if (o.command == "version") {
        std::printf("kubecert %s (plugin ABI %d.%d.%d)\n", KUBECERT_VERSION, KUBECERT_ABI_MAJOR, KUBECERT_ABI_MINOR,
                    KUBECERT_ABI_PATCH);
        return 0;
    }
    if (o.command == "report") return run_report_command(o); // reads reports only: no plugin, no root
    for (const auto& e : loaded.errors) error_line(e);
    if (o.command == "plugins") return run_plugins_command(o, loaded);
    return run_on_node(o, loaded);
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const UsageError& e) {
        std::fprintf(stderr, "kubecert: %s\nTry 'kubecert --help'.\n", e.what());
        return k_exit_usage;
    } catch (const std::exception& e) {
        error_line(e.what());
        return k_exit_error;
    }
}

} // namespace kubecert::cli
