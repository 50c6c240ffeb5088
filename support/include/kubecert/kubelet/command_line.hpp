#pragma once

#include <array>
#include <string_view>

#include <optional>
#include <string>
#include <vector>

#include <kubecert/sdk.hpp>

// The kubelet's command line as every plugin needs it: from the running
// process, or from the systemd unit with its drop-ins and environment, with
// each word traced to the file and line that wrote it (so a fix can edit it
// there and the evidence can name it).
namespace kubecert::kubelet {

// Where one command-line word was written.
struct WordOrigin {
    std::string file;     // node path of the file holding it; "" for a running process's word
    int line = 0;         // 1-based first line of the entry (ExecStart=, Environment=, env-file line)
    std::string variable; // the environment variable that carried it; "" when written in ExecStart itself
    // How evidence names it: "/etc/.../10-kubelet-args.conf:2 (KUBELET_ARGS)" or "running process".
    std::string describe() const;
};

struct ArgWord {
    std::string text;
    WordOrigin origin;
};

// The kubelet's arguments (argv without argv[0]) from one place.
struct KubeletCommandLine {
    std::string source; // "/proc/42/cmdline" or "UNIT:LINE (ExecStart)"
    bool from_process = false;
    std::vector<ArgWord> args;
    // The folder the kubelet resolves relative paths (--config, --config-dir, --kubeconfig,
    // --cert-dir) against: the process's ROOT/proc/PID/cwd, the unit's WorkingDirectory=; ""
    // when neither says (the kubelet then runs in "/").
    std::string working_dir;
    std::string working_dir_source; // "/proc/42/cwd" or "UNIT:LINE (WorkingDirectory)", for evidence
    std::vector<std::string> words() const;
    // Where `word` (one of args) comes from, for evidence.
    std::string describe(const ArgWord& word) const;
};

// The systemd folders, in systemd's order: the unit is read from the first
// that has it; drop-ins from all of them, a name in an earlier folder
// hiding the same name in a later one.
// Constant data: a plugin that includes this runs no code when it is loaded.
inline constexpr std::array<std::string_view, 4> k_systemd_unit_dirs{"/etc/systemd/system", "/run/systemd/system",
                                                                     "/usr/lib/systemd/system", "/lib/systemd/system"};

// The command line systemd would start kubelet.service with: the unit and
// its kubelet.service.d/*.conf drop-ins, Environment= and EnvironmentFile=
// (a leading '-' makes it optional) expanded into the last effective
// ExecStart. Nullopt when there is no unit or no ExecStart. Appends every
// file read to `files_read` when given. Throws formats::ParseError for a
// malformed unit or environment file, sdk::Error when one cannot be read.
std::optional<KubeletCommandLine> kubelet_unit_command_line(const sdk::Host& host,
                                                            std::vector<std::string>* files_read = nullptr);

// The running kubelet processes' command lines under ROOT/proc, by pid.
std::vector<KubeletCommandLine> running_kubelet_command_lines(const sdk::Host& host);

// `path` as the kubelet of `cmd` opens it: unchanged when absolute (or empty), else joined to
// its working directory ("/" when unknown) and normalised, as kube-bench #1256 asks.
std::string kubelet_absolute_path(const KubeletCommandLine& cmd, const std::string& path);

// Gives a running kubelet whose cwd could not be read the unit's WorkingDirectory=.
void inherit_working_dir(KubeletCommandLine& process, const KubeletCommandLine* unit);

// The value of the last --`name` on `cmd` (pflag: the last one wins), "true"
// for a bare boolean flag, nullopt when absent.
std::optional<std::string> kubelet_flag_value(const KubeletCommandLine& cmd, const std::string& name);

} // namespace kubecert::kubelet
