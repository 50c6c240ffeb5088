#!/usr/bin/env bash
# Sets up a Debian 12 machine, builds kubecert and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
ctest --test-dir build --output-on-failure -j2 --timeout 600
