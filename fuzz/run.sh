#!/usr/bin/env bash
# Runs every fuzzer of a -DKUBECERT_FUZZ=ON build for SECONDS each (default
# 15), as many at a time as there are cores (each is one process), and fails
# when any finds a defect; the reproducer is left in BUILD/fuzz/artifacts/.
# Usage: fuzz/run.sh BUILD_DIR [SECONDS]
set -euo pipefail
build=$(cd "$1" && pwd)
seconds=${2:-15}
src=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$build/fuzz/artifacts"

# One fuzzer; its output goes to BUILD/fuzz/NAME.log, shown when it found something.
fuzz_one() {
  local bin=$1 name=${1##*/fuzz_}
  # New inputs go into the first folder (the build's), never into the committed corpus.
  local work="$build/fuzz/work/$name"
  mkdir -p "$work" "$src/corpus/$name"
  echo "== fuzz_$name (${seconds}s)"
  if ! "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
      -artifact_prefix="$build/fuzz/artifacts/${name}-" -print_final_stats=0 \
      "$work" "$src/corpus/$name" "$build/fuzz/seeds/$name" >"$build/fuzz/$name.log" 2>&1; then
    echo "fuzz_$name found a defect:"
    tail -n 60 "$build/fuzz/$name.log"
    return 1
  fi
}

slots=$(nproc)
pids=()
for bin in "$build"/fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  # A free core first: wait for any running fuzzer to end (its status is collected below).
  while [ "$(jobs -rp | wc -l)" -ge "$slots" ]; do wait -n || true; done
  fuzz_one "$bin" &
  pids+=("$!")
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status
