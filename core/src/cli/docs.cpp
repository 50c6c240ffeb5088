#include "cli/docs.hpp"

#include <set>
#include <sstream>

#include "cli/options.hpp"

namespace kubecert::cli {

namespace {

// Text for a roff line: backslashes and minus signs escaped, and a leading
// dot or quote kept from being read as a request.
std::string roff(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '\\')
            out += "\\e";
        else if (c == '-')
            out += "\\-";
        else
            out += c;
    }
    if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out.insert(0, "\\&");
    return out;
}

// "\fB\-\-root\fR \fIDIR\fR", "\fB\-v\fR, \fB\-\-verbose\fR".
std::string option_tag(const OptionDoc& o) {
    std::string tag;
    if (!o.short_flag.empty()) tag += "\\fB" + roff(o.short_flag) + "\\fR, ";
    tag += "\\fB" + roff(o.flag) + "\\fR";
    if (!o.value_name.empty()) tag += " \\fI" + roff(o.value_name) + "\\fR";
    return tag;
}

void option_list(std::ostringstream& out, const OptionGroupDoc& g) {
    for (const auto& o : g.options) out << ".TP\n" << option_tag(o) << "\n" << roff(o.help) << "\n";
}

// Words for a bash `case` pattern or word list, joined by `sep`.
std::string join(const std::vector<std::string>& words, const std::string& sep) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : sep) + w;
    return out;
}

// The OPTIONS, FIX OPTIONS and PLUGIN OPTIONS sections.
void write_man_options(std::ostringstream& out, const std::vector<OptionGroupDoc>& groups) {
    for (const auto& g : groups) {
        if (!g.plugin.empty()) continue;
        out << (g.title == "Options" ? ".SH OPTIONS\n" : ".SH FIX OPTIONS\n");
        option_list(out, g);
    }
    out << ".SH PLUGIN OPTIONS\nEach plugin declares its own options as \\fB\\-\\-\\fR\\fIplugin\\fR\\fB\\-\\fR"
           "\\fIname\\fR; \\fBkubecert plugins\\fR lists them with the plugins found. The bundled plugins:\n";
    for (const auto& g : groups) {
        if (g.plugin.empty()) continue;
        out << ".SS " << roff(g.plugin) << "\n";
        if (!g.plugin_description.empty()) out << roff(g.plugin_description) << "\n";
        if (g.options.empty()) out << ".PP\n(no options)\n";
        option_list(out, g);
    }
}

