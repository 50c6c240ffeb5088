#include "benchmark.hpp"

#include <array>

namespace kubecert::eks {

namespace {

struct Row {
    std::string_view name;
    std::string_view title;
    std::string_view server;
    std::string_view client;
    bool absent_passes;
};

// Numbers checked against kube-bench cfg/<name>/node.yaml of each version.
constexpr std::array<Row, 7> k_rows{{
    {"eks-1.0.1", "CIS Amazon EKS Benchmark v1.0.1", "3.2.11", "3.2.10", false},
    {"eks-1.1.0", "CIS Amazon EKS Benchmark v1.1.0", "3.2.11", "3.2.10", false},
    {"eks-1.2.0", "CIS Amazon EKS Benchmark v1.2.0", "3.2.11", "3.2.10", false},
    {"eks-1.5.0", "CIS Amazon EKS Benchmark v1.5.0", "3.2.9", "3.2.8", false},
    {"eks-1.7.0", "CIS Amazon EKS Benchmark v1.7.0", "3.2.9", "3.2.8", false},
    {"eks-1.8.0", "CIS Amazon EKS Benchmark v1.8.0", "3.2.9", "3.2.8", false},
    {"cis-1.12", "CIS Kubernetes Benchmark v1.12", "4.2.11", "4.2.10", true},
}};

BenchmarkRefs to_refs(const Row& r) {
    std::string title(r.title);
    return {std::string(r.name), title + " " + std::string(r.server), title + " " + std::string(r.client),
            r.absent_passes};
}

} // namespace

BenchmarkRefs benchmark_refs(std::string_view name, bool& known) {
    std::string_view wanted = name.empty() ? k_default_benchmark : name;
    for (const auto& r : k_rows)
        if (r.name == wanted) {
            known = true;
            return to_refs(r);
        }
    known = false;
    for (const auto& r : k_rows)
        if (r.name == k_default_benchmark) return to_refs(r);
    return {};
}

} // namespace kubecert::eks
