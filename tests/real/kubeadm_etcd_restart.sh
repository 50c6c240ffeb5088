#!/usr/bin/env bash
# Real component: etcd (Debian's etcd-server and etcd-client).
#
# A kubeadm control plane whose leaf certificates and kubelet client
# certificate expired a week ago. The test's "kubelet" (kubeadm/static-pod-runner.sh)
# runs the static pods while their manifests are in /etc/kubernetes/manifests:
# the real etcd with kubeadm's etcd.yaml flags (the node's etcd PKI, client
# certificate auth, loopback ports, its own data dir), and for kube-apiserver
# a mutual-TLS port (openssl s_server -Verify) with the node's apiserver
# certificate, verifying clients against the cluster CA. The crictl stand-in
# lists what the runner runs; the systemctl stand-in restarts the runner (the
# host need not boot systemd; the EKS test uses real systemd).
# Before: etcdctl with the healthcheck-client certificate and a TLS connection
# with admin.conf's client certificate fail. After ONE
# `kubecert --flavor kubeadm fix --yes`: both succeed, and so do
# /root/.kube/config, the API server's etcd client certificate and the
# kubelet's own client certificate.
source "$(dirname "$0")/lib.sh"
need etcd etcd-server
need etcdctl etcd-client
need kubectl kubernetes-client
need openssl openssl
need python3 python3
: "${KUBECERT_MAKE_NODE:?KUBECERT_MAKE_NODE must name kubecert-test-make-node}"

root=$work/root
state=$work/state
bin=$work/bin
mkdir -p "$state" "$bin"
"$KUBECERT_MAKE_NODE" "$root" expired-control-plane
pki=$root/etc/kubernetes/pki

# kubeadm's static pod manifests (v1.30 flags), on loopback ports picked now.
client_port=$(free_port) peer_port=$(free_port) metrics_port=$(free_port) api_port=$(free_port)
cat >"$root/etc/kubernetes/manifests/etcd.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  annotations:
    kubeadm.kubernetes.io/etcd.advertise-client-urls: https://127.0.0.1:$client_port
  labels:
    component: etcd
    tier: control-plane
  name: etcd
  namespace: kube-system
spec:
  containers:
  - command:
    - etcd
    - --advertise-client-urls=https://127.0.0.1:$client_port
    - --cert-file=/etc/kubernetes/pki/etcd/server.crt
    - --client-cert-auth=true
    - --data-dir=/var/lib/etcd
    - --initial-advertise-peer-urls=https://127.0.0.1:$peer_port
    - --initial-cluster=cp-1=https://127.0.0.1:$peer_port
    - --key-file=/etc/kubernetes/pki/etcd/server.key
    - --listen-client-urls=https://127.0.0.1:$client_port
    - --listen-metrics-urls=http://127.0.0.1:$metrics_port
    - --listen-peer-urls=https://127.0.0.1:$peer_port
    - --name=cp-1
    - --peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt
    - --peer-client-cert-auth=true
    - --peer-key-file=/etc/kubernetes/pki/etcd/peer.key
    - --peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
    - --snapshot-count=10000
    - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
    image: registry.k8s.io/etcd:3.5.12-0
    name: etcd
  hostNetwork: true
EOF
cat >"$root/etc/kubernetes/manifests/kube-apiserver.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  labels:
    component: kube-apiserver
    tier: control-plane
  name: kube-apiserver
  namespace: kube-system
spec:
  containers:
  - command:
    - kube-apiserver
    - --advertise-address=127.0.0.1
    - --bind-address=127.0.0.1
    - --client-ca-file=/etc/kubernetes/pki/ca.crt
    - --etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt
    - --etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt
    - --etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key
    - --etcd-servers=https://127.0.0.1:$client_port
    - --secure-port=$api_port
    - --tls-cert-file=/etc/kubernetes/pki/apiserver.crt
    - --tls-private-key-file=/etc/kubernetes/pki/apiserver.key
    image: registry.k8s.io/kube-apiserver:v1.30.0
    name: kube-apiserver
  hostNetwork: true
