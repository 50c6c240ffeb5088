#include "core_fixture.hpp"

#include <gtest/gtest.h>

namespace kubecert::test {

CoreNode::CoreNode() {
    install_plugin("testgood.so", plugins.path(), "testgood.so");
    write_file(root / "/etc/hostname", "node-1\n");
}

void CoreNode::write_confs(const std::string& a, const std::string& b, const std::string& c) {
    write_file(root / "/etc/testgood/a.conf", a);
    write_file(root / "/etc/testgood/b.conf", b);
    write_file(root / "/etc/testgood/c.conf", c);
}

ProcResult CoreNode::kubecert(const std::vector<std::string>& args,
                              const std::map<std::string, std::string>& env) const {
    std::vector<std::string> all{"--root", root.path(), "--plugin-dir", plugins.path(), "--flavor", "testgood"};
    all.insert(all.end(), args.begin(), args.end());
    auto e = env;
    e.emplace("KUBECERT_PLUGIN_PATH", "\x01unset");
    return run_kubecert(all, e);
}

void CoreNode::install_plugin(const std::string& built_name, const std::string& dir, const std::string& as) {
    copy_file(test_plugin_dir() + "/" + built_name, dir + "/" + as, 0755);
}

nlohmann::json parse_report(const std::string& text) {
    try {
        return nlohmann::json::parse(text);
    } catch (const std::exception& e) {
        ADD_FAILURE() << "not JSON: " << e.what() << "\n" << text;
        return nlohmann::json::object();
    }
}

std::string status_of(const nlohmann::json& findings, const std::string& id) {
    for (const auto& f : findings)
        if (f.value("id", "") == id) return f.value("status", "");
    return "";
}

} // namespace kubecert::test
