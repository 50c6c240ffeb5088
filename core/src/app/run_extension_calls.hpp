// The C function of kubecert.run.v1 (what this run has done, as the host
// knows it): finds the adapter behind the host pointer and asks HostServices,
// guarded like every callback of the host table.
#pragma once

#include <kubecert/plugin.h>

namespace kubecert::app {

// kubecert_run_v1_t.fixed_in_this_run: 1 or 0; 0 for a NULL id or a host pointer that is not ours.
int32_t ext_fixed_in_this_run(const kubecert_host_t* host, const char* finding_id) noexcept;

} // namespace kubecert::app
