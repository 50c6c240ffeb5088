#pragma once

// EKS worker node trees for the eks plugin's end-to-end tests, built from the
// real amazon-eks-ami files (shared upstream fixtures) under a temporary root,
// with a recording systemctl stand-in first on PATH.
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_support.hpp"

namespace kubecert::test::eks {

inline std::string ami(const std::string& name) {
    return upstream_fixtures() + "/amazon-eks-ami/" + name;
}

inline constexpr const char* k_unit = "/etc/systemd/system/kubelet.service";
inline constexpr const char* k_args_dropin = "/etc/systemd/system/kubelet.service.d/10-kubelet-args.conf";
inline constexpr const char* k_config = "/etc/kubernetes/kubelet/kubelet-config.json";

// The drop-in bootstrap.sh writes on AL2 (Environment='KUBELET_ARGS=...').
inline std::string args_dropin(const std::string& args) {
    return "[Service]\nEnvironment='KUBELET_ARGS=" + args + "'\n";
}

// The systemctl calls of one restart of a kubelet that comes up: reload, restart, then is-active
// until it says active and three more times (it must stay active, not exit right after starting).
inline const std::string k_restart_calls =
    "daemon-reload\nrestart kubelet\nis-active kubelet\nis-active kubelet\nis-active kubelet\nis-active kubelet\n";

inline const std::string k_default_args =
    "--node-ip=10.0.1.23 --pod-infra-container-image=602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/pause:3.5 --v=2";

struct EksNode {
    TempDir root;
    TempDir bin;

    EksNode() {
        // systemctl stand-in: records its arguments; `is-active` answers from a state file.
        write_script(bin.path(), "systemctl",
                     "#!/bin/sh\n"
                     "echo \"$*\" >> '" +
                         log_path() +
                         "'\n"
                         "if [ \"$1\" = is-active ]; then\n"
                         "  if [ -f '" +
                         bin.path() +
                         "/kubelet-failed' ]; then echo failed; exit 3; fi\n"
                         "  echo active; exit 0\n"
                         "fi\n"
                         "exit 0\n");
        write_file(root / "/etc/hostname", "ip-10-0-1-23.us-west-2.compute.internal\n");
    }

    std::string log_path() const { return bin.path() + "/systemctl.log"; }
    std::string calls() const { return file_exists(log_path()) ? read_file(log_path()) : std::string(); }
    void kubelet_fails_to_start() const { write_file(bin.path() + "/kubelet-failed", "1"); }

    std::string path(const std::string& node_path) const { return root / node_path; }
    void put(const std::string& node_path, const std::string& content) const { write_file(root / node_path, content); }
    void copy(const std::string& fixture, const std::string& node_path) const {
        copy_file(ami(fixture), root / node_path);
    }
    std::string get(const std::string& node_path) const { return read_file(root / node_path); }

    // The AL2 layout: kubelet.service, the bootstrap.sh drop-in, kubelet-config.json, exec kubeconfig.
    void al2(const std::string& args = k_default_args) const {
        copy("kubelet.service", k_unit);
        put(k_args_dropin, args_dropin(args));
        copy("kubelet-config.json", k_config);
        copy("kubelet-kubeconfig", "/var/lib/kubelet/kubeconfig");
    }

    ProcResult kubecert(std::vector<std::string> args) const {
        std::vector<std::string> full{"--root", root.path(), "--flavor", "eks", "--format", "json"};
        full.insert(full.end(), args.begin(), args.end());
        return run_kubecert(full, {{"PATH", path_with(bin.path())}}, 120);
    }
};

// The node's files with their contents, without the host's own fix lock
// (ROOT/run/kubecert), for "nothing changed" checks.
inline std::map<std::string, std::string> node_files(const EksNode& node) {
    auto files = snapshot_tree(node.root.path());
    for (auto it = files.begin(); it != files.end();)
        it = it->first.find("/run/kubecert/") != std::string::npos ? files.erase(it) : std::next(it);
    return files;
}

// Every action's detail (the unified diff of an edit) as one text.
inline std::string action_details(const nlohmann::json& j) {
    std::string s;
    for (const auto& a : j.value("actions", nlohmann::json::array()))
        if (a.contains("detail") && a["detail"].is_string()) s += a["detail"].get<std::string>() + "\n";
    return s;
}

// Parses the JSON report, failing the test with the output when it is not JSON.
inline nlohmann::json report(const ProcResult& r) {
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "stdout:\n" << r.out << "\nstderr:\n" << r.err;
    return j.is_discarded() ? nlohmann::json::object() : j;
}

// The finding `id` of `findings` (an empty object when absent).
inline nlohmann::json finding(const nlohmann::json& findings, const std::string& id) {
    if (findings.is_array())
        for (const auto& f : findings)
            if (f.value("id", "") == id) return f;
    ADD_FAILURE() << "no finding " << id << " in " << findings.dump(1);
    return nlohmann::json::object();
}

inline std::string status(const nlohmann::json& findings, const std::string& id) {
    return finding(findings, id).value("status", "");
}

// All evidence and the remediation of a finding as one text, for "says X" checks.
inline std::string text_of(const nlohmann::json& f) {
    std::string s = f.value("remediation", "") + "\n";
    for (const auto& e : f.value("evidence", nlohmann::json::array()))
        s += e.value("source", "") + " | " + e.value("key", "") + " | " + e.value("actual", "") + " | " +
             e.value("expected", "") + "\n";
    return s;
}

// The "effective" evidence row of a finding ("" when none).
inline std::string effective(const nlohmann::json& f, const std::string& key) {
    for (const auto& e : f.value("evidence", nlohmann::json::array()))
        if (e.value("source", "") == "effective" && e.value("key", "") == key) return e.value("actual", "");
    return "";
}

inline std::string replace_once(std::string s, const std::string& from, const std::string& to) {
    auto pos = s.find(from);
    EXPECT_NE(pos, std::string::npos) << "'" << from << "' not in:\n" << s;
    if (pos != std::string::npos) s.replace(pos, from.size(), to);
    return s;
}

} // namespace kubecert::test::eks
