#!/bin/sh
# What the HTTPS transport costs an audit that makes no HTTPS request
# (issue 15): `kubecert --flavor kubeadm audit` on a generated control-plane
# node whose certificates are all fine, measured in one hyperfine run as
#   (a) lazy       this build: libcurl lives in lib/kubecert/kubecert-https.so,
#                  loaded on the first HTTPS request only (none here);
#   (b) linked     the same binary with libcurl loaded at start-up
#                  (LD_PRELOAD=libcurl.so.4): what linking it into kubecert
#                  directly would cost every run (the dynamic loader maps and
#                  relocates libcurl and its dependencies before main());
#   (c) before     with PREV_BUILD=DIR, that build's kubecert (e.g. main before
#                  the transport existed).
#
#   bench/startup.sh [BUILD_DIR]      (default: build; needs the kubecert,
#                                      kubecert-kubeadm and kubecert-bench-make-node targets)
# Results (markdown and JSON) go to BUILD_DIR/bench-results/startup.*.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$(dirname "$here")/build}
command -v hyperfine >/dev/null || { echo "hyperfine is required (apt-get install hyperfine)" >&2; exit 2; }
kubecert=$build/bin/kubecert
make_node=$(find "$build" -name kubecert-bench-make-node -type f | head -n 1)
libcurl=$(ldconfig -p | awk '/libcurl\.so\.4 .*x86-64/ {print $NF; exit}')
[ -x "$kubecert" ] && [ -n "$make_node" ] && [ -n "$libcurl" ] ||
    { echo "needs $kubecert, kubecert-bench-make-node and libcurl.so.4" >&2; exit 2; }
out=$build/bench-results
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$out"
"$make_node" "$work/fine" fine rsa >/dev/null

audit="--root $work/fine --flavor kubeadm --format json audit"
# env(1) starts every command, so that the three differ only in what kubecert loads.
set -- -n "lazy (this build)" "env $kubecert $audit" \
    -n "linked (LD_PRELOAD=libcurl.so.4)" "env LD_PRELOAD=$libcurl $kubecert $audit"
if [ -n "${PREV_BUILD:-}" ]; then
    set -- "$@" -n "before (PREV_BUILD)" "env $PREV_BUILD/bin/kubecert $audit"
fi
hyperfine --warmup 5 --min-runs 60 -N \
    --export-markdown "$out/startup.md" --export-json "$out/startup.json" "$@"

python3 - "$out/startup.json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
med = lambda name: results[name]["median"] * 1000
low = lambda name: results[name]["min"] * 1000
for name in results:
    print(f"{name}: median {med(name):.2f} ms, min {low(name):.2f} ms, {len(results[name]['times'])} runs")
lazy, linked = "lazy (this build)", "linked (LD_PRELOAD=libcurl.so.4)"
print(f"linked / lazy: medians {med(linked)/med(lazy):.2f}x, minima {low(linked)/low(lazy):.2f}x")
if "before (PREV_BUILD)" in results:
    before = "before (PREV_BUILD)"
    print(f"lazy / before: medians {med(lazy)/med(before):.2f}x, minima {low(lazy)/low(before):.2f}x")
PY
