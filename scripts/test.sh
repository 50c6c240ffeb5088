#!/usr/bin/env bash
# Sets up a Debian 12 machine, builds kubecert and runs the whole test suite,
# then the clang/ASan/UBSan build, its test run and the bounded fuzz runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
# The container image test (label `image`) builds kubecert inside docker from scratch, 10 to 25
# minutes on 2 cores: run it with `ctest --test-dir build -L image`; it is left out here to keep
# the whole run, sanitizers and fuzzers included, within CI's 30 minutes.
ctest --test-dir build --output-on-failure -j2 --timeout 600 -LE '^image$'
# The second compiler, the sanitizers and the fuzzers (installs clang itself).
scripts/ci-extra.sh
