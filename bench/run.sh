#!/bin/sh
# Benchmark of `kubecert --flavor kubeadm` on a generated control-plane node.
#
#   bench/run.sh [BUILD_DIR]             configure + build (Release) into BUILD_DIR (default build-bench), then measure
#   bench/run.sh --no-build BUILD_DIR    measure with what BUILD_DIR already has (the CMake `bench` target)
#
# Measures, in one run, with hyperfine (apt-get install hyperfine):
#   audit   kubecert --flavor kubeadm audit (whole process) on a node whose 11 leaf certificates
#           and 3 CAs are all fine, next to
#           (a) the shell loop of one `openssl x509 -noout -enddate` per certificate (kubeconfigs
#               decoded with base64 -d), and
#           (b) the floor: bench/floor.cpp, which only reads the same files with OpenSSL and
#               compares each notAfter with now.
#   renew   kubecert --flavor kubeadm fix --yes --no-restart --kubeadm-renew-all on a node whose
#           11 leaf certificates (RSA-2048) are all expired, from a fresh copy each run.
#           With PREV_BUILD=DIR (a build of an earlier commit holding bin/kubecert and its
#           plugins), that kubecert is measured in the same hyperfine run, for a ratio.
# Results (markdown and JSON) go to BUILD_DIR/bench-results/.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
build_it=1
if [ "${1:-}" = "--no-build" ]; then build_it=0; shift; fi
build=${1:-$src/build-bench}

if [ "$build_it" = 1 ]; then
    cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$build" -j2 --target kubecert kubecert-kubeadm kubecert-bench-floor kubecert-bench-make-node
fi
command -v hyperfine >/dev/null || { echo "hyperfine is required (apt-get install hyperfine)" >&2; exit 2; }

kubecert=$(find "$build" -path '*/bin/kubecert' -type f | head -n 1)
floor=$(find "$build" -name kubecert-bench-floor -type f | head -n 1)
make_node=$(find "$build" -name kubecert-bench-make-node -type f | head -n 1)
out=$build/bench-results
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$out"

"$make_node" "$work/fine" fine rsa
"$make_node" "$work/due" due rsa

pki=$work/fine/etc/kubernetes/pki
certs="$pki/apiserver.crt $pki/apiserver-etcd-client.crt $pki/apiserver-kubelet-client.crt $pki/front-proxy-client.crt
 $pki/etcd/server.crt $pki/etcd/peer.crt $pki/etcd/healthcheck-client.crt $pki/ca.crt $pki/etcd/ca.crt $pki/front-proxy-ca.crt"
confs=""
for c in admin.conf super-admin.conf controller-manager.conf scheduler.conf; do confs="$confs $work/fine/etc/kubernetes/$c"; done

cat > "$work/loop.sh" <<LOOP
for f in $(echo $certs); do openssl x509 -noout -enddate -in "\$f"; done
for k in $confs; do sed -n 's/^ *client-certificate-data: //p' "\$k" | base64 -d | openssl x509 -noout -enddate; done
LOOP

echo "== checking that every contender sees 14 certificates"
"$kubecert" --root "$work/fine" --flavor kubeadm --format json audit | grep -o '"not_after"' | wc -l
sh "$work/loop.sh" | wc -l
"$floor" $certs $confs

hyperfine --warmup 5 --min-runs 30 -N \
    --export-markdown "$out/audit.md" --export-json "$out/audit.json" \
    -n "kubecert audit" "$kubecert --root $work/fine --flavor kubeadm --format json audit" \
    -n "floor (bench/floor.cpp)" "$floor $(echo $certs $confs)" \
    -n "shell loop of openssl x509 -enddate" "sh $work/loop.sh"

renew_cmd="--root $work/renew --flavor kubeadm --format json fix --yes --no-restart --kubeadm-renew-all"
set -- -n "kubecert fix --kubeadm-renew-all (11 RSA-2048)" "$kubecert $renew_cmd"
if [ -n "${PREV_BUILD:-}" ]; then
    prev=$(find "$PREV_BUILD" -path '*/bin/kubecert' -type f | head -n 1)
    [ -n "$prev" ] || { echo "no bin/kubecert under PREV_BUILD=$PREV_BUILD" >&2; exit 2; }
    set -- "$@" -n "previous kubecert (PREV_BUILD)" "$prev $renew_cmd"
fi
hyperfine --warmup 2 --min-runs 10 -N \
    --prepare "sh -c 'rm -rf $work/renew && cp -a $work/due $work/renew'" \
    --export-markdown "$out/renew.md" --export-json "$out/renew.json" "$@"

# Medians and ratios from this run's JSON.
python3 - "$out/audit.json" "$out/renew.json" <<'PY'
import json, sys
audit = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
renews = json.load(open(sys.argv[2]))["results"]
renew = renews[0]
med = lambda r: r["median"] * 1000
k = med(audit["kubecert audit"]); f = med(audit["floor (bench/floor.cpp)"]); s = med(audit["shell loop of openssl x509 -enddate"])
print(f"audit median: kubecert {k:.2f} ms, floor {f:.2f} ms, shell loop {s:.2f} ms")
print(f"shell loop / kubecert = {s/k:.1f}x (target >= 20x); kubecert / floor = {k/f:.2f}x (target <= 3x)")
print(f"renew all 11 (RSA-2048) median: {med(renew):.1f} ms (target < 2000 ms)")
if len(renews) > 1:
    print(f"previous build median: {med(renews[1]):.1f} ms; new / previous = {med(renew)/med(renews[1]):.2f}x")
PY
