#include "findings.hpp"

#include <algorithm>

#include <kubecert/findings/expiry.hpp>
#include <kubecert/formats/parse_error.hpp>

namespace kubecert::eks {

namespace {

using sdk::Status;

// Status order for combining: ERROR > FAIL > WARN > PASS > INFO.
int severity(Status s) {
    switch (s) {
    case Status::error: return 4;
    case Status::fail: return 3;
    case Status::warn: return 2;
    case Status::pass: return 1;
    case Status::info: return 0;
    }
    return 0;
}

std::string show(const std::optional<bool>& v, const char* unset) {
    if (!v) return unset;
    return *v ? "true" : "false";
}

void worsen(sdk::Finding& f, Status s) {
    if (severity(s) > severity(f.status)) f.status = s;
}

void add_remediation(sdk::Finding& f, const std::string& text) {
    if (!f.remediation.empty()) f.remediation += "\n";
    f.remediation += text;
}

void append(std::vector<sdk::Evidence>& to, const std::vector<sdk::Evidence>& from) {
    to.insert(to.end(), from.begin(), from.end());
}

// Where the bogus flag appears: the running process and the unit (what the next start uses).
std::vector<std::pair<std::string, std::string>> bogus_flags(const KubeletSources& s) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const CommandLine* cmd : {s.process ? &*s.process : nullptr, s.unit ? &*s.unit : nullptr}) {
        if (!cmd) continue;
        for (const auto& h : find_flags(*cmd, k_bogus_flag))
            out.push_back({cmd->describe(cmd->args[h.index]), cmd->args[h.index].text});
    }
    return out;
}

// Where a setting is changed on this node: the config file, or (a flags-only node, as the June
// 2018 AMI) the kubelet's command line, since there is no config file to edit.
std::string where_to_set(const KubeletSources& s, const std::string& config_key, const std::string& flag) {
    if (s.config) return config_key + " in the kubelet config file " + s.config->path;
    return flag + " on the kubelet's command line (" + (s.unit ? s.unit->source : std::string("kubelet.service")) +
           "): this node's kubelet reads no config file";
}

} // namespace

namespace {

// "serverTLSBootstrap=false in /etc/kubernetes/kubelet/kubelet-config.json", or `unset` when no source sets it.
std::string setting_result(const Setting& st, const std::string& unset) {
    const Layer* w = st.winner();
    if (!w) return unset;
    return w->key + "=" + value_text(w->value) + " in " + w->source;
}

// Decides from the kubelet's kubeconfig whether client certificate rotation applies; false (with
// `f` complete) when it does not or cannot be told, true when the kubelet uses a client certificate.
bool judge_client_authentication(sdk::Finding& f, const KubeconfigFacts& kubeconfig, const Setting& rc) {
    const auto not_judged = [&](const std::string& why) {
        f.status = rc.effective_bool() == false ? Status::fail : Status::info;
        f.remediation = rc.effective_bool() == false
                            ? "Client certificate rotation is disabled (" + rc.winner()->source +
                                  "): set rotateCertificates to true, then restart the kubelet."
                            : why;
        return false;
    };
    if (kubeconfig.exists) {
        const auto& user = kubeconfig.user;
        if (user && !user->exec_command.empty()) {
            std::string cmdline = user->exec_command;
            for (const auto& a : user->exec_args) cmdline += " " + a;
            f.evidence.push_back({kubeconfig.path, "users[].user.exec", cmdline, ""});
            f.status = Status::info;
            f.result = "the kubelet authenticates with " + user->exec_command + ", not a client certificate";
            f.remediation = "The kubelet authenticates with an exec credential plugin (" + user->exec_command +
                            "), as EKS nodes do, not with a client certificate: client certificate rotation "
                            "does not apply.";
            return false;
        }
        const bool cert = user && (!user->client_certificate.empty() || !user->client_certificate_data.empty());
        if (!cert) {
            f.evidence.push_back({kubeconfig.path, "users[].user", "no client certificate nor exec plugin", ""});
            return not_judged("The kubelet's kubeconfig names no client certificate: client certificate "
                              "rotation is not judged.");
        }
        f.evidence.push_back({kubeconfig.path, "users[].user", "client certificate", ""});
        return true;
    }
    // No kubeconfig yet: with --bootstrap-kubeconfig the kubelet will get a client
    // certificate through TLS bootstrap; without it there is nothing to judge by.
    f.evidence.push_back({kubeconfig.path, "kubeconfig", "does not exist", ""});
    if (!kubeconfig.bootstrap)
        return not_judged("The kubelet has no kubeconfig and no --bootstrap-kubeconfig: how it "
                          "authenticates cannot be told, so client certificate rotation is not judged.");
    f.evidence.push_back({kubeconfig.bootstrap_source, "--bootstrap-kubeconfig", *kubeconfig.bootstrap,
                          "TLS bootstrap: the kubelet will authenticate with a client certificate"});
    return true;
}

// What to do about the kubelet's certificates in `status`; `static_cert` is the serving
// certificate the kubelet was given (--tls-cert-file / tlsCertFile), "" when it makes its own.
std::string expiry_remedy(Status status, const std::string& static_cert) {
    // A static --tls-cert-file / tlsCertFile is renewed where it was issued, never through a CSR.
    if (!static_cert.empty() && (status == Status::fail || status == Status::warn)) {
        return std::string(status == Status::fail ? "The kubelet's serving certificate is expired or not "
                                                    "yet valid"
                                                  : "The kubelet's serving certificate expires inside "
                                                    "the warning window") +
               ": it is the static " + static_cert +
               " (tlsCertFile), which the kubelet neither requests nor renews. Issue a new one from the "
               "CA that signed it (issuer: see the evidence), install it in place of the file (on "
               "Bottlerocket: apiclient set settings.kubernetes.server-certificate and server-key) and "
               "restart the kubelet. Approving CSRs does not help here.";
    }
    switch (status) {
    case Status::fail:
        return "A kubelet certificate is expired or not yet valid. With serverTLSBootstrap and "
               "certificate rotation on, the kubelet renews it: check eks.server-tls-bootstrap, pending "
               "CSRs (kubectl get csr) and the kubelet's log; a static --tls-cert-file must be replaced "
               "by whoever manages it.";
    case Status::warn:
        return "A kubelet certificate expires inside the warning window: make sure rotation works "
               "(pending CSRs: kubectl get csr) before it does.";
    case Status::error: return "A kubelet certificate file could not be read as a certificate.";
    default: return "Nothing to do.";
    }
}

} // namespace

