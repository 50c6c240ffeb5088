#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <kubecert/sdk.hpp>

#include "benchmark.hpp"
#include "check_ids.hpp"
#include "facts.hpp"

// The EKS plugin's verdicts, judged from the facts alone (no host: unit-tested without files).
// Each check returns one finding and never throws for bad input: what cannot be evaluated is
// an ERROR finding. Whether a finding is fixable is the fix plan's business (fixes.hpp).
namespace kubecert::eks {

inline constexpr const char* k_gate = "RotateKubeletServerCertificate";
inline constexpr const char* k_bogus_flag = "rotate-kubelet-server-certificate";

// The evaluation instant and warning window of a run.
struct Clock {
    std::int64_t now = 0;
    std::int64_t warn_within = 0;
};

// eks.rotate-server-cert: the effective RotateKubeletServerCertificate gate,
// and the bogus --rotate-kubelet-server-certificate flag anywhere.
sdk::Finding check_rotate_server_cert(const KubeletSources& s, const BenchmarkRefs& refs);

// eks.server-tls-bootstrap: serverTLSBootstrap / --rotate-server-certificates,
// what actually makes the kubelet request and rotate its serving certificate.
sdk::Finding check_server_tls_bootstrap(const KubeletSources& s);

// eks.rotate-client-cert: rotateCertificates / --rotate-certificates not false;
// not applicable when the kubelet's kubeconfig authenticates with an exec plugin.
sdk::Finding check_rotate_client_cert(const KubeletSources& s, const KubeconfigFacts& kubeconfig,
                                      const BenchmarkRefs& refs);

// eks.serving-cert-expiry: the kubelet's serving and client certificates on disk.
sdk::Finding check_serving_cert_expiry(const CertFacts& certs, const Clock& clock);

// True when the live configz and the node's files disagree on serving certificate rotation
// (the kubelet was not restarted after an edit: a restart fixes it).
bool configz_differs(const ConfigzFacts& live, const KubeletSources* files);

// eks.configz: the live configuration compared with what the files say (`files` is null when
// they could not be read).
sdk::Finding check_configz(const ConfigzFacts& live, const KubeletSources* files);

// The finding `id` as an ERROR because its facts could not be read.
sdk::Finding error_finding(const std::string& id, const ReadError& error);

// The finding of one file-based check `id` (one of k_file_checks).
sdk::Finding file_finding(const Facts& facts, const std::string& id, const BenchmarkRefs& refs, const Clock& clock);

// The findings of the checks the run selected (facts.selected), in the order the plugin reports them.
std::vector<sdk::Finding> build_findings(const Facts& facts, const BenchmarkRefs& refs, const Clock& clock);

// The certificates for the report's table: the kubelet's serving and client certificates read.
std::vector<sdk::Certificate> certificate_rows(const Facts& facts);

} // namespace kubecert::eks
