#!/usr/bin/env bash
# Real component: kubectl (Debian's kubernetes-client), against the API server
# and kubelet stand-ins (csr_standins_kubectl.sh checks them).
#
# An EKS worker (the AMI's AL2 layout, serverTLSBootstrap on in its
# kubelet-config.json) whose kubelet waits for its serving certificate: its
# CSR is pending, so it serves none. The node holds no administrator
# kubeconfig; the operator gives an approver's with a bearer token
# (--eks-api-kubeconfig). The kubelet's own kubeconfig is refused.
# `kubecert --flavor eks fix --yes` approves the kubelet's CSR (kubectl sees
# kubecert's approval, made with the token's user), the signer issues it, and
# the kubelet serves a certificate of the cluster CA with its names.
# Races on the approval (the stand-in's test-only other writer): when another
# writer changes the CSR after kubecert read it, the approval gets 409
# Conflict and kubecert reads, judges and approves it once more; a second 409
# in a row makes the fix fail (exit 3) naming the CSR, which stays pending.
source "$(dirname "$0")/lib.sh"
source "$KUBECERT_REAL_DIR/csr_lib.sh"

node=ip-10-0-1-23.us-west-2.compute.internal
root=$work/root
make_eks_node "$root" "$node" 10.0.1.23
grep -q '"serverTLSBootstrap": true' "$root/etc/kubernetes/kubelet/kubelet-config.json" ||
  fail "the AMI's kubelet-config.json no longer has serverTLSBootstrap: true"

# The cluster; an approver authenticated by a bearer token (the API server's --token-auth-file).
token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
echo "$token,eks-approver,1001,\"system:masters\"" >"$work/tokens.csv"
api_extra_args=(--token-auth-file "$work/tokens.csv")
start_cluster "$node" "InternalIP=10.0.1.23,Hostname=$node,InternalDNS=$node"
mkdir -p "$root/root"
write_kubeconfig "$root/root/approver.kubeconfig" "$api" "$pki/ca.crt" approver token "$token"

# The kubelet: serverTLSBootstrap, its CSR pending, nothing served.
kubelet_config=/etc/kubernetes/kubelet/kubelet-config.json
start_kubelet "$root" "$node" "$node,10.0.1.23"
wait_for 30 grep -q '^csr ' "$work/kubelet.events" || fail "the kubelet submitted no CSR"
csr=$(sed -n 's/^csr //p' "$work/kubelet.events" | head -1)
check "before: the kubelet serves nothing while $csr is pending" not served "$kubelet_port"

kubecert() { # REPORT-NAME ARGS... (sets $rc)
  local name=$1
  shift
  set +e
  "$KUBECERT" --root "$root" --live-system yes --flavor eks --format json --check eks.kubelet-serving-csrs \
    --eks-kubelet-address "127.0.0.1:$kubelet_port" "$@" >"$work/$name.json" 2>"$work/logs/$name.log"
  rc=$?
  set -e
  log "kubecert $* exited $rc"
}
# `kubecert fix` (report REPORT-NAME) after making the next RACES approvals of $csr lose a race with
# another writer; $seen: the stand-in log's length before it.
fix_after_races() { # REPORT-NAME RACES
  race_next_approvals "$csr" "$2"
  seen=$(wc -l <"$work/requests.log")
  kubecert "$1" fix --yes --eks-api-kubeconfig /root/approver.kubeconfig --eks-csr-timeout 30s
}
# The report's request actions as "STATUS HTTP CODE", comma-separated.
request_outcomes() { json_get "$1" '",".join(a["status"] + " " + a["detail"].split(" (")[0] for a in r["actions"])'; }
evidence_of() { json_get "$1" '" ".join(e["actual"] for f in r["findings"] if f["id"]=="eks.kubelet-serving-csrs" for e in f["evidence"])'; }