// The sections that do not depend on the plugins: exit status to see also.
void write_man_reference(std::ostringstream& out, const std::string& plugin_dir) {
    out << ".SH EXIT STATUS\n";
    for (const auto& e : exit_status_docs()) out << ".TP\n.B " << e.code << "\n" << roff(e.meaning) << "\n";
    out << ".SH REPORT FORMATS\n"
        << ".TP\n.B text\nFor people: per plugin, one line per finding with its status and what is the case; the "
           "evidence and remediation of FAIL and ERROR findings (of WARN findings with \\fB\\-v\\fR); identical "
           "remediations once; the command that fixes what is fixable; a summary line. Colours only on a terminal "
           "and not when \\fBNO_COLOR\\fR is set.\n"
        << ".TP\n.B json\nSchema \\fBkubecert/report/v1\\fR: tool, plugins, findings (with evidence, remediation, "
           "fixable), certificates, summary; after \\fBfix\\fR also actions and the findings of the audit after "
           "the fix.\n"
        << ".TP\n.B junit\nJUnit XML: a testsuite per plugin, a testcase per finding; FAIL is a failure, ERROR an "
           "error.\n"
        << ".TP\n.B prometheus\nThe node_exporter textfile format: certificate expiry times and finding statuses "
           "(\\fBkubecert_certificate_not_after_seconds\\fR, \\fBkubecert_finding_status\\fR, "
           "\\fBkubecert_findings\\fR).\n"
        << ".SH ENVIRONMENT\n"
        << ".TP\n.B KUBECERT_PLUGIN_PATH\nExtra plugin folders, separated by colons, searched after "
           "\\fB\\-\\-plugin\\-dir\\fR.\n"
        << ".TP\n.B NO_COLOR\nWhen set, the text report has no colours even on a terminal.\n"
        << ".SH FILES\n"
        << ".TP\n.I " << roff(plugin_dir)
        << "\nThe bundled plugins, BINDIR being the folder of the kubecert "
           "binary (/usr/bin in the Debian package). A plugin file or its folder must not be writable by group "
           "or others and must belong to root or the invoking user.\n"
        << ".TP\n.I ROOT/var/backups/kubecert/TIMESTAMP/\nThe backup of one \\fBfix\\fR, with a MANIFEST; "
           "\\fBkubecert restore\\fR puts it back.\n"
        << ".TP\n.I /etc/default/kubecert\nSettings of the systemd units: the Prometheus textfile of "
           "\\fBkubecert\\-audit.service\\fR, the renewal window and lock of \\fBkubecert\\-renew.service\\fR.\n"
        << ".TP\n.I /lib/systemd/system/kubecert\\-audit.timer\nRuns an audit every hour and writes the "
           "Prometheus textfile (enabled by the package).\n"
        << ".TP\n.I /lib/systemd/system/kubecert\\-renew.timer\nRenews kubeadm control-plane certificates that "
           "come within the window, once a day (opt-in: \\fBsystemctl enable \\-\\-now kubecert\\-renew.timer\\fR).\n"
        << ".SH EXAMPLES\n"
        << ".TP\n.B kubecert audit\nAudit this node with every plugin that matches it.\n"
        << ".TP\n.B kubecert \\-\\-flavor kubeadm fix \\-\\-dry\\-run\nShow the diff of every change and every "
           "command a fix would make, changing nothing.\n"
        << ".TP\n.B kubecert \\-\\-warn\\-within 120d \\-\\-check kubeadm.cert\\-expiry fix \\-\\-yes\nRenew every "
           "kubeadm certificate that expires within 120 days.\n"
        << ".TP\n.B kubecert \\-\\-format prometheus \\-\\-output /var/lib/prometheus/node\\-exporter/kubecert.prom "
           "audit\nWrite the metrics for node_exporter's textfile collector (the file is replaced atomically).\n"
        << ".SH SEE ALSO\n.BR kubeadm (1),\n.BR systemd.timer (5),\n/usr/share/doc/kubecert/\n";
}

// The words bash completes: commands, options, and which options take a folder, a file or a value.
struct CompletionWords {
    std::vector<std::string> commands, options, dir_options, file_options, value_options;
};

CompletionWords completion_words(const std::vector<OptionGroupDoc>& groups) {
    CompletionWords w;
    for (const auto& c : command_docs()) w.commands.push_back(c.name);
    for (const auto& g : groups) {
        for (const auto& o : g.options) {
            w.options.push_back(o.flag);
            if (!o.short_flag.empty()) w.options.push_back(o.short_flag);
            if (o.value_name.empty()) continue;
            w.value_options.push_back(o.flag);
            if (o.value_name == "DIR")
                w.dir_options.push_back(o.flag);
            else if (o.value_name == "FILE" || o.value_name == "PATH")
                w.file_options.push_back(o.flag);
        }
    }
    return w;
}

} // namespace

