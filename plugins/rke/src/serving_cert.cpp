#include "serving_cert.hpp"

#include <algorithm>

namespace kubecert::rke {

namespace {

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

// "<name>@<digits>" with a non-empty name; returns the name.
std::optional<std::string_view> name_before_timestamp(std::string_view common_name) {
    const auto at = common_name.rfind('@');
    if (at == std::string_view::npos || at == 0 || !all_digits(common_name.substr(at + 1))) return std::nullopt;
    return common_name.substr(0, at);
}

} // namespace

bool is_kubelet_ca_name(std::string_view common_name) {
    const auto name = name_before_timestamp(common_name);
    return name && name->size() > 3 && ends_with(*name, "-ca");
}

bool is_kubelet_self_signed_name(std::string_view common_name) {
    return name_before_timestamp(common_name).has_value() && !is_kubelet_ca_name(common_name);
}

std::string kubelet_cert_file_name(std::string_view node_address) {
    std::string name = "kube-kubelet-" + std::string(node_address) + ".pem";
    std::replace(name.begin() + 13, name.end() - 4, '.', '-');
    return name;
}

std::vector<std::string> kubelet_cert_files(const std::vector<std::string>& names) {
    std::vector<std::string> out;
    for (const auto& n : names)
        if (starts_with(n, "kube-kubelet-") && ends_with(n, ".pem") && !ends_with(n, "-key.pem")) out.push_back(n);
    return out;
}

std::string key_path_for(std::string_view cert_path) {
    if (ends_with(cert_path, ".pem")) return std::string(cert_path.substr(0, cert_path.size() - 4)) + "-key.pem";
    if (ends_with(cert_path, ".crt")) return std::string(cert_path.substr(0, cert_path.size() - 4)) + ".key";
    return std::string(cert_path) + ".key";
}

} // namespace kubecert::rke
