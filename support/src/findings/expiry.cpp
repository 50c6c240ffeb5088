#include <kubecert/findings/expiry.hpp>
#include <kubecert/util/time.hpp>

namespace kubecert::findings {

sdk::Status expiry_status(std::int64_t not_before, std::int64_t not_after, std::int64_t now, std::int64_t warn_within) {
    if (not_after <= now) return sdk::Status::fail;
    if (now < not_before) return sdk::Status::fail;
    if (not_after - now <= warn_within) return sdk::Status::warn;
    return sdk::Status::pass;
}

std::vector<sdk::Evidence> expiry_evidence(const std::string& path, const sdk::CertInfo& cert, std::int64_t now,
                                           std::int64_t warn_within) {
    const std::string expected = "more than " + util::format_duration(warn_within);
    std::string residual;
    if (cert.not_after <= now)
        residual = "expired " + util::format_duration(now - cert.not_after) + " ago";
    else if (now < cert.not_before)
        residual = "not valid for " + util::format_duration(cert.not_before - now) + " yet";
    else
        residual = "expires in " + util::format_duration(cert.not_after - now);
    std::vector<sdk::Evidence> rows{
        {path, "subject", cert.subject, ""},
        {path, "issuer", cert.issuer, ""},
        {path, "not_after", util::format_rfc3339(cert.not_after), ""},
    };
    // The start date only matters when it is what makes the certificate fail.
    if (now < cert.not_before)
        rows.push_back(
            {path, "not_before", util::format_rfc3339(cert.not_before), "before " + util::format_rfc3339(now)});
    rows.push_back({path, "residual", residual, expected});
    return rows;
}

std::string expiry_result(const sdk::CertInfo& cert, std::int64_t now) {
    if (cert.not_after <= now)
        return "expired " + util::format_residual(now - cert.not_after) + " ago (" +
               util::format_short_date(cert.not_after) + ")";
    if (now < cert.not_before) return "not valid until " + util::format_short_date(cert.not_before);
    return "expires in " + util::format_residual(cert.not_after - now) + " (" +
           util::format_short_date(cert.not_after) + ")";
}

} // namespace kubecert::findings
