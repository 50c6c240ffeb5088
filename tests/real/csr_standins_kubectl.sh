#!/usr/bin/env bash
# Real component: kubectl (Debian's kubernetes-client) against the stand-ins.
#
# The API server stand-in (api_server_standin.py with its certificates.k8s.io
# resource, standin_csr.py) and the kubelet stand-in (kubelet_standin.py) are
# what the serving-CSR tests of kubecert stand on, so the real kubectl checks
# them first: a kubelet with serverTLSBootstrap submits a CSR as the node,
# `kubectl get csr` shows it Pending with the node as requestor, the node's
# own credentials may not approve it (403), `kubectl certificate approve`
# with admin credentials does, the signer issues it with the cluster CA, and
# the kubelet then serves that certificate; the approval subresource answers
# 409 to a stale resourceVersion (the API server's Conflict Status, on which
# kubectl retries when another writer wins a race) and 404 to an unknown
# name; a kubelet without serverTLSBootstrap serves a self-signed certificate
# and submits nothing.
source "$(dirname "$0")/lib.sh"
source "$KUBECERT_REAL_DIR/csr_lib.sh"

node_name=cp-1
start_cluster "$node_name"

# --- a kubelet with serverTLSBootstrap: a CSR as the node, Pending -------------------------------------
write_kubelet_config "$work/root" true
start_kubelet "$work/root" "$node_name" "$node_name,127.0.0.1"
wait_for 30 grep -q '^csr ' "$work/kubelet.events" || fail "the kubelet stand-in submitted no CSR"
csr=$(sed -n 's/^csr //p' "$work/kubelet.events" | head -1)
log "the kubelet submitted $csr"
kubectl_admin get csr >"$work/get.txt" 2>"$work/logs/kubectl.log" || fail "kubectl get csr failed"
cat "$work/get.txt" >&2
check "kubectl get csr shows it Pending, requested by system:node:$node_name for kubelet-serving" \
  grep -Eq "^$csr +[0-9]+s +kubernetes.io/kubelet-serving +system:node:$node_name +<none> +Pending" "$work/get.txt"
kubectl_admin get csr "$csr" -o json >"$work/csr.json"
check "its groups are the node's (system:nodes, system:authenticated)" \
  test "$(json_get "$work/csr.json" '",".join(r["spec"]["groups"])')" = "system:nodes,system:authenticated"
check "its usages are digital signature and server auth" \
  test "$(json_get "$work/csr.json" '",".join(r["spec"]["usages"])')" = "digital signature,server auth"
openssl req -noout -subject -nameopt RFC2253 -in <(json_get "$work/csr.json" 'r["spec"]["request"]' | base64 -d) \
  >"$work/subject.txt"
check "its request's subject is CN=system:node:$node_name, O=system:nodes" \
  grep -qx "subject=CN=system:node:$node_name,O=system:nodes" "$work/subject.txt"
check "the kubelet serves nothing while its CSR is pending" not served "$kubelet_port"

# --- field selectors as the real server --------------------------------------------------------------------
kubectl_admin get csr --field-selector spec.signerName=kubernetes.io/kubelet-serving -o name >"$work/sel.txt"
check "--field-selector spec.signerName=kubernetes.io/kubelet-serving lists it" \
  grep -qx "certificatesigningrequest.certificates.k8s.io/$csr" "$work/sel.txt"
kubectl_admin get csr --field-selector spec.signerName=example.com/other -o name >"$work/sel2.txt"
check "a selector for another signer lists nothing" test ! -s "$work/sel2.txt"
check "an unsupported field selector is refused" not kubectl_admin get csr --field-selector spec.username=x

# --- approval: not by the node, by the admin; then issued and served ------------------------------------------
check "the node's own credentials may not approve it" \
  not kubectl --kubeconfig "$work/node.kubeconfig" certificate approve "$csr" 2>"$work/node-approve.txt"
