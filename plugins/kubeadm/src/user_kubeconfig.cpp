#include "user_kubeconfig.hpp"

#include "check_ids.hpp"

#include <kubecert/formats/kubeconfig.hpp>
#include <kubecert/formats/parse_error.hpp>
#include <kubecert/util/time.hpp>

namespace kubecert::kubeadm {

std::vector<std::string> user_kubeconfig_paths(const sdk::Host& host) {
    std::vector<std::string> paths = {"/root/.kube/config"};
    if (auto home = host.user_home()) {
        std::string p = *home;
        while (p.size() > 1 && p.back() == '/') p.pop_back();
        p += "/.kube/config";
        if (p != paths.front()) paths.push_back(p);
    }
    return paths;
}

std::optional<UserKubeconfigCopy> inspect_user_kubeconfig(const sdk::Host& host, const std::string& path,
                                                          const LoadedCert& admin, const LoadedCert& super_admin) {
    auto text = host.read_file(path);
    if (!text) return std::nullopt;
    UserKubeconfigCopy c;
    c.path = path;
    c.text = *text;
    const auto config = formats::parse_kubeconfig(*text, path);
    const auto user = config.current_user();
    if (!user || user->client_certificate_data.empty()) {
        c.description = "does not embed a client certificate (not a copy of admin.conf)";
        return c;
    }
    c.user_name = user->name;
    const auto cert = host.parse_cert(user->client_certificate_data, path + " (client-certificate-data)");
    // A copy is recognised by identity (same subject and CA), so a personal user's kubeconfig is never touched.
    for (const LoadedCert* source : {&admin, &super_admin}) {
        if (source->state != LoadState::loaded) continue;
        if (source->info.subject != cert.subject || source->info.issuer != cert.issuer) continue;
        c.source_name = source == &admin ? "admin.conf" : "super-admin.conf";
        c.stale = source->info.sha256_fingerprint != cert.sha256_fingerprint;
        c.description = c.stale ? "an older copy of " + c.source_name + " (its certificate ends " +
                                      util::format_rfc3339(cert.not_after) + ", " + c.source_name + "'s ends " +
                                      util::format_rfc3339(source->info.not_after) + ")"
                                : "same client certificate as " + c.source_name;
        return c;
    }
    c.description = "not a copy of admin.conf (client certificate " + cert.subject + ")";
    return c;
}

UserKubeconfigs read_user_kubeconfigs(const sdk::Host& host, const LoadedCert& admin, const LoadedCert& super_admin) {
    UserKubeconfigs users;
    users.admin_path = admin.path;
    users.admin_readable = admin.state == LoadState::loaded;
    for (const auto& path : user_kubeconfig_paths(host)) {
        UserKubeconfigRead r;
        r.path = path;
        try {
            r.copy = inspect_user_kubeconfig(host, path, admin, super_admin);
        } catch (const formats::ParseError& e) {
            r.parse_error = e.what();
        } catch (const sdk::Error& e) {
            r.read_error = e.what();
        }
        if (r.copy || !r.parse_error.empty() || !r.read_error.empty()) users.files.push_back(std::move(r));
    }
    return users;
}

namespace {

// Adds one kubeconfig's row to `f`, worsening its status for a stale copy or an unreadable file.
void judge_user_kubeconfig(sdk::Finding& f, const UserKubeconfigRead& r) {
    if (!r.parse_error.empty()) {
        f.status = sdk::Status::error;
        f.fixable = false;
        f.result = r.parse_error;
        f.evidence.push_back({r.path, "parse", r.parse_error, "a well-formed kubeconfig"});
        return;
    }
    if (!r.read_error.empty()) {
        f.status = sdk::Status::error;
        f.fixable = false;
        f.result = r.path + ": " + r.read_error;
        f.evidence.push_back({r.path, "read", r.read_error, "a readable kubeconfig"});
        return;
    }
    const auto& c = *r.copy;
    f.evidence.push_back(
        {r.path, "client certificate", c.description, c.source_name.empty() ? "" : "same as " + c.source_name});
    if (f.result.empty() || c.stale) f.result = r.path + ": " + c.description;
    if (c.stale && f.status != sdk::Status::error) {
        f.status = sdk::Status::fail;
        f.fixable = true;
    }
}

} // namespace

sdk::Finding audit_user_kubeconfigs(const UserKubeconfigs& users) {
    sdk::Finding f;
    f.id = k_user_kubeconfig_current;
    f.title = "Users' kubeconfig copies of admin.conf embed its current client certificate";
    if (!users.admin_readable) {
        f.status = sdk::Status::info;
        f.result = "no readable admin.conf to compare with";
        f.evidence.push_back({users.admin_path, "present", "no readable admin.conf to compare with", ""});
        return f;
    }
    for (const auto& r : users.files) judge_user_kubeconfig(f, r);
    if (users.files.empty()) {
        f.status = sdk::Status::info;
        f.result = "no user kubeconfig on this node";
        f.evidence.push_back({"/root/.kube/config", "present", "no user kubeconfig on this node", ""});
    }
    if (f.status == sdk::Status::fail)
        f.remediation = "Copy the current credentials of admin.conf into the stale kubeconfig "
                        "(`kubecert --flavor kubeadm fix`, or `cp /etc/kubernetes/admin.conf ~/.kube/config`).";
    else if (f.status == sdk::Status::error)
        f.remediation = "Repair the kubeconfig named above.";
    return f;
}

std::vector<std::string> refresh_user_kubeconfigs(const sdk::Host& host, const std::string& kubeconfig_dir) {
    const auto admin = load_kubeconfig_cert(host, kubeconfig_dir + "/admin.conf");
    const auto super_admin = load_kubeconfig_cert(host, kubeconfig_dir + "/super-admin.conf");
    if (admin.state == LoadState::error) throw sdk::Error(KUBECERT_ERR_PARSE, admin.error);
    std::vector<std::string> changed;
    for (const auto& path : user_kubeconfig_paths(host)) {
        auto c = inspect_user_kubeconfig(host, path, admin, super_admin);
        if (!c || !c->stale) continue;
        const auto& source = c->source_name == "admin.conf" ? admin : super_admin;
        if (!source.embedded) continue;
        host.begin_action(k_user_kubeconfig_current);
        host.write_file(path, formats::replace_client_credentials(c->text, path, c->user_name, source.cert_base64,
                                                                  source.key_base64));
        changed.push_back(path);
    }
    return changed;
}

} // namespace kubecert::kubeadm
