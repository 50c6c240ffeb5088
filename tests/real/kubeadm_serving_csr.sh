#!/usr/bin/env bash
# Real component: kubectl (Debian's kubernetes-client), against the API server
# stand-in with its kubelet-serving signer and the kubelet stand-in (both
# checked by csr_standins_kubectl.sh).
#
# A healthy kubeadm control plane (cp-1) whose kubelet serves a self-signed
# certificate (serverTLSBootstrap off), on the running system as far as
# kubecert knows (--live-system yes: its "kubelet" runs here and the systemctl
# stand-in restarts it).
# 1. `kubecert fix --dry-run --kubeadm-enable-server-tls-bootstrap` shows the
#    config diff and the steps, and changes nothing.
# 2. ONE `kubecert fix --yes --kubeadm-enable-server-tls-bootstrap`: the config
#    gets serverTLSBootstrap: true, the kubelet is restarted, submits its CSR,
#    kubecert approves it with admin.conf (its message in the Approved
#    condition, as kubectl shows it), the signer issues it and the kubelet
#    serves a certificate of the cluster CA with its names.
# 3. Six CSRs: a valid one of cp-1, one with an extra DNS name, one with a
#    foreign IP, one with client auth usage, one with another signer (all as
#    cp-1) and one of another node (worker-2): `kubecert fix --yes` approves
#    only the first, the report gives the others' reasons, kubectl sees the same.
# 4. Rollback: a kubelet whose CSR asks for a name that is not its own, and one
#    whose CSR never arrives: the config change is rolled back, the kubelet
#    restarted on it, the fix fails (exit 3) and it serves self-signed again.
source "$(dirname "$0")/lib.sh"
: "${KUBECERT_MAKE_NODE:?KUBECERT_MAKE_NODE must name kubecert-test-make-node}"
source "$KUBECERT_REAL_DIR/csr_lib.sh"

node=cp-1
root=$work/root
state=$work/state
bin=$work/bin
mkdir -p "$state" "$bin"
"$KUBECERT_MAKE_NODE" "$root" healthy-control-plane
echo "$node" >"$root/etc/hostname"
config=$root/var/lib/kubelet/config.yaml
cp "$config" "$work/config.orig"

# The cluster on the node's own CA; admin.conf talks to the stand-in as kubernetes-admin (system:masters).
start_cluster "$node" "InternalIP=127.0.0.1,Hostname=$node" "$root/etc/kubernetes/pki/ca"
make_kubeconfig "$root/etc/kubernetes/admin.conf" admin
printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$KUBECERT_REAL_DIR/kubeadm/systemctl" "$state" >"$bin/systemctl"
chmod +x "$bin/systemctl"

# The kubelet: serverTLSBootstrap off, a self-signed serving certificate.
start_kubelet "$root" "$node" "$node,127.0.0.1"
wait_for 20 served "$kubelet_port" || fail "the kubelet stand-in serves nothing"
served_cert() { openssl s_client -connect "127.0.0.1:$kubelet_port" </dev/null 2>/dev/null | openssl x509; }
self_signed() { served_cert >"$work/served.crt" && openssl verify -CAfile "$work/served.crt" "$work/served.crt" >/dev/null 2>&1; }
ca_signed() { served_cert >"$work/served.crt" && openssl verify -CAfile "$pki/ca.crt" "$work/served.crt" >/dev/null 2>&1; }
check "before: the kubelet serves a self-signed certificate" self_signed
check "before: not one of the cluster CA" not ca_signed

kubecert() { # REPORT-NAME ARGS... (sets $rc); the report in JSON, or text for a name ending in .txt
  local name=$1 format=json
  shift
  case "$name" in *.txt) format=text ;; esac
  set +e
  PATH=$bin:$PATH HOME=/root "$KUBECERT" --root "$root" --live-system yes --flavor kubeadm --format "$format" \
    --check kubeadm.kubelet-server-rotation --check kubeadm.kubelet-serving-csrs \
    --kubeadm-kubelet-address "127.0.0.1:$kubelet_port" --kubeadm-restart-timeout 20s "$@" \
    >"$work/$name.json" 2>"$work/logs/$name.log"
  rc=$?
  set -e
  log "kubecert $* exited $rc"
}
restarts() { cat "$state/systemctl.log" 2>/dev/null | grep -c '^systemctl restart kubelet$' || true; }
evidence_of() { # REPORT CSR-NAME: the actual of its evidence row in kubeadm.kubelet-serving-csrs
  python3 - "$1" "$2" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
for f in r["findings"]:
    if f["id"] == "kubeadm.kubelet-serving-csrs":
        for e in f["evidence"]:
            if e["source"] == "CertificateSigningRequest " + sys.argv[2]:
                print(e["actual"])
EOF
}
approval_of() { # CSR-NAME: "reason|message" of its Approved condition, as kubectl shows it
  kubectl_admin get csr "$1" -o json |
    python3 -c 'import json,sys; c=[c for c in json.load(sys.stdin)["status"].get("conditions",[]) if c["type"]=="Approved"]; print(c[0]["reason"]+"|"+c[0]["message"] if c else "none")'
}

