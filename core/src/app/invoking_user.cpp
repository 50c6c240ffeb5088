// Finds the invoking user's home: a passwd line parser and the sudo rule.
#include "app/invoking_user.hpp"

#include <cstdlib>
#include <vector>

namespace kubecert::app {

namespace {

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    while (true) {
        const auto end = text.find(separator);
        parts.push_back(text.substr(0, end));
        if (end == std::string_view::npos) return parts;
        text.remove_prefix(end + 1);
    }
}

} // namespace

std::optional<std::string> passwd_home(std::string_view text, std::string_view user) {
    for (std::string_view line : split(text, '\n')) {
        const auto fields = split(line, ':');
        if (fields.size() >= 6 && fields[0] == user) return std::string(fields[5]);
    }
    return std::nullopt;
}

std::optional<std::string> invoking_user_home(const host::NodeView& node) {
    // Under sudo, $HOME may be root's: the invoking user is SUDO_USER.
    const char* sudo_user = std::getenv("SUDO_USER");
    if (sudo_user && *sudo_user && std::string_view(sudo_user) != "root") {
        if (auto passwd = node.read_file("/etc/passwd")) {
            if (auto home = passwd_home(*passwd, sudo_user)) return home;
        }
    }
    const char* home = std::getenv("HOME");
    if (home && home[0] == '/') return std::string(home);
    return std::nullopt;
}

} // namespace kubecert::app
