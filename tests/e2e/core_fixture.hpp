#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

namespace kubecert::test {

// A temporary node root plus a temporary plugin folder holding only the C
// test plugin, for the core's end-to-end tests.
struct CoreNode {
    TempDir root;
    TempDir plugins;
    CoreNode();
    // Writes /etc/testgood/{a,b,c}.conf with the given contents.
    void write_confs(const std::string& a, const std::string& b, const std::string& c);
    // Runs kubecert --root ROOT --plugin-dir PLUGINS --flavor testgood ARGS.
    ProcResult kubecert(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {}) const;
    // Copies a built test plugin (e.g. "testgood.so") into `dir` under `as`.
    static void install_plugin(const std::string& built_name, const std::string& dir, const std::string& as);
};

// Parses a JSON report, failing the test with the text when it is not JSON.
nlohmann::json parse_report(const std::string& text);
// The status of finding `id` in `findings`, or "" when absent.
std::string status_of(const nlohmann::json& findings, const std::string& id);

} // namespace kubecert::test
