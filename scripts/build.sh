#!/usr/bin/env bash
# Configures and builds kubecert into ./build (Release with debug info);
# in CI (CI=true) warnings are errors and the build has no debug info.
set -euo pipefail
cd "$(dirname "$0")/.."
werror=OFF
# -g roughly doubles what the compiler writes and costs CI minutes of its 30; CI keeps -O2 (the
# code the developer build runs), drops only the debug info. Developers keep it.
flags=()
if [ "${CI:-}" = "true" ]; then
  werror=ON
  flags=(-DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -DNDEBUG" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 -DNDEBUG")
fi
# KUBECERT_INSTALL_SYSTEM_FILES: scripts/package.sh makes the Debian packages from this build.
# ccache when the machine has it (a rebuild on the same machine costs seconds); never required.
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR="$PWD" # paths relative to the checkout: another clone hits the same cache
  export CCACHE_NOHASHDIR=1    # ... debug info included (its paths then name the first clone's folder)
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
# KUBECERT_GTEST_PROGRAMS=OFF (scripts/test.sh): without the unit and end-to-end test programs.
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKUBECERT_WERROR="$werror" -DKUBECERT_INSTALL_SYSTEM_FILES=ON \
  -DKUBECERT_GTEST_PROGRAMS="${KUBECERT_GTEST_PROGRAMS:-ON}" "${flags[@]}" "${launcher[@]}" >/dev/null
cmake --build build -j"$(nproc)"