std::string render_man_page(const std::vector<std::unique_ptr<loader::LoadedPlugin>>& plugins,
                            const std::string& plugin_dir) {
    const auto groups = option_docs(plugins);
    std::ostringstream out;
    out << ".\\\" Generated by `kubecert --help-format man` from the descriptions --help prints. Do not edit.\n"
        << ".TH KUBECERT 1 \"\" \"kubecert " << KUBECERT_VERSION << "\" \"User Commands\"\n"
        << ".SH NAME\nkubecert \\- audit and fix Kubernetes certificate rotation on a node\n"
        << ".SH SYNOPSIS\n.B kubecert\n[\\fIoptions\\fR] \\fIcommand\\fR [\\fIcommand options\\fR]\n"
        << ".SH DESCRIPTION\n"
        << "kubecert audits and fixes Kubernetes certificate rotation on a node, per distribution. A small core "
           "loads one plugin per distribution (shared libraries, found in the plugin folders listed under "
           "\\fBFILES\\fR); \\fB\\-\\-flavor auto\\fR runs every plugin whose detection matches the node under "
           "\\fB\\-\\-root\\fR.\n"
        << ".PP\nEach finding has a status: \\fBPASS\\fR; \\fBFAIL\\fR; \\fBWARN\\fR (passes now but needs "
           "attention, such as a certificate inside the \\fB\\-\\-warn\\-within\\fR window); \\fBINFO\\fR (not "
           "applicable here); \\fBERROR\\fR (the check could not be evaluated).\n"
        << ".SH COMMANDS\n";
    for (const auto& c : command_docs()) {
        out << ".TP\n\\fB" << roff(c.name) << "\\fR";
        if (!c.args.empty()) out << " " << roff(c.args);
        out << "\n" << roff(c.description) << "\n";
    }
    write_man_options(out, groups);
    write_man_reference(out, plugin_dir);
    return out.str();
}

std::string render_bash_completion(const std::vector<std::unique_ptr<loader::LoadedPlugin>>& plugins) {
    const CompletionWords w = completion_words(option_docs(plugins));
    const auto& [commands, options, dir_options, file_options, value_options] = w;
    std::ostringstream out;
    out << "# bash completion for kubecert(1)\n"
           "# Generated by `kubecert --help-format bash` from the descriptions --help prints. Do not edit.\n"
           "_kubecert()\n{\n"
           "    local cur prev words cword split\n"
           "    _init_completion -s || return\n\n"
           "    local commands='"
        << join(commands, " ") << "'\n    local options='" << join(options, " ") << "'\n\n"
        << "    # The command given so far (skipping the values of options that take one), and the\n"
           "    # plugin folders named on the line, for --flavor.\n"
           "    local i cmd='' plugin_dirs=()\n"
           "    for ((i = 1; i < cword; i++)); do\n"
           "        case ${words[i]} in\n"
           "            --plugin-dir) plugin_dirs+=(--plugin-dir \"${words[i + 1]}\"); ((i++)) ;;\n"
           "            "
        << join(value_options, "|")
        << ") ((i++)) ;;\n"
           "            -*) ;;\n"
           "            *) [[ -z $cmd ]] && cmd=${words[i]} ;;\n"
           "        esac\n"
           "    done\n\n"
           "    case $prev in\n"
           "        --format)\n"
           "            COMPREPLY=($(compgen -W 'text json junit prometheus' -- \"$cur\"))\n"
           "            return ;;\n"
           "        --flavor)\n"
           "            local flavors\n"
           "            flavors=$(\"${words[0]}\" \"${plugin_dirs[@]}\" plugins 2>/dev/null |\n"
           "                awk '/^[^ ]/ && $1 != \"no\" && $1 != \"error:\" { print $1 }')\n"
           "            COMPREPLY=($(compgen -W \"auto $flavors\" -- \"$cur\"))\n"
           "            return ;;\n";
    if (!dir_options.empty())
        out << "        " << join(dir_options, "|") << ")\n            _filedir -d\n            return ;;\n";
    if (!file_options.empty())
        out << "        " << join(file_options, "|") << ")\n            _filedir\n            return ;;\n";
    out << "        " << join(value_options, "|") << ")\n            return ;;\n"
        << "    esac\n"
           "    $split && return\n\n"
           "    if [[ $cur == -* ]]; then\n"
           "        COMPREPLY=($(compgen -W \"$options\" -- \"$cur\"))\n"
           "        [[ ${COMPREPLY-} == *= ]] && compopt -o nospace\n"
           "        return\n"
           "    fi\n"
           "    case $cmd in\n"
           "        '') COMPREPLY=($(compgen -W \"$commands\" -- \"$cur\")) ;;\n"
           "        restore) _filedir -d ;;\n"
           "    esac\n"
           "} &&\n"
           "    complete -F _kubecert kubecert\n";
    return out.str();
}

} // namespace kubecert::cli