namespace {

// The verdict on the RotateKubeletServerCertificate gate: off (on the command line or in a
// file), not set (the benchmark may want it explicit), or on with a false hidden below the winner.
void judge_server_cert_gate(sdk::Finding& f, const Setting& gate, const KubeletSources& s, const BenchmarkRefs& refs) {
    const auto eff = gate.effective_bool();
    if (eff == false && gate.winner()->rank == Rank::flag_feature_gates) {
        worsen(f, Status::fail);
        add_remediation(f, "RotateKubeletServerCertificate is off: --feature-gates on " + gate.winner()->source +
                               " sets it to false, and the kubelet's command-line feature gates win over the config "
                               "file. Remove RotateKubeletServerCertificate=false from --feature-gates (and keep "
                               "featureGates.RotateKubeletServerCertificate: true in the config file), then "
                               "systemctl daemon-reload && systemctl restart kubelet.");
    } else if (eff == false) {
        worsen(f, Status::fail);
        add_remediation(f, "RotateKubeletServerCertificate is off (" + gate.winner()->source +
                               "): set featureGates.RotateKubeletServerCertificate to true there, then "
                               "systemctl daemon-reload && systemctl restart kubelet.");
    } else if (!eff) {
        if (refs.absent_gate_passes) {
            f.evidence.push_back({refs.name, "test", "passes when the gate is not set to false", ""});
        } else {
            worsen(f, Status::warn);
            add_remediation(f, "No source sets RotateKubeletServerCertificate. The gate is on by default since "
                               "Kubernetes 1.12, but " +
                                   refs.rotate_server_cert + " asks for it to be set to true explicitly: set " +
                                   where_to_set(s, "\"featureGates\": {\"RotateKubeletServerCertificate\": true}",
                                                "--feature-gates=RotateKubeletServerCertificate=true") +
                                   ".");
        }
    } else {
        // On today: a false that a higher source hides comes back when that source changes.
        for (const auto& l : gate.layers)
            if (l.value == false && &l != gate.winner()) {
                worsen(f, Status::warn);
                add_remediation(f, l.source + " sets RotateKubeletServerCertificate to false; " +
                                       gate.winner()->source +
                                       " turns it on today, but set it to true (or remove it) so that no source "
                                       "disables the gate.");
            }
    }
}

} // namespace

