#include "x509/issue_batch.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <optional>
#include <system_error>
#include <thread>

namespace kubecert::x509 {

std::vector<util::Result<IssuedPair>> issue_certificates(const std::vector<IssueRequest>& requests, std::int64_t now) {
    const std::size_t count = requests.size();
    std::vector<std::optional<util::Result<IssuedPair>>> slots(count);
    std::atomic<std::size_t> next{0};
    // Each worker takes the next request until none is left; every slot is
    // written by exactly one thread, and read only after all have joined.
    auto work = [&]() noexcept {
        for (std::size_t i; (i = next.fetch_add(1)) < count;) {
            const IssueRequest& r = requests[i];
            try {
                slots[i].emplace(
                    issue_certificate(r.template_cert, r.ca_cert, r.ca_key, now, r.validity_seconds, r.old_key));
            } catch (const std::exception& e) { // std::bad_alloc: a failed request, not a crash
                slots[i].emplace(util::make_error(util::ErrorCode::failed, std::string("cannot issue: ") + e.what()));
            }
        }
    };
    const std::size_t workers = std::min<std::size_t>(count, std::max(1u, std::thread::hardware_concurrency()));
    std::vector<std::thread> helpers;
    helpers.reserve(workers);
    for (std::size_t i = 1; i < workers; ++i) {
        try {
            helpers.emplace_back(work);
        } catch (const std::system_error&) {
            break; // no more threads: the ones running (and this one) do the rest
        }
    }
    work();
    for (auto& t : helpers) t.join();

    std::vector<util::Result<IssuedPair>> results;
    results.reserve(count);
    for (auto& slot : slots) results.push_back(std::move(*slot));
    return results;
}

} // namespace kubecert::x509