EOF
chmod 0600 "$root"/etc/kubernetes/manifests/*.yaml
mkdir -p "$root/var/lib/etcd"
chmod 0700 "$root/var/lib/etcd"

# The stand-ins kubecert runs from PATH, bound to this test's state.
printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$KUBECERT_REAL_DIR/kubeadm/crictl" "$state" >"$bin/crictl"
printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$KUBECERT_REAL_DIR/kubeadm/systemctl" "$state" >"$bin/systemctl"
chmod +x "$bin/crictl" "$bin/systemctl"

# The test's kubelet.
spawn "$work/logs/runner.log" bash "$KUBECERT_REAL_DIR/kubeadm/static-pod-runner.sh" "$root" "$state"
runner_pid=$!
echo "$runner_pid" >"$state/kubelet.pid"
# The runner stops its pods on SIGTERM; whatever is left after it is killed by pid.
kill_pods() { for f in "$state"/pods/*; do [ -f "$f" ] && kill -KILL "$(cut -d' ' -f1 "$f")"; done; }
on_exit "stop_pid $runner_pid 20; kill_pods"
ln -sf "$state/etcd.log" "$work/logs/etcd.log"
ln -sf "$state/kube-apiserver.log" "$work/logs/kube-apiserver.log"

etcd_health() { # CERT-BASENAME (under pki)
  ETCDCTL_API=3 timeout 20 etcdctl --endpoints "https://127.0.0.1:$client_port" --cacert "$pki/etcd/ca.crt" \
    --cert "$pki/$1.crt" --key "$pki/$1.key" --dial-timeout 3s --command-timeout 5s endpoint health
}
# A kubeconfig's embedded client certificate and key, as OUT-PREFIX.crt and OUT-PREFIX.key.
extract() { # KUBECONFIG OUT-PREFIX
  sed -n 's/^ *client-certificate-data: //p' "$1" | base64 -d >"$2.crt"
  sed -n 's/^ *client-key-data: //p' "$1" | base64 -d >"$2.key"
  chmod 0600 "$2.key"
}
api_tls() { # CERT KEY: a mutual-TLS request to the API port, verifying it as "kubernetes"
  printf 'GET / HTTP/1.0\r\n\r\n' | timeout 15 openssl s_client -connect "127.0.0.1:$api_port" -servername kubernetes \
    -verify_hostname kubernetes -CAfile "$pki/ca.crt" -cert "$1" -key "$2" -verify_return_error -ign_eof -quiet \
    2>"$work/logs/s_client.log" | grep -q '200 ok'
}
kubectl_raw() { # KUBECONFIG: kubectl with that kubeconfig against the API port
  timeout 20 kubectl --kubeconfig "$1" --server "https://127.0.0.1:$api_port" --tls-server-name kubernetes \
    --request-timeout 10s get --raw / 2>"$work/logs/kubectl.log" | grep -q 's_server'
}
not() { ! "$@"; }

# --- before ------------------------------------------------------------------------------------
wait_for 30 grep -q . "$state/kubelet-api.log" || fail "the runner did not start the static pods"
wait_for 30 bash -c "echo | openssl s_client -connect 127.0.0.1:$client_port 2>/dev/null | grep -q CONNECTED" ||
  fail "etcd does not listen on 127.0.0.1:$client_port"
check "crictl lists etcd and kube-apiserver" bash -c "'$bin/crictl' ps | grep -q ' etcd ' && '$bin/crictl' ps | grep -q ' kube-apiserver '"
check "before: etcdctl endpoint health with the expired healthcheck-client certificate fails" \
  not etcd_health etcd/healthcheck-client
extract "$root/etc/kubernetes/admin.conf" "$work/admin-old"
check "before: a TLS connection to the API port with admin.conf's client certificate fails" \
  not api_tls "$work/admin-old.crt" "$work/admin-old.key"
check "before: the kubelet's client certificate is refused by the API port" \
  test "$(tail -n 1 "$state/kubelet-api.log")" = refused
etcd_pid_before=$(cut -d' ' -f1 "$state/pods/etcd")
api_pid_before=$(cut -d' ' -f1 "$state/pods/kube-apiserver")

# --- one fix, nothing else typed ----------------------------------------------------------------------
# The node tree stands for the running system here: its "kubelet" and static pods run on this machine.
begin=$(date +%s)
set +e
PATH=$bin:$PATH HOME=/root "$KUBECERT" --root "$root" --live-system yes --flavor kubeadm --format json --kubeadm-restart-timeout 60s \
  fix --yes >"$work/fix.json" 2>"$work/logs/fix.log"
fix_rc=$?
set -e
log "kubecert fix exited $fix_rc after $(($(date +%s) - begin))s; actions:"
actions_of "$work/fix.json" >&2
check "fix exits 0" test "$fix_rc" = 0
check "every action of the report was applied" test -z "$(actions_of "$work/fix.json" | grep -v '^applied ' || true)"
for step in "crictl ps" "systemctl daemon-reload" "systemctl restart kubelet" "systemctl is-active kubelet"; do
  check "the report shows the step '$step'" grep -q " command $step\$" <(actions_of "$work/fix.json")
done
for cert in apiserver apiserver-etcd-client apiserver-kubelet-client front-proxy-client etcd-server etcd-peer \
  etcd-healthcheck-client admin.conf super-admin.conf controller-manager.conf scheduler.conf kubelet-client; do
  check "after: kubeadm.cert-expiry/$cert PASS" \
    test "$(finding_status "$work/fix.json" "kubeadm.cert-expiry/$cert" after)" = PASS
done
check "after: kubeadm.user-kubeconfig-current PASS" \
  test "$(finding_status "$work/fix.json" kubeadm.user-kubeconfig-current after)" = PASS
check "the manifests are back" test -f "$root/etc/kubernetes/manifests/etcd.yaml" -a \
  -f "$root/etc/kubernetes/manifests/kube-apiserver.yaml"
check "etcd was restarted (new process)" test "$(cut -d' ' -f1 "$state/pods/etcd")" != "$etcd_pid_before"
check "kube-apiserver was restarted (new process)" \
  test "$(cut -d' ' -f1 "$state/pods/kube-apiserver")" != "$api_pid_before"

# --- after: what the operator checks --------------------------------------------------------------------
wait_for 30 etcd_health etcd/healthcheck-client || true
check "after: etcdctl endpoint health with the healthcheck-client certificate succeeds" etcd_health etcd/healthcheck-client
check "after: etcdctl with the API server's etcd client certificate succeeds" etcd_health apiserver-etcd-client
extract "$root/etc/kubernetes/admin.conf" "$work/admin"
wait_for 20 api_tls "$work/admin.crt" "$work/admin.key" || true
check "after: a TLS connection to the API port with admin.conf's client certificate succeeds" \
  api_tls "$work/admin.crt" "$work/admin.key"
# kubectl retries like the kubelet does: the API server stand-in (openssl s_server) answers one
# connection at a time, and the runner's own check may hold it for a moment.
wait_for 20 kubectl_raw "$root/root/.kube/config" || true
check "after: kubectl with /root/.kube/config gets an answer from the API port" kubectl_raw "$root/root/.kube/config"
check "after: kubectl with admin.conf gets an answer from the API port" kubectl_raw "$root/etc/kubernetes/admin.conf"
last_api_check() { test "$(tail -n 1 "$state/kubelet-api.log")" = "$1"; }
check "after: the restarted kubelet's client certificate is accepted by the API port" \
  wait_for 30 last_api_check accepted
check "after: kubecert audit passes" "$KUBECERT" --root "$root" --flavor kubeadm audit >/dev/null 2>&1
log "passed"
