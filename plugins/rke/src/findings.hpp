#pragma once

#include "check_ids.hpp"
#include "facts.hpp"

#include <kubecert/sdk.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kubecert::rke {

// The evaluation instant and warning window of a run.
struct Clock {
    std::int64_t now = 0;
    std::int64_t warn_within = 0;
};

// Which fixes the facts allow. The audit marks findings fixable from this, and fix() acts on
// the same plan, so what is offered is exactly what is done.
struct FixPlan {
    bool edit_config = false; // cluster.yml lacks generate_serving_certificate: true and can be edited
    bool regenerate = false;  // the kubelet's own certificate is expiring: delete it and restart the kubelet
    bool restart = false;     // the port serves another certificate than the file: restart the kubelet
};

// True when the serving certificate (on disk, else the served one) is the kubelet's own
// "<host>-ca@<timestamp>" certificate, which neither RKE nor the kubelet ever renews.
bool is_legacy(const Facts& facts);

// The fixes available for these facts (see FixPlan).
FixPlan plan_fixes(const Facts& facts, const Clock& clock);

// The four findings (the served one only when it was probed), citing `profile` (--benchmark).
std::vector<sdk::Finding> build_findings(const Facts& facts, const std::string& profile, const Clock& clock);

// The serving certificate on disk for the report's certificate table, when there is one.
std::optional<sdk::Certificate> serving_certificate(const Facts& facts);

} // namespace kubecert::rke
