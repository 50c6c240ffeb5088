#pragma once

#include <cstdint>
#include <string>

#include <kubecert/sdk.hpp>

namespace kubecert::findings {

// The one expiry rule of every plugin: FAIL when not_after <= now (expired),
// FAIL when now < not_before (not yet valid), WARN when not_after - now <=
// warn_within, else PASS.
sdk::Status expiry_status(std::int64_t not_before, std::int64_t not_after, std::int64_t now, std::int64_t warn_within);

// The standard evidence rows of a certificate: path, subject, issuer,
// not_after (RFC 3339), residual time ("expired 3d ago" / "29d 4h"), and the
// expected residual ("more than 30d").
std::vector<sdk::Evidence> expiry_evidence(const std::string& path, const sdk::CertInfo& cert, std::int64_t now,
                                           std::int64_t warn_within);

// The one-line result of an expiry check: "expires in 14d (Dec 15, 2026
// 04:11 UTC)", "expired 3d ago (Nov 28, 2026 10:00 UTC)" or "not valid until
// Dec 03, 2026 10:00 UTC".
std::string expiry_result(const sdk::CertInfo& cert, std::int64_t now);

} // namespace kubecert::findings
