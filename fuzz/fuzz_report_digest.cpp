// What `kubecert report merge` reads from every node: JSON reports, one or
// several after one another, from files nobody vouches for (fleet/report_digest.hpp).
#include <sstream>

#include "fleet/report_digest.hpp"

#include "fuzz_input.hpp"

namespace {

// The invariants the fleet writers rely on: a digest stays bounded and its
// soonest() is one of its certificates; a failure is a parse error naming the source.
void check(const kubecert::util::Result<kubecert::fleet::NodeDigest>& r) {
    if (!r.ok()) {
        if (r.error().code != kubecert::util::ErrorCode::parse) __builtin_trap();
        if (r.error().message.find("fuzz-input") == std::string::npos) __builtin_trap();
        return;
    }
    if (r->failing.size() > kubecert::fleet::NodeDigest::k_max_failing_ids) __builtin_trap();
    if (r->failing_total < static_cast<int>(r->failing.size())) __builtin_trap();
    for (int c : r->counts)
        if (c < 0) __builtin_trap();
    if (const auto* s = r->soonest()) {
        for (const auto& c : r->certificates)
            if (c.not_after < s->not_after) __builtin_trap();
    } else if (!r->certificates.empty()) {
        __builtin_trap();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = kubecert::fuzz::as_text(data, size);
    check(kubecert::fleet::digest_report(text, "fuzz-input"));
    std::istringstream in{std::string(text)};
    kubecert::fleet::digest_stream(in, "fuzz-input",
                                   [](kubecert::util::Result<kubecert::fleet::NodeDigest> r) { check(r); });
    return 0;
}
