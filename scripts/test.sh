#!/usr/bin/env bash
# Sets up a Debian 12 machine, builds kubecert and runs the whole test suite,
# then the clang/ASan/UBSan build, its test run and the bounded fuzz runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
ctest --test-dir build --output-on-failure -j2 --timeout 600
# The second compiler, the sanitizers and the fuzzers (installs clang itself).
scripts/ci-extra.sh
