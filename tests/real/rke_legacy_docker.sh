#!/usr/bin/env bash
# Real component: the Docker engine (Debian's docker.io).
#
# A pre-1.0 RKE node: the kubelet runs in a container named `kubelet` without
# --tls-cert-file, so it serves its own self-signed certificate from
# /var/lib/kubelet/pki, which nothing renews. The test starts a private
# dockerd (own data root, exec root and socket under the test's folder, vfs
# storage, no iptables, no bridge), builds the kubelet image locally with
# `docker import` (busybox-static, the host's openssl and its libraries, the
# init rke/kubelet), and runs it with host networking on a free loopback port,
# the node's /var/lib/kubelet/pki bind-mounted. Then one
# `kubecert --flavor rke fix --yes --rke-legacy` must run the real
# `docker exec kubelet rm ...` and `docker restart kubelet`, and the port must
# serve the new certificate on disk.
source "$(dirname "$0")/lib.sh"
need_root dockerd
need dockerd docker.io
need docker docker.io
need openssl openssl
need python3 python3
[ -x /bin/busybox ] || skip "/bin/busybox is missing (apt-get install busybox-static)"

# --- a private Docker engine ------------------------------------------------------------------
d=$work/docker
mkdir -p "$d"
echo '{}' >"$d/daemon.json"
spawn "$work/logs/dockerd.log" dockerd --config-file "$d/daemon.json" --data-root "$d/data" \
  --exec-root "$d/exec" -H "unix://$d/docker.sock" --pidfile "$d/dockerd.pid" --storage-driver vfs \
  --iptables=false --ip-masq=false --bridge=none
dockerd_pid=$!
export DOCKER_HOST=unix://$d/docker.sock
on_exit "stop_pid $dockerd_pid 20"
if ! wait_for 60 docker version; then
  kill -0 "$dockerd_pid" 2>/dev/null || skip "dockerd cannot run here: $(tail -n 3 "$work/logs/dockerd.log" | tr '\n' ' ')"
  fail "dockerd did not answer within 60 s"
fi
log "dockerd $(docker version -f '{{.Server.Version}}') on $DOCKER_HOST"

# --- the kubelet image: busybox + openssl, built locally (no registry) --------------------------
img=$work/image
mkdir -p "$img"/{bin,usr/local/bin,usr/lib/ssl,etc,tmp,proc,sys,dev,var/lib/kubelet/pki}
chmod 1777 "$img/tmp"
cp /bin/busybox "$img/bin/"
for applet in sh cat cp chmod date echo kill mkdir mktemp rm sleep tr; do ln -s busybox "$img/bin/$applet"; done
copy_with_libs() {
  mkdir -p "$img$(dirname "$1")"
  cp -L "$1" "$img$1"
  for lib in $(ldd "$1" | grep -o '/[^ ]*'); do
    mkdir -p "$img$(dirname "$lib")"
    cp -L "$lib" "$img$lib"
  done
}
copy_with_libs "$(command -v openssl)"
[ -e "$img/usr/bin/openssl" ] || ln -s "$(command -v openssl)" "$img/usr/bin/openssl"
cp -L /usr/lib/ssl/openssl.cnf "$img/usr/lib/ssl/openssl.cnf"
install -m 0755 "$KUBECERT_REAL_DIR/rke/kubelet" "$KUBECERT_REAL_DIR/rke/make-own-cert.sh" "$img/usr/local/bin/"
echo 'root:x:0:0:root:/:/bin/sh' >"$img/etc/passwd"
image=kubecert-test/kubelet-legacy:1
tar -C "$img" -c . | docker import -c 'ENTRYPOINT ["/usr/local/bin/kubelet"]' -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin' - "$image" >/dev/null
log "image $image imported"

# --- the node ---------------------------------------------------------------------------------
root=$work/root
pki=$root/var/lib/kubelet/pki
mkdir -p "$root/etc/kubernetes/ssl" "$pki"
echo node1 >"$root/etc/hostname"
# A year-old node: the kubelet's own certificate, made by the same procedure, expires in 5 days.
"$KUBECERT_REAL_DIR/rke/make-own-cert.sh" "$pki" node1 5
old_fp=$(fingerprint_of_file "$pki/kubelet.crt")
cp "$pki/kubelet.crt" "$work/old-kubelet.crt"
port=$(free_port)
address=127.0.0.1:$port
docker run -d --name kubelet --network host -v "$pki:/var/lib/kubelet/pki" "$image" \
  --hostname-override=node1 --address=127.0.0.1 --port="$port" --v=2 --cluster-domain=cluster.local >/dev/null
