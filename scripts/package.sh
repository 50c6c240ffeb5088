#!/usr/bin/env bash
# Makes the Debian packages kubecert_<version>_amd64.deb and
# kubecert-dev_<version>_amd64.deb (CPack DEB, Depends from dpkg-shlibdeps)
# from the build in ${1:-build} (scripts/build.sh makes it), into
# ${1:-build}/packages, and checks them with lintian when it is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cmake -S . -B "$build" -DKUBECERT_INSTALL_SYSTEM_FILES=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
rm -rf "$build/packages"
(cd "$build" && cpack -G DEB -B "$PWD/packages" >/dev/null)
rm -rf "$build/packages/_CPack_Packages"
ls "$build"/packages/*.deb
if command -v lintian >/dev/null; then
  # Errors fail; the warnings left are listed in packaging/README.md.
  lintian --fail-on error --suppress-tags-from-file packaging/lintian-suppressed "$build"/packages/*.deb
fi