# --- 1. dry run ------------------------------------------------------------------------------------------
kubecert dry-run.txt fix --dry-run --kubeadm-enable-server-tls-bootstrap
check "the dry run exits 0 or 1" test "$rc" -le 1
check "it shows the config diff" grep -q '^+serverTLSBootstrap: true' "$work/dry-run.txt.json" "$work/logs/dry-run.txt.log"
check "it says it would approve the kubelet's CSR after the checks" \
  grep -q "would wait for the kubelet's kubelet-serving CSR" "$work/dry-run.txt.json" "$work/logs/dry-run.txt.log"
check "the config is unchanged" cmp -s "$config" "$work/config.orig"
check "the kubelet was not restarted" test "$(restarts)" = 0

# --- 2. one fix: self-signed to CA-signed ---------------------------------------------------------------------
kubecert enable fix --yes --kubeadm-enable-server-tls-bootstrap --kubeadm-csr-timeout 30s
actions_of "$work/enable.json" >&2
check "fix exits 0" test "$rc" = 0
check "the config now has serverTLSBootstrap: true" grep -qx 'serverTLSBootstrap: true' "$config"
check "the rest of the config is kept" bash -c "grep -v '^serverTLSBootstrap' '$config' | cmp -s - <(grep -v '^serverTLSBootstrap' '$work/config.orig')"
check "the kubelet was restarted through systemctl" test "$(restarts)" = 1
csr=$(sed -n 's/^csr //p' "$work/kubelet.events" | tail -1)
check "the restarted kubelet submitted a CSR" test -n "$csr"
check "kubectl shows it approved by kubecert" grep -q '^KubecertApprove|Approved by kubecert' <(approval_of "$csr")
check "the approval message names the checks passed" grep -q 'signer kubernetes.io/kubelet-serving.*subject CN=system:node:cp-1, O=system:nodes' <(approval_of "$csr")
check "kubecert approved it with admin.conf's user (PUT .../$csr/approval)" \
  grep -q "^kubernetes-admin PUT /apis/certificates.k8s.io/v1/certificatesigningrequests/$csr/approval" "$work/requests.log"
check "kubectl get csr shows it Approved,Issued" grep -q "^$csr .*Approved,Issued" <(kubectl_admin get csr)
check "after: the kubelet serves a certificate of the cluster CA" ca_signed
check "with CN=system:node:$node" grep -q "CN *= *system:node:$node" <(openssl x509 -in "$work/served.crt" -noout -subject)
check "and the node's names" grep -q "DNS:$node, IP Address:127.0.0.1" <(openssl x509 -in "$work/served.crt" -noout -ext subjectAltName)
check "after: kubeadm.kubelet-server-rotation PASS" test "$(finding_status "$work/enable.json" kubeadm.kubelet-server-rotation after)" = PASS
check "after: kubeadm.kubelet-serving-csrs PASS" test "$(finding_status "$work/enable.json" kubeadm.kubelet-serving-csrs after)" = PASS

# --- 3. six CSRs, one approvable -----------------------------------------------------------------------------------
serving='["digital signature","server auth"]'
valid=$(submit_csr node "/O=system:nodes/CN=system:node:$node" "DNS:$node,IP:127.0.0.1" kubernetes.io/kubelet-serving "$serving")
extra=$(submit_csr node "/O=system:nodes/CN=system:node:$node" "DNS:$node,DNS:kubernetes.default" kubernetes.io/kubelet-serving "$serving")
foreign=$(submit_csr node "/O=system:nodes/CN=system:node:$node" "DNS:$node,IP:10.99.0.1" kubernetes.io/kubelet-serving "$serving")
client=$(submit_csr node "/O=system:nodes/CN=system:node:$node" "DNS:$node" kubernetes.io/kubelet-serving '["digital signature","server auth","client auth"]')
signer=$(submit_csr node "/O=system:nodes/CN=system:node:$node" "DNS:$node" kubernetes.io/kube-apiserver-client "$serving")
other=$(submit_csr worker-2 "/O=system:nodes/CN=system:node:worker-2" "DNS:worker-2" kubernetes.io/kubelet-serving "$serving")
log "CSRs: valid $valid, extra DNS $extra, foreign IP $foreign, client auth $client, other signer $signer, worker-2 $other"
kubecert audit6 audit
check "the audit says kubeadm.kubelet-serving-csrs WARN" test "$(finding_status "$work/audit6.json" kubeadm.kubelet-serving-csrs)" = WARN
kubecert fix6 fix --yes --kubeadm-csr-timeout 30s
check "fix exits 0" test "$rc" = 0
check "the valid CSR is approved by kubecert" grep -q '^KubecertApprove|' <(approval_of "$valid")
for c in "$extra" "$foreign" "$client" "$signer" "$other"; do
  check "$c is left pending" test "$(approval_of "$c")" = none
