#!/usr/bin/env bash
# CI, the clang half: on Debian 12 (as root, or with sudo), a clang 14 build of
# everything with AddressSanitizer + UndefinedBehaviorSanitizer, warnings as
# errors and the libFuzzer harnesses, in build-clang/; runs the in-process and
# end-to-end tests under the sanitizers, then each fuzzer for a bounded time
# (KUBECERT_FUZZ_SECONDS each, default 8: under 2 minutes in all). Fails on any
# warning, test failure, sanitizer report or fuzzer finding.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
jobs=$(nproc)

# -O1 with line tables only: what the sanitizers need for fast code and
# readable stacks, compiling faster than -O2 -g (the CI time budget).
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR="$PWD" # paths relative to the checkout: another clone hits the same cache
  export CCACHE_NOHASHDIR=1    # ... debug info included (its paths then name the first clone's folder)
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
CC=clang-14 CXX=clang++-14 cmake -S . -B build-clang -DCMAKE_BUILD_TYPE=None "${launcher[@]}" \
  -DCMAKE_C_FLAGS="-O1 -gline-tables-only" -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only" \
  -DKUBECERT_SANITIZE=ON -DKUBECERT_FUZZ=ON -DKUBECERT_WERROR=ON >/dev/null
cmake --build build-clang -j"$jobs"

# Any sanitizer report fails the test that triggered it; leaks included.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Every test runs once per CI run: the in-process and end-to-end tests here, under the
# sanitizers; the real-component, package, install and deploy tests (daemons, packaging: the
# release build is what they are about) in scripts/test.sh's gcc build. Most tests wait on
# programs and sockets, so one more job than cores.
ctest --test-dir build-clang --output-on-failure -j"$((jobs + 1))" --timeout 900 \
  -LE '^(real|image|package|install|deploy)$'

fuzz/run.sh build-clang "${KUBECERT_FUZZ_SECONDS:-8}"
