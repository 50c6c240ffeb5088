#!/bin/sh
# Benchmark of `kubecert report merge` (issue 13): merges N generated JSON
# reports (default 10,000) of kubeadm control-plane nodes and reports the
# median wall time (hyperfine) and the peak memory (/usr/bin/time -v).
#
#   bench/fleet_merge.sh BUILD_DIR [N] [RUNS]
#
# The reports are made from one real report (`kubecert --format json audit`
# of a node from kubecert-bench-make-node: 14 certificates, 21 findings with
# their evidence), each with its own node name, time, certificate expiry
# dates and a share of FAIL/WARN/ERROR findings, so the merge does the same
# work as on a real fleet. Target: under 1 s median on 2 cores.
set -eu
build=$(cd "${1:?usage: fleet_merge.sh BUILD_DIR [N] [RUNS]}" && pwd)
n=${2:-10000}
runs=${3:-10}
kubecert=$build/bin/kubecert
make_node=$build/bin/kubecert-bench-make-node
for p in "$kubecert" "$make_node"; do [ -x "$p" ] || { echo "$p is not built" >&2; exit 2; }; done
command -v hyperfine >/dev/null || { echo "hyperfine is required (apt-get install hyperfine)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is required (apt-get install time)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
"$make_node" "$work/node" fine rsa
set +e
"$kubecert" --root "$work/node" --node-name template --format json audit >"$work/template.json"
set -e
# FLEET_BENCH_REPORTS=DIR keeps the generated reports in DIR and reuses them (same N).
reports=${FLEET_BENCH_REPORTS:-$work/reports}
if [ -n "${FLEET_BENCH_REPORTS:-}" ] && [ "$(ls "$reports" 2>/dev/null | wc -l)" = "$n" ]; then
    echo "== reusing the $n reports in $reports"
else
mkdir -p "$reports"
python3 - "$work/template.json" "$reports" "$n" <<'PY'
import copy, datetime, json, random, sys
template = json.load(open(sys.argv[1]))
out, n = sys.argv[2], int(sys.argv[3])
rnd = random.Random(13)
base = datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc)
fmt = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
for i in range(n):
    r = copy.deepcopy(template)
    name = f"node-{i:05d}"
    r["node"] = {"name": name, "flavor": "kubeadm"}
    at = base - datetime.timedelta(seconds=rnd.randrange(0, 6 * 3600))
    r["generated_at"] = fmt(at)
    for c in r["certificates"]:
        left = rnd.randrange(-5, 365) * 86400 + rnd.randrange(86400)
        c["not_after"] = fmt(at + datetime.timedelta(seconds=left))
        c["residual_seconds"] = left
    for f in r["findings"]:
        x = rnd.random()
        f["status"] = "FAIL" if x < 0.03 else "WARN" if x < 0.06 else "ERROR" if x < 0.065 else f["status"]
    r["summary"] = {s: sum(f["status"] == s for f in r["findings"]) for s in ("PASS", "FAIL", "WARN", "INFO", "ERROR")}
    with open(f"{out}/{name}.json", "w") as fh:
        json.dump(r, fh, indent=2)
PY
fi
bytes=$(du -sb "$reports" | cut -f1)
echo "== $n reports, $((bytes / n)) bytes each on average, $((bytes / 1048576)) MiB in all (page cache warm after the first run)"

for format in json text prometheus; do
    "$kubecert" --format "$format" --output "$work/fleet.$format" --now 2026-12-01T06:00:00Z report merge "$reports" || true
done
python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print('merged:', j['summary']['nodes'], 'nodes,', j['summary']['unreadable'], 'unreadable')" "$work/fleet.json"

hyperfine --warmup 2 --runs "$runs" -N -i --export-json "$work/merge.json" \
    -n "report merge --format json ($n reports)" \
    "$kubecert --format json --output $work/out.json --now 2026-12-01T06:00:00Z report merge $reports" \
    -n "report merge --format text ($n reports)" \
    "$kubecert --format text --output $work/out.txt --now 2026-12-01T06:00:00Z report merge $reports"

for format in json text; do
    /usr/bin/time -v "$kubecert" --format "$format" --output "$work/out.$format" --now 2026-12-01T06:00:00Z \
        report merge "$reports" 2>"$work/time.$format" || true
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.$format")
    echo "peak RSS, --format $format: $rss KiB"
done
python3 - "$work/merge.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"{r['command']}: median {r['median']*1000:.0f} ms (min {r['min']*1000:.0f}, max {r['max']*1000:.0f}, "
          f"user {r['user']*1000:.0f} ms, system {r['system']*1000:.0f} ms) -- target < 1000 ms")
PY
