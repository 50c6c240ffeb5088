#include "renewal.hpp"

#include <kubecert/formats/kubeconfig.hpp>
#include <kubecert/util/base64.hpp>

namespace kubecert::kubeadm {

void renew_leaf(const sdk::Host& host, const LeafState& leaf, const AuthorityState& ca, std::int64_t validity_seconds) {
    const auto issued = host.issue_cert(leaf.cert.info.pem, ca.cert.info.pem, ca.key, validity_seconds);
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

} // namespace kubecert::kubeadm