kubecert no-kubeconfig audit
check "without --eks-api-kubeconfig: INFO" test "$(finding_status "$work/no-kubeconfig.json" eks.kubelet-serving-csrs)" = INFO
kubecert own audit --eks-api-kubeconfig /var/lib/kubelet/kubeconfig
check "the kubelet's own kubeconfig: ERROR" test "$(finding_status "$work/own.json" eks.kubelet-serving-csrs)" = ERROR
# (kubectl config asks /version as kubernetes-admin: Debian's kubectl picks its version by the server's.)
check "no request but the kubelet's own reached the API server" \
  not grep -Eqv '^(system:node:|kubernetes-admin GET /version)' "$work/requests.log"

kubecert audit audit --eks-api-kubeconfig /root/approver.kubeconfig
check "the audit: WARN" test "$(finding_status "$work/audit.json" eks.kubelet-serving-csrs)" = WARN
check "the audit says kubecert fix approves $csr" grep -q "passes every check: kubecert fix approves it" <(evidence_of "$work/audit.json")
check "the audit listed the CSRs as the token's user" grep -q "^eks-approver GET /apis/certificates.k8s.io/v1/certificatesigningrequests" "$work/requests.log"

# Another writer changes the CSR between kubecert's read and its approval, twice in a row: the
# approval with the resourceVersion kubecert read gets 409, kubecert reads and judges the CSR again,
# its second approval gets 409 too, and it gives up.
fix_after_races conflicts 2
check "two conflicts in a row: fix exits 3" test "$rc" = 3
check "kubecert approved $csr, read it again, approved again: both answered 409" \
  test "$(csr_requests_of "$csr" eks-approver "$seen")" = "PUT/approval 409,GET 200,PUT/approval 409"
check "the error names $csr and gives the API server's Conflict" grep -qF \
  "approving CertificateSigningRequest $csr: HTTP 409 (Operation cannot be fulfilled on certificatesigningrequests.certificates.k8s.io \"$csr\": the object has been modified; please apply your changes to the latest version and try again)" \
  <(json_get "$work/conflicts.json" '"\n".join(r.get("errors", []))')
check "the report lists both approvals as failed with HTTP 409" \
  test "$(request_outcomes "$work/conflicts.json")" = "failed HTTP 409,failed HTTP 409"
check "kubectl shows $csr still Pending" grep -q "^$csr .*Pending" <(kubectl_admin get csr)
check "the kubelet still serves nothing" not served "$kubelet_port"

# One conflict: kubecert reads and judges the CSR again, and its second approval is accepted.
fix_after_races fix 1
check "fix exits 0" test "$rc" = 0
check "kubecert's first approval was answered 409; it read $csr again and its second was accepted" \
  test "$(csr_requests_of "$csr" eks-approver "$seen")" = "PUT/approval 409,GET 200,PUT/approval 200"
check "the report lists the refused approval and the accepted one" \
  test "$(request_outcomes "$work/fix.json")" = "failed HTTP 409,applied HTTP 200"
check "kubecert says it approved $csr" grep -q "^eks: approved $csr (Approved by kubecert" "$work/logs/fix.log"
kubectl_admin get csr "$csr" -o json >"$work/csr.json"
check "kubectl shows $csr approved by kubecert" \
  test "$(json_get "$work/csr.json" '[c["reason"] for c in r["status"]["conditions"] if c["type"]=="Approved"][0]')" = KubecertApprove
check "approved by the token's user" \
  grep -q "^eks-approver PUT /apis/certificates.k8s.io/v1/certificatesigningrequests/$csr/approval" "$work/requests.log"
check "the names in the approval message include the node's IP from --node-ip and the Node object" \
  grep -q "10.0.1.23" <(json_get "$work/csr.json" '[c["message"] for c in r["status"]["conditions"]][0]')
openssl s_client -connect "127.0.0.1:$kubelet_port" </dev/null 2>/dev/null | openssl x509 >"$work/served.crt"
check "after: the kubelet serves a certificate of the cluster CA" openssl verify -CAfile "$pki/ca.crt" "$work/served.crt"
check "after: eks.kubelet-serving-csrs PASS" test "$(finding_status "$work/fix.json" eks.kubelet-serving-csrs after)" = PASS
log "passed"
