#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "util/result.hpp"
#include "x509/certificate.hpp"

// Issuing several certificates at once, their keys generated concurrently.
namespace kubecert::x509 {

// One issue_certificate() call. The views must outlive issue_certificates().
struct IssueRequest {
    std::string_view template_cert;
    std::string_view ca_cert;
    std::string_view ca_key;
    std::string_view old_key; // "" when unknown
    std::int64_t validity_seconds = 0;
};

// issue_certificate() for every request, results in request order. Key
// generation dominates a renewal, so requests run on up to
// std::thread::hardware_concurrency() threads (the caller's included), one
// issuance per thread at a time; when no thread can be started they run one
// after another on the caller's.
std::vector<util::Result<IssuedPair>> issue_certificates(const std::vector<IssueRequest>& requests, std::int64_t now);

} // namespace kubecert::x509