done
check "the report gives the extra DNS name as the reason" grep -q "names not this node's: DNS:kubernetes.default" <(evidence_of "$work/fix6.json" "$extra")
check "the report gives the foreign IP as the reason" grep -q "names not this node's: IP:10.99.0.1" <(evidence_of "$work/fix6.json" "$foreign")
check "the report gives client auth as the reason" grep -q "not allowed: client auth" <(evidence_of "$work/fix6.json" "$client")
check "the report gives the signer as the reason" grep -q "signer is kubernetes.io/kube-apiserver-client" <(evidence_of "$work/fix6.json" "$signer")
check "the report says worker-2's CSR is never touched" grep -q "another node's: never touched" <(evidence_of "$work/fix6.json" "$other")
check "no PUT to any approval but the valid one's" \
  test "$(grep -c 'PUT .*/approval' "$work/requests.log")" = 2
check "kubectl get csr shows the valid one Approved,Issued" grep -q "^$valid .*Approved,Issued" <(kubectl_admin get csr)
check "kubectl get csr shows worker-2's Pending" grep -q "^$other .*system:node:worker-2 .*Pending" <(kubectl_admin get csr)

# --- 4. rollback -------------------------------------------------------------------------------------------------------
reset_node() { # NAMES [CLIENT]: serverTLSBootstrap off again, no issued certificate, a kubelet asking for NAMES
  cp "$work/config.orig" "$config"
  rm -f "$root"/var/lib/kubelet/pki/kubelet-server-*
  : >"$state/systemctl.log"
  start_kubelet "$root" "$node" "$1"
  wait_for 20 self_signed || fail "the kubelet does not serve self-signed after the reset"
}
reset_node "$node,127.0.0.1,evil.example.com"
kubecert rollback1 fix --yes --kubeadm-enable-server-tls-bootstrap --kubeadm-csr-timeout 20s
check "a kubelet CSR for a name not its own: fix exits 3" test "$rc" = 3
check "the report says why and that it was rolled back" \
  grep -q "evil.example.com.*rolled back" <(json_get "$work/rollback1.json" '" ".join(r.get("errors", []))' ; cat "$work/logs/rollback1.log")
check "the config is back as it was" cmp -s "$config" "$work/config.orig"
check "the kubelet was restarted twice (on, then back)" test "$(restarts)" = 2
wait_for 20 self_signed || true
check "the kubelet serves self-signed again" self_signed
bad=$(sed -n 's/^csr //p' "$work/kubelet.events" | tail -1)
check "its CSR was left pending" test "$(approval_of "$bad")" = none

reset_node "$node,127.0.0.1"
# A kubelet whose requests the API server refuses (not a node) submits nothing.
stop_pid "$kubelet_pid"
spawn "$work/logs/kubelet.log" python3 "$KUBECERT_REAL_DIR/kubelet_standin.py" --root "$root" --node-name "$node" \
  --names "$node,127.0.0.1" --api "https://127.0.0.1:1" --ca "$pki/ca.crt" --client-cert "$pki/node.crt" \
  --client-key "$pki/node.key" --port "$kubelet_port" --events "$work/kubelet.events"
kubelet_pid=$!
on_exit "stop_pid $kubelet_pid"
echo "$kubelet_pid" >"$state/kubelet.pid"
wait_for 20 self_signed || fail "the kubelet does not serve self-signed"
kubecert rollback2 fix --yes --kubeadm-enable-server-tls-bootstrap --kubeadm-csr-timeout 8s
check "no CSR arrives: fix exits 3" test "$rc" = 3
check "the report says none arrived" grep -q "no new CSR of system:node:$node arrived within 8s" "$work/rollback2.json" "$work/logs/rollback2.log"
check "the config is back as it was" cmp -s "$config" "$work/config.orig"
check "the kubelet was restarted twice" test "$(restarts)" = 2
log "passed"
