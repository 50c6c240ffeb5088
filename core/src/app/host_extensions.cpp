#include "app/host_extensions.hpp"

#include "app/host_extension_calls.hpp"
#include "app/run_extension_calls.hpp"

#include <iterator>

namespace kubecert::app {

namespace {

constexpr kubecert_ext_host_info_v1_t k_host_info_v1{sizeof(kubecert_ext_host_info_v1_t),
                                                     KUBECERT_VERSION,
                                                     {KUBECERT_ABI_MAJOR, KUBECERT_ABI_MINOR, KUBECERT_ABI_PATCH}};

constexpr kubecert_https_v1_t k_https_v1{sizeof(kubecert_https_v1_t), ext_https_request};
constexpr kubecert_csr_v1_t k_csr_v1{sizeof(kubecert_csr_v1_t), ext_csr_parse};
constexpr kubecert_run_v1_t k_run_v1{sizeof(kubecert_run_v1_t), ext_fixed_in_this_run};

struct Extension {
    std::string_view name;
    const void* value;
};

// Every extension this host offers. A new service is one row here and its
// struct in plugin.h; an incompatible change is a new name (".v2") beside the old.
constexpr Extension k_extensions[] = {
    {KUBECERT_EXT_HOST_INFO_V1, &k_host_info_v1},
    {KUBECERT_EXT_HTTPS_V1, &k_https_v1},
    {KUBECERT_EXT_CSR_V1, &k_csr_v1},
    {KUBECERT_EXT_RUN_V1, &k_run_v1},
};

} // namespace

const void* find_host_extension(std::string_view name) {
    for (const auto& e : k_extensions)
        if (e.name == name) return e.value;
    return nullptr;
}

const void* get_host_extension(const kubecert_host_t*, const char* name) noexcept {
    return name ? find_host_extension(name) : nullptr;
}

} // namespace kubecert::app