sdk::Finding error_finding(const std::string& id, const ReadError& error) {
    sdk::Finding f;
    f.id = id;
    f.title = check_title(id);
    f.status = Status::error;
    f.result = "could not evaluate: " + error.message;
    f.evidence.push_back({error.source, "error", error.message, ""});
    f.remediation = "Could not evaluate: " + error.message;
    return f;
}

sdk::Finding check_rotate_server_cert(const KubeletSources& s, const BenchmarkRefs& refs) {
    sdk::Finding f;
    f.id = k_rotate_server_cert;
    f.title = check_title(f.id);
    f.benchmark = refs.rotate_server_cert;
    f.status = Status::pass;
    f.evidence = kubelet::source_evidence(s);
    const Setting gate = resolve_feature_gate(s, k_gate);
    append(f.evidence, gate.evidence("true", "on by default (beta since Kubernetes 1.12)"));
    f.result = setting_result(gate, std::string(k_gate) + " not set (on by default)");

    for (const auto& [where, word] : bogus_flags(s)) {
        worsen(f, Status::fail);
        f.evidence.push_back({where, "--" + std::string(k_bogus_flag), word, "absent (not a kubelet flag)"});
        f.result = "--" + std::string(k_bogus_flag) + " (not a kubelet flag) in " + where;
    }
    if (f.status == Status::fail)
        add_remediation(f, "--rotate-kubelet-server-certificate is not a kubelet flag: a kubelet given it refuses "
                           "to start (\"unknown flag: --rotate-kubelet-server-certificate\"). Remove it; the setting "
                           "is featureGates.RotateKubeletServerCertificate in the config file.");

    judge_server_cert_gate(f, gate, s, refs);
    if (f.status == Status::pass && f.remediation.empty())
        f.remediation = "Nothing to do. serverTLSBootstrap (eks.server-tls-bootstrap) is what makes the kubelet "
                        "request its serving certificate.";
    return f;
}

sdk::Finding check_server_tls_bootstrap(const KubeletSources& s) {
    sdk::Finding f;
    f.id = k_server_tls_bootstrap;
    f.title = check_title(f.id);
    f.evidence = kubelet::source_evidence(s);
    const Setting stb = resolve_field(s, {"serverTLSBootstrap"}, "rotate-server-certificates");
    const Setting tls = resolve_field(s, {"tlsCertFile"}, "tls-cert-file");
    append(f.evidence, stb.evidence("true", "false (kubelet default)"));
    f.result = setting_result(stb, "serverTLSBootstrap not set (false)");
    if (stb.effective_bool() == true) {
        f.status = Status::pass;
        f.remediation =
            "The kubelet requests its serving certificate as a CertificateSigningRequest (signer "
            "kubernetes.io/kubelet-serving) and renews it before expiry. EKS does not approve kubelet-serving "
            "CSRs automatically: approve them (kubectl get csr; kubectl certificate approve NAME) or run an "
            "approver, or kubectl logs/exec to this node fail once the certificate is needed.";
        if (resolve_feature_gate(s, k_gate).effective_bool() == false)
            f.remediation += " The RotateKubeletServerCertificate gate is off, though: see eks.rotate-server-cert.";
        return f;
    }
    if (!tls.effective_text().empty()) {
        append(f.evidence, tls.evidence("", "none"));
        f.status = Status::info;
        f.result = "the kubelet serves " + tls.effective_text() + ", managed outside the kubelet";
        f.remediation = "The kubelet serves " + tls.effective_text() +
                        ", a static certificate issued outside the cluster (for example from the site's own CA, as "
                        "Bottlerocket's settings.kubernetes.server-certificate installs it): the kubelet does not "
                        "request or rotate it, so serverTLSBootstrap and CSR approval do not apply. Its expiry is "
                        "what matters: see eks.serving-cert-expiry, and renew it where it is issued.";
        return f;
    }
    f.status = Status::fail;
    if (const Layer* w = stb.winner(); w && w->rank == Rank::flag)
        f.remediation = w->key + "=" + value_text(w->value) + " on " + w->source +
                        " overrides the config file (command-line flags win): set it to true or remove it. ";
    f.remediation += "serverTLSBootstrap is off, so the kubelet serves a self-signed certificate it never rotates. "
                     "Set " +
                     where_to_set(s, "\"serverTLSBootstrap\": true", "--rotate-server-certificates=true") +
                     " (and no --rotate-server-certificates=false), restart the kubelet, and approve its serving "
                     "CSRs (EKS does not auto-approve them).";
    return f;
}

