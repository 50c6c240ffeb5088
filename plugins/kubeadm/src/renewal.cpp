#include "renewal.hpp"

#include <kubecert/formats/kubeconfig.hpp>
#include <kubecert/util/base64.hpp>

namespace kubecert::kubeadm {

std::vector<sdk::Issued> issue_renewals(const sdk::Host& host, const std::vector<Renewal>& renewals,
                                        std::int64_t validity_seconds) {
    std::vector<sdk::IssueRequest> requests;
    requests.reserve(renewals.size());
    for (const auto& r : renewals)
        requests.push_back({r.leaf->cert.info.pem, r.ca->cert.info.pem, r.ca->key, r.leaf->cert.key, validity_seconds});
    auto results = host.issue_certs(requests);
    std::vector<sdk::Issued> issued;
    issued.reserve(results.size());
    for (std::size_t i = 0; i < results.size(); ++i) {
        if (!results[i].ok())
            throw sdk::Error(results[i].status, "cannot renew " + renewals[i].leaf->spec.name + " (" +
                                                    renewals[i].leaf->cert.path + "): " + results[i].error);
        issued.push_back(std::move(results[i].issued));
    }
    return issued;
}

void write_renewed(const sdk::Host& host, const LeafState& leaf, const sdk::Issued& issued) {
    if (leaf.cert.embedded) {
        // Read again: an earlier step of this fix may have changed the file.
        const auto text = host.read_file(leaf.cert.path);
        if (!text) throw sdk::Error(KUBECERT_ERR_NOT_FOUND, leaf.cert.path + " disappeared during the fix");
        const auto updated = formats::replace_client_credentials(*text, leaf.cert.path, leaf.cert.user_name,
                                                                 util::base64_encode(issued.cert_pem),
                                                                 util::base64_encode(issued.key_pem));
        host.write_file(leaf.cert.path, updated, 0600);
        return;
    }
    // The key first: a certificate whose key is not there yet is worse than the reverse for a reader.
    const bool combined = leaf.cert.key_path.empty() || leaf.cert.key_path == leaf.cert.path;
    if (combined) {
        host.write_file(leaf.cert.path, issued.cert_pem + issued.key_pem, 0600, true);
        return;
    }
    host.write_file(leaf.cert.key_path, issued.key_pem, 0600, true);
    host.write_file(leaf.cert.path, issued.cert_pem, 0644);
}

void renew_leaf(const sdk::Host& host, const LeafState& leaf, const AuthorityState& ca, std::int64_t validity_seconds) {
    write_renewed(host, leaf, issue_renewals(host, {{&leaf, &ca}}, validity_seconds).front());
}

} // namespace kubecert::kubeadm