on_exit "docker rm -f kubelet"
served() { [ "$(fingerprint_served "$address")" = "$1" ]; }
wait_for 20 served "$old_fp" || fail "the kubelet container does not serve its certificate on $address: $(docker logs kubelet 2>&1 | tail -n 5)"
log "the kubelet serves $old_fp on $address"

kubecert_rke() {
  "$KUBECERT" --root "$root" --live-system yes --flavor rke --format json --rke-docker docker --rke-kubelet-address "$address" \
    --rke-restart-wait 60s "$@"
}

# --- before: what the operator sees -------------------------------------------------------------
set +e
kubecert_rke audit >"$work/audit.json" 2>"$work/logs/audit.log"
set -e
check "audit: the kubelet's own certificate is inside the warning window (WARN)" \
  test "$(finding_status "$work/audit.json" rke.serving-cert-expiry)" = WARN
check "audit: it is the legacy self-signed certificate (FAIL)" \
  test "$(finding_status "$work/audit.json" rke.legacy-self-signed)" = FAIL
check "audit: the port serves the certificate on disk (PASS)" \
  test "$(finding_status "$work/audit.json" rke.served-cert-matches-disk)" = PASS
started_before=$(docker inspect -f '{{.State.StartedAt}}' kubelet)

# --- one fix ---------------------------------------------------------------------------------------
begin=$(date +%s)
set +e
kubecert_rke fix --yes --rke-legacy >"$work/fix.json" 2>"$work/logs/fix.log"
fix_rc=$?
set -e
took=$(($(date +%s) - begin))
log "kubecert fix exited $fix_rc after ${took}s; actions:"
actions_of "$work/fix.json" >&2
# The new certificate is again the kubelet's own: legacy-self-signed stays FAIL (exit 1) until
# cluster.yml sets generate_serving_certificate (docs/plugins/rke.md).
check "fix exits 1 (only rke.legacy-self-signed still fails)" test "$fix_rc" = 1
check "the fix ran docker exec kubelet rm and docker restart kubelet, both applied" \
  diff <(actions_of "$work/fix.json" | grep ' command ') <(printf '%s\n' \
    "applied command docker exec kubelet rm -f /var/lib/kubelet/pki/kubelet.crt /var/lib/kubelet/pki/kubelet.key" \
    "applied command docker restart kubelet")
check "the container was really restarted" \
  test "$(docker inspect -f '{{.State.StartedAt}}' kubelet)" != "$started_before"
check "the container is running" test "$(docker inspect -f '{{.State.Running}}' kubelet)" = true
check "its init stopped on SIGTERM (no 10 s kill)" grep -q 'got SIGTERM' <(docker logs kubelet 2>&1)
check "the fix took less than 30 s" test "$took" -lt 30

new_fp=$(fingerprint_of_file "$pki/kubelet.crt")
check "the kubelet made a new certificate on disk" test "$new_fp" != "$old_fp"
check "the port serves the new certificate on disk ($new_fp)" test "$(fingerprint_served "$address")" = "$new_fp"
check "the new certificate is valid for more than 300 days" openssl x509 -in "$pki/kubelet.crt" -noout -checkend $((300 * 86400)) >/dev/null
check "it is issued by the kubelet's own node1-ca@<time>" \
  grep -Eq 'CN ?= ?node1-ca@[0-9]+' <(openssl x509 -in "$pki/kubelet.crt" -noout -issuer)
check "after: rke.serving-cert-expiry PASS" test "$(finding_status "$work/fix.json" rke.serving-cert-expiry after)" = PASS
check "after: rke.served-cert-matches-disk PASS" \
  test "$(finding_status "$work/fix.json" rke.served-cert-matches-disk after)" = PASS
check "the old certificate is in the fix's backup" \
  grep -q . <(find "$root/var/backups/kubecert" -type f -exec cmp -s {} "$work/old-kubelet.crt" \; -print)

# --- a second fix leaves the fresh certificate and the container alone -------------------------------
started_after=$(docker inspect -f '{{.State.StartedAt}}' kubelet)
set +e
kubecert_rke fix --yes --rke-legacy >"$work/again.json" 2>"$work/logs/again.log"
set -e
check "a second fix runs no docker command" test -z "$(actions_of "$work/again.json" | grep ' command ' || true)"
check "and does not restart the container" test "$(docker inspect -f '{{.State.StartedAt}}' kubelet)" = "$started_after"
log "passed"
