#include <kubecert/formats/kubelet_flags.hpp>
#include <kubecert/formats/parse_error.hpp>

#include <algorithm>
#include <iterator>

namespace kubecert::formats {

namespace {

// Kubelet flags registered as booleans (pflag NoOptDefVal "true"), current
// and removed ones still found on old nodes. A flag missing here is assumed
// to take a value, so "--flag word" consumes the word as pflag would for it.
constexpr std::string_view k_boolean_flags[] = {
    "add-dir-header",
    "allow-privileged",
    "alsologtostderr",
    "anonymous-auth",
    "authentication-token-webhook",
    "babysit-daemons",
    "cgroups-per-qos",
    "containerized",
    "docker-disable-shared-pid",
    "enable-cadvisor-json-endpoints",
    "enable-controller-attach-detach",
    "enable-custom-metrics",
    "enable-debugging-handlers",
    "enable-load-reader",
    "enable-server",
    "exit-on-lock-contention",
    "experimental-allocatable-ignore-eviction",
    "experimental-check-node-capabilities-before-mount",
    "experimental-fail-swap-on",
    "experimental-kernel-memcg-notification",
    "fail-swap-on",
    "help",
    "kernel-memcg-notification",
    "keep-terminated-pod-volumes",
    "localstorage-capacity-isolation",
    "log-json-split-stream",
    "log-text-split-stream",
    "logtostderr",
    "make-iptables-util-chains",
    "one-output",
    "protect-kernel-defaults",
    "really-crash-for-testing",
    "redirect-container-streaming",
    "register-node",
    "register-schedulable",
    "require-kubeconfig",
    "rotate-certificates",
    "rotate-server-certificates",
    "runonce",
    "seccomp-default",
    "serialize-image-pulls",
    "skip-headers",
    "skip-log-headers",
    "version",
};

std::string_view trim(std::string_view s) {
    const size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    const size_t e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

} // namespace

bool is_boolean_kubelet_flag(std::string_view name) {
    return std::find(std::begin(k_boolean_flags), std::end(k_boolean_flags), name) != std::end(k_boolean_flags);
}

std::vector<KubeletFlag> parse_kubelet_flags(const std::vector<std::string>& args) {
    std::vector<KubeletFlag> flags;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& word = args[i];
        if (word == "--") break; // pflag: everything after is positional
        if (word.size() < 2 || word[0] != '-') continue;
        // "--name" or, as pflag's shorthand form that kubelet users write for -v, "-name".
        std::string_view body = std::string_view(word).substr(word[1] == '-' ? 2 : 1);
        if (body.empty() || body[0] == '-' || body[0] == '=') continue; // pflag: bad flag syntax
        KubeletFlag flag;
        flag.index = i;
        const size_t eq = body.find('=');
        if (eq != std::string_view::npos) {
            flag.name = std::string(body.substr(0, eq));
            flag.value = std::string(body.substr(eq + 1));
        } else {
            flag.name = std::string(body);
            if (!is_boolean_kubelet_flag(flag.name) && i + 1 < args.size()) flag.value = args[++i];
        }
        flags.push_back(std::move(flag));
    }
    return flags;
}

std::optional<KubeletFlag> last_flag(const std::vector<KubeletFlag>& flags, std::string_view name) {
    for (auto it = flags.rbegin(); it != flags.rend(); ++it)
        if (it->name == name) return *it;
    return std::nullopt;
}

std::optional<bool> parse_go_bool(std::string_view text) {
    if (text == "1" || text == "t" || text == "T" || text == "TRUE" || text == "true" || text == "True") return true;
    if (text == "0" || text == "f" || text == "F" || text == "FALSE" || text == "false" || text == "False")
        return false;
    return std::nullopt;
}

std::map<std::string, bool> parse_feature_gates(std::string_view text, const std::string& source) {
    // k8s.io/component-base/featuregate: split at ',', skip empty pairs,
    // SplitN at the first '=', trim both sides, strconv.ParseBool the value.
    std::map<std::string, bool> gates;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find(',', start);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view pair = text.substr(start, end - start);
        const int column = static_cast<int>(start) + 1;
        if (!pair.empty()) {
            const size_t eq = pair.find('=');
            if (eq == std::string_view::npos)
                throw ParseError(source, 1, column, "missing bool value for " + std::string(trim(pair)));
            const std::string_view name = trim(pair.substr(0, eq));
            const std::string_view value = trim(pair.substr(eq + 1));
            const auto b = parse_go_bool(value);
            if (!b)
                throw ParseError(source, 1, column + static_cast<int>(eq) + 1,
                                 "invalid value of " + std::string(name) + ": \"" + std::string(value) +
                                     "\" is not a boolean");
            gates[std::string(name)] = *b;
        }
        start = end + 1;
    }
    return gates;
}

} // namespace kubecert::formats
