#pragma once

#include <cstddef>
#include <vector>

#include <kubecert/plugin.h>

#include "report/model.hpp"
#include "util/result.hpp"

namespace kubecert::app {

// Arrays of records that cross the ABI, read and written by plugin.h's
// versioning rules: an array is read with its writer's stride, and the
// frozen ABI 1.0 records beside their ABI 1.4 successors.

// The evidence of a finding: its ABI 1.4 evidence_items (read with the
// stride of the first item's struct_size) when struct_size covers them and
// they are given, else the ABI 1.0 `evidence` array. Error: items too small.
util::Result<std::vector<report::Evidence>> read_evidence(const kubecert_finding_t& finding);

// The ABI 1.4 records (with struct_size) of processes found as ABI 1.0
// records; the strings stay those of `processes`.
std::vector<kubecert_process_info_t> process_infos(const kubecert_process_t* processes, size_t count);

} // namespace kubecert::app
