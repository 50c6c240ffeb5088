#include "fleet/node_identity.hpp"

#include <unistd.h>

#include <climits>

namespace kubecert::fleet {

namespace {

// Host names are at most 253 bytes; anything else on the line is not a name.
std::string first_word(const std::string& text) {
    const auto begin = text.find_first_not_of(" \t\r\n");
    if (begin == std::string::npos) return "";
    const auto end = text.find_first_of(" \t\r\n", begin);
    std::string word = text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    return word.size() <= 253 ? word : "";
}

} // namespace

std::string node_name(const host::RootFs& fs, const std::string& given) {
    if (!given.empty()) return given;
    if (auto text = fs.read_file("/etc/hostname", 4096)) {
        std::string name = first_word(*text);
        if (!name.empty()) return name;
    }
    if (fs.root().empty()) {
        char buf[HOST_NAME_MAX + 1] = {};
        if (::gethostname(buf, sizeof buf - 1) == 0) return first_word(buf);
    }
    return "";
}

std::string flavor_of(const std::vector<report::PluginRef>& plugins) {
    std::string flavor;
    for (const auto& p : plugins) {
        if (!flavor.empty()) flavor += '+';
        flavor += p.name;
    }
    return flavor;
}

} // namespace kubecert::fleet
