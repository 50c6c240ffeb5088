// A plugin whose get_plugin() throws a C++ exception through the C ABI: the loader refuses this
// file with a message naming it, and loads the others (tests/e2e/test_core_loader.cpp).
#include <stdexcept>

#include <kubecert/plugin.h>

namespace {

const kubecert_plugin_t* throwing_get_plugin(const kubecert_version_t*) {
    throw std::runtime_error("get_plugin failed on purpose");
}

} // namespace

extern "C" KUBECERT_EXPORT const kubecert_plugin_entry_t kubecert_plugin_entry = {
    {KUBECERT_ABI_MAJOR, KUBECERT_ABI_MINOR, KUBECERT_ABI_PATCH},
    sizeof(kubecert_plugin_entry_t),
    throwing_get_plugin,
};
