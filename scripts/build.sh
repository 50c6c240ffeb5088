#!/usr/bin/env bash
# Configures and builds kubecert into ./build (Release with debug info);
# warnings are errors in CI (CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."
werror=OFF
if [ "${CI:-}" = "true" ]; then werror=ON; fi
# KUBECERT_INSTALL_SYSTEM_FILES: scripts/package.sh makes the Debian packages from this build.
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKUBECERT_WERROR="$werror" -DKUBECERT_INSTALL_SYSTEM_FILES=ON >/dev/null
cmake --build build -j"$(nproc)"
