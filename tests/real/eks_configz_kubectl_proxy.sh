#!/usr/bin/env bash
# Real component: kubectl proxy (Debian's kubernetes-client).
#
# eks.configz reads the kubelet's live configuration the way an operator does:
# through `kubectl proxy`, which authenticates to the API server with the
# node's client certificate. The API server is a small HTTPS stand-in
# (api_server_standin.py; kube-apiserver is not packaged in Debian 12) that
# demands a client certificate of the cluster CA and serves
# /api/v1/nodes/NODE/proxy/configz. Everything listens on 127.0.0.1.
source "$(dirname "$0")/lib.sh"
need kubectl kubernetes-client
need python3 python3
need openssl openssl

node_name=ip-10-0-1-23.us-west-2.compute.internal

# The node: the AMI's AL2 layout under a root, as in the other EKS tests.
root=$work/root
make_eks_node "$root" "$node_name" 10.0.1.23

# The cluster PKI: the API server's serving certificate and the node's client certificate.
pki=$work/pki
make_ca "$pki" ca kubernetes
make_leaf "$pki" apiserver "$pki/ca" /CN=kube-apiserver serverAuth "IP:127.0.0.1,DNS:kubernetes"
make_leaf "$pki" node "$pki/ca" "/O=system:nodes/CN=system:node:$node_name" clientAuth
make_ca "$pki" other-ca someone-else
make_leaf "$pki" stranger "$pki/other-ca" "/O=system:nodes/CN=system:node:$node_name" clientAuth

# The API server stand-in and the kubelet's live configuration behind it.
docs=$work/docs
configz() { # GATE SERVER_TLS_BOOTSTRAP
  mkdir -p "$docs/api/v1/nodes/$node_name/proxy"
  printf '{"kubeletconfig":{"enableServer":true,"featureGates":{"RotateKubeletServerCertificate":%s},"serverTLSBootstrap":%s,"rotateCertificates":true}}' \
    "$1" "$2" >"$docs/api/v1/nodes/$node_name/proxy/configz.json"
}
configz true true
spawn "$work/logs/apiserver.log" python3 "$KUBECERT_REAL_DIR/api_server_standin.py" --cert "$pki/apiserver.crt" \
  --key "$pki/apiserver.key" --client-ca "$pki/ca.crt" --docs "$docs" --port-file "$work/apiserver.port" \
  --log "$work/requests.log"
api_pid=$!
on_exit "stop_pid $api_pid"
wait_for 20 test -s "$work/apiserver.port" || fail "the API server stand-in did not start"
api=https://127.0.0.1:$(cat "$work/apiserver.port")

# A kubeconfig with the node's client certificate, and kubectl proxy on a port it picks.
kubeconfig() { # CLIENT-NAME
  write_kubeconfig "$work/$1.kubeconfig" "$api" "$pki/ca.crt" node cert "$pki/$1.crt" "$pki/$1.key"
}
start_proxy() { # CLIENT-NAME; sets $proxy
  kubeconfig "$1"
  spawn "$work/logs/proxy-$1.log" kubectl --kubeconfig "$work/$1.kubeconfig" proxy --address 127.0.0.1 --port 0
  local pid=$!
  on_exit "stop_pid $pid"
  wait_for 20 grep -q 'Starting to serve on' "$work/logs/proxy-$1.log" || fail "kubectl proxy did not start"
  proxy=http://$(sed -n 's/^Starting to serve on //p' "$work/logs/proxy-$1.log" | head -1)
}

audit() { # REPORT-NAME EXTRA-ARGS...
  local name=$1
  shift
  set +e
  "$KUBECERT" --root "$root" --flavor eks --format json --eks-api-proxy "$proxy" "$@" audit \
    >"$work/$name.json" 2>"$work/logs/$name.log"
  echo $? >"$work/$name.rc"
  set -e
}

start_proxy node
log "kubectl proxy at $proxy in front of $api"

# 1. The live configuration has the gate and serverTLSBootstrap on: PASS.
audit live-ok
check "kubecert audit exits 0 with the live configuration through kubectl proxy" \
  test "$(cat "$work/live-ok.rc")" = 0
check "eks.configz is PASS" test "$(finding_status "$work/live-ok.json" eks.configz)" = PASS
check "the API server got GET /api/v1/nodes/$node_name/proxy/configz with the node's client certificate" \
  grep -qx "system:node:$node_name GET /api/v1/nodes/$node_name/proxy/configz 200" "$work/requests.log"

# 2. The kubelet still runs with the gate off (not restarted after an edit): FAIL, fixable by a restart.
configz false true
audit live-stale
check "kubecert audit exits 1 when the live gate is off" test "$(cat "$work/live-stale.rc")" = 1
check "eks.configz is FAIL" test "$(finding_status "$work/live-stale.json" eks.configz)" = FAIL
check "its remediation says the kubelet was not restarted" \
  grep -q "not restarted" <(json_get "$work/live-stale.json" '[f for f in r["findings"] if f["id"]=="eks.configz"][0]["remediation"]')

# 3. A proxy whose client certificate the API server does not trust gets no configz: ERROR, exit 3.
configz true true
start_proxy stranger
audit untrusted
check "kubecert exits 3 when the API server refuses the proxy's client certificate" \
  test "$(cat "$work/untrusted.rc")" = 3
check "eks.configz is ERROR" test "$(finding_status "$work/untrusted.json" eks.configz)" = ERROR
log "passed"