sdk::Finding check_rotate_client_cert(const KubeletSources& s, const KubeconfigFacts& kubeconfig,
                                      const BenchmarkRefs& refs) {
    sdk::Finding f;
    f.id = k_rotate_client_cert;
    f.title = check_title(f.id);
    f.benchmark = refs.rotate_client_cert;
    f.evidence = kubelet::source_evidence(s);
    const Setting rc = resolve_field(s, {"rotateCertificates"}, "rotate-certificates");
    append(f.evidence, rc.evidence("true", "not set: false (kubelet default)"));
    f.result = setting_result(rc, "rotateCertificates not set (off: the kubelet's default)");
    if (!judge_client_authentication(f, kubeconfig, rc)) return f;
    // A kubelet that authenticates with a client certificate renews it only with rotation on, and
    // rotateCertificates defaults to false: unset is a certificate that expires (EKS local
    // clusters on Outposts bootstrap one).
    if (rc.effective_bool() == true) {
        f.status = Status::pass;
    } else if (rc.effective_bool() == false) {
        f.status = Status::fail;
        f.remediation = "Client certificate rotation is disabled (" + rc.winner()->source +
                        "): set rotateCertificates to true in the kubelet config file or remove "
                        "--rotate-certificates=false, then restart the kubelet.";
    } else {
        f.status = Status::fail;
        f.remediation = "The kubelet authenticates with a client certificate and no source sets rotateCertificates "
                        "(the kubelet's default is false): the certificate is never renewed and the node drops out "
                        "of the cluster when it expires. Set " +
                        where_to_set(s, "rotateCertificates: true", "--rotate-certificates=true") +
                        ", and restart the kubelet.";
    }
    return f;
}

sdk::Finding check_serving_cert_expiry(const CertFacts& certs, const Clock& clock) {
    sdk::Finding f;
    f.id = k_serving_cert_expiry;
    f.title = check_title(f.id);
    f.status = Status::info;
    std::vector<std::pair<Status, std::string>> results; // per certificate, for the one-line result
    for (const auto& file : certs.files) {
        if (!file.cert) {
            worsen(f, Status::error);
            results.push_back({Status::error, "cannot read " + file.path + ": " + file.error});
            f.evidence.push_back({file.path, "certificate", file.error, ""});
            continue;
        }
        const auto& cert = *file.cert;
        const auto status = findings::expiry_status(cert.not_before, cert.not_after, clock.now, clock.warn_within);
        results.push_back({status, file.name + " " + findings::expiry_result(cert, clock.now)});
        worsen(f, status);
        append(f.evidence, findings::expiry_evidence(file.path, cert, clock.now, clock.warn_within));
    }
    if (certs.files.empty()) {
        f.evidence.push_back(
            {certs.cert_dir, "certificates",
             "none of " + certs.server_paths.front() + ", " + certs.cert_dir + "/kubelet-client-current.pem exists",
             ""});
        f.remediation = "No kubelet certificate on disk: nothing to check.";
        f.result = "no kubelet certificate on disk";
        return f;
    }
    // The certificate that decides the status speaks first; the other follows.
    std::stable_partition(results.begin(), results.end(), [&](const auto& r) { return r.first == f.status; });
    for (const auto& r : results) f.result += (f.result.empty() ? "" : "; ") + r.second;
    f.remediation = expiry_remedy(f.status, certs.static_cert);
    return f;
}

bool configz_differs(const ConfigzFacts& live, const KubeletSources* files) {
    if (live.state != ConfigzFacts::State::answered || !files) return false;
    const auto file_gate = resolve_feature_gate(*files, k_gate).effective_bool();
    const auto file_stb = resolve_field(*files, {"serverTLSBootstrap"}, "rotate-server-certificates").effective_bool();
    return file_gate.value_or(true) != live.rotate_server_cert_gate.value_or(true) ||
           file_stb.value_or(false) != live.server_tls_bootstrap.value_or(false);
}

