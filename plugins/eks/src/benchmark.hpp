#pragma once

#include <string>
#include <string_view>

namespace kubecert::eks {

// The recommendations of one published benchmark version that this plugin cites.
struct BenchmarkRefs {
    std::string name;               // "eks-1.8.0"
    std::string rotate_server_cert; // "CIS Amazon EKS Benchmark v1.8.0 3.2.9"
    std::string rotate_client_cert; // "CIS Amazon EKS Benchmark v1.8.0 3.2.8"
    // True when the benchmark's own test passes with the gate absent (CIS
    // Kubernetes 1.12 4.2.11 "nothave false"); the EKS ones ask for an explicit true.
    bool absent_gate_passes = false;
};

// The benchmark the plugin cites when --benchmark is not given.
inline constexpr std::string_view k_default_benchmark = "eks-1.8.0";

// The references of benchmark `name` ("" means the default); nullptr-free:
// an unknown name gives the default's references with `known` set to false,
// so a run across plugins with another plugin's benchmark name still works.
BenchmarkRefs benchmark_refs(std::string_view name, bool& known);

} // namespace kubecert::eks