check "the API server answered 403 Forbidden" grep -qi "forbidden" "$work/node-approve.txt"
# Another writer changes the CSR once between kubectl's read and its approval (the stand-in's
# test-only race): kubectl (client-go) takes the 409 for a Conflict, reads the CSR again and retries.
race_next_approvals "$csr" 1
seen=$(wc -l <"$work/requests.log")
kubectl_admin certificate approve "$csr" >"$work/approve.txt" 2>>"$work/logs/kubectl.log" || fail "kubectl certificate approve failed"
check "kubectl certificate approve says approved" grep -q "approved" "$work/approve.txt"
check "kubectl's approval lost the race (409), it read $csr again and its second approval was accepted" \
  grep -Eqx "(GET 200,)*PUT/approval 409,(GET 200,)+PUT/approval 200" <(csr_requests_of "$csr" kubernetes-admin "$seen")
wait_for 30 grep -q '^serving issued' "$work/kubelet.events" || fail "the kubelet never served an issued certificate"
kubectl_admin get csr "$csr" -o json >"$work/csr.json"
check "the Approved condition is True with kubectl's reason" \
  test "$(json_get "$work/csr.json" '[(c["status"],c["reason"]) for c in r["status"]["conditions"] if c["type"]=="Approved"][0]')" = "('True', 'KubectlApprove')"
check "the condition has a lastUpdateTime" \
  test -n "$(json_get "$work/csr.json" '[c["lastUpdateTime"] for c in r["status"]["conditions"]][0]')"
json_get "$work/csr.json" 'r["status"]["certificate"]' | base64 -d >"$work/issued.crt"
check "the issued certificate verifies against the cluster CA" openssl verify -CAfile "$pki/ca.crt" "$work/issued.crt"
wait_for 10 served "$kubelet_port" || true
check "the kubelet serves the issued certificate" \
  test "$(fingerprint_served "127.0.0.1:$kubelet_port")" = "$(fingerprint_of_file "$work/issued.crt")"
kubectl_admin get csr "$csr" >"$work/get2.txt"
check "kubectl get csr shows Approved,Issued" grep -q "Approved,Issued" "$work/get2.txt"

# --- 409 and 404 of the approval subresource ------------------------------------------------------------------
stale=$(json_get "$work/csr.json" 'str(int(r["metadata"]["resourceVersion"]) - 1)')
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); r["metadata"]["resourceVersion"]=sys.argv[2]; print(json.dumps(r))' \
  "$work/csr.json" "$stale" >"$work/stale.json"
check "a PUT to /approval with a stale resourceVersion is 409 Conflict" \
  test "$(api_put_admin "/apis/certificates.k8s.io/v1/certificatesigningrequests/$csr/approval" "$work/stale.json")" = 409
check "its answer is the API server's Conflict Status" test "$(json_get "$work/put.out" \
  '"|".join(str(r[k]) for k in ("kind", "apiVersion", "status", "reason", "code", "details", "message"))')" = \
  "Status|v1|Failure|Conflict|409|{'name': '$csr', 'group': 'certificates.k8s.io', 'kind': 'certificatesigningrequests'}|Operation cannot be fulfilled on certificatesigningrequests.certificates.k8s.io \"$csr\": the object has been modified; please apply your changes to the latest version and try again"
check "a PUT to /approval of an unknown name is 404" \
  test "$(api_put_admin "/apis/certificates.k8s.io/v1/certificatesigningrequests/csr-none/approval" "$work/stale.json")" = 404

# --- a restart with the certificate in place submits nothing new; one without serverTLSBootstrap is self-signed ---
write_kubelet_config "$work/root2" false
start_kubelet "$work/root2" "$node_name" "$node_name,127.0.0.1"
wait_for 20 grep -q '^serving self-signed' "$work/kubelet.events" || fail "no self-signed certificate served"
wait_for 10 served "$kubelet_port" || true
openssl s_client -connect "127.0.0.1:$kubelet_port" </dev/null 2>/dev/null | openssl x509 >"$work/self.crt"
check "without serverTLSBootstrap the kubelet serves a self-signed certificate" \
  test "$(openssl x509 -in "$work/self.crt" -noout -issuer | cut -d= -f2-)" = "$(openssl x509 -in "$work/self.crt" -noout -subject | cut -d= -f2-)"
check "and submits no CSR" test "$(grep -c '^csr ' "$work/kubelet.events")" = 1
log "passed"