sdk::Finding check_configz(const ConfigzFacts& live, const KubeletSources* files) {
    sdk::Finding f;
    f.id = k_configz;
    f.title = check_title(f.id);
    if (live.state == ConfigzFacts::State::not_asked) {
        f.status = Status::info;
        f.remediation = "Not checked. To compare the live kubelet configuration, run `kubectl proxy "
                        "--port=8001` and pass --eks-api-proxy http://127.0.0.1:8001 (and "
                        "--eks-node-name NODE when the node's name is not its host name).";
        f.result = "not checked: no --eks-api-proxy given";
        return f;
    }
    if (live.state == ConfigzFacts::State::problem) {
        f.status = Status::error;
        f.remediation = live.remedy;
        f.evidence.push_back(live.problem);
        return f;
    }
    const std::string gate_key = std::string("featureGates.") + k_gate;
    f.status = Status::pass;
    f.evidence.push_back({live.url, gate_key, show(live.rotate_server_cert_gate, "not set (on by default)"), "true"});
    f.evidence.push_back({live.url, "serverTLSBootstrap", show(live.server_tls_bootstrap, "not set (false)"), "true"});
    if (files) {
        const auto file_gate = resolve_feature_gate(*files, k_gate).effective_bool();
        const auto file_stb =
            resolve_field(*files, {"serverTLSBootstrap"}, "rotate-server-certificates").effective_bool();
        f.evidence.push_back({"node files", gate_key, show(file_gate, "not set (on by default)"), ""});
        f.evidence.push_back({"node files", "serverTLSBootstrap", show(file_stb, "not set (false)"), ""});
    }
    const bool differs = configz_differs(live, files);
    if (live.rotate_server_cert_gate.value_or(true) && live.server_tls_bootstrap.value_or(false)) {
        f.remediation = "The running kubelet requests and rotates its serving certificate.";
        if (!differs) return f;
    }
    f.status = Status::fail;
    if (differs)
        f.remediation = "The running kubelet's configuration differs from its files: it was not restarted after an "
                        "edit. Run systemctl daemon-reload && systemctl restart kubelet.";
    else
        f.remediation = "The running kubelet does not rotate its serving certificate: see eks.rotate-server-cert and "
                        "eks.server-tls-bootstrap for what to change, then restart the kubelet.";
    return f;
}

sdk::Finding file_finding(const Facts& facts, const std::string& id, const BenchmarkRefs& refs, const Clock& clock) {
    if (!facts.sources) return error_finding(id, facts.sources_error);
    const KubeletSources& s = *facts.sources;
    if (id == k_rotate_server_cert) return check_rotate_server_cert(s, refs);
    if (id == k_server_tls_bootstrap) return check_server_tls_bootstrap(s);
    if (id == k_rotate_client_cert) {
        if (facts.kubeconfig_error) return error_finding(id, *facts.kubeconfig_error);
        return check_rotate_client_cert(s, facts.kubeconfig.value_or(KubeconfigFacts{}), refs);
    }
    if (facts.certs_error) return error_finding(id, *facts.certs_error);
    return check_serving_cert_expiry(facts.certs.value_or(CertFacts{}), clock);
}

std::vector<sdk::Finding> build_findings(const Facts& facts, const BenchmarkRefs& refs, const Clock& clock) {
    const auto selected = [&](const char* id) {
        return std::find(facts.selected.begin(), facts.selected.end(), id) != facts.selected.end();
    };
    std::vector<sdk::Finding> out;
    for (const char* id : k_file_checks) {
        if (!selected(id)) continue;
        try {
            out.push_back(file_finding(facts, id, refs, clock));
        } catch (const formats::ParseError& e) {
            out.push_back(error_finding(id, {e.source(), e.what()}));
        } catch (const sdk::Error& e) {
            out.push_back(error_finding(id, {"host", e.what()}));
        } catch (const std::exception& e) {
            out.push_back(error_finding(id, {"eks plugin", e.what()}));
        }
    }
    if (selected(k_configz)) out.push_back(check_configz(facts.configz, facts.sources ? &*facts.sources : nullptr));
    return out;
}

std::vector<sdk::Certificate> certificate_rows(const Facts& facts) {
    std::vector<sdk::Certificate> rows;
    if (!facts.certs) return rows;
    for (const auto& file : facts.certs->files)
        if (file.cert)
            rows.push_back(sdk::Certificate{file.name, file.path, file.cert->subject, file.cert->issuer,
                                            file.cert->not_before, file.cert->not_after, "", !file.cert->self_signed,
                                            false});
    return rows;
}

} // namespace kubecert::eks
