// kubecert.run.v1 behind the C ABI: the answer comes from the phase of the
// call (PhaseContext::fixed(), filled by the orchestrator for the audit after
// a fix), never from state kept between calls.
#include "app/run_extension_calls.hpp"

#include "app/abi_guard.hpp"

namespace kubecert::app {

int32_t ext_fixed_in_this_run(const kubecert_host_t* host, const char* finding_id) noexcept {
    return abi::guarded_value<int32_t>(host, "fixed_in_this_run", 0, [&](HostAbiAdapter& a) -> int32_t {
        return finding_id && a.services().fixed_in_this_run(finding_id) ? 1 : 0;
    });
}

} // namespace kubecert::app
