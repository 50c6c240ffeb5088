#!/usr/bin/env bash
# Prints the path of a cached Debian 12 root file system that boots with
# systemd-nspawn (systemd, dbus, openssl), made once with debootstrap.
#
# Used by the real-component tests (systemd in a container). The cache
# lives in ${KUBECERT_TEST_CACHE:-/var/cache/kubecert-test}; it is made
# under a temporary name and renamed when complete, so an interrupted run
# never leaves a half-made root behind. Tests must not change the cached
# tree: they boot a copy or use --overlay / --volatile=overlay.
#
# Exit 0 with the path on stdout, or exit 77 (ctest's "skipped") with the
# reason on stderr when debootstrap or systemd-nspawn is not available.
#
# Booting it where the host's PID 1 is not systemd (CI containers):
#   systemd-nspawn --register=no --keep-unit --volatile=overlay -D ROOT -M NAME --boot </dev/null &
# then find the container's systemd (the child of the inner nspawn process)
# and run commands in it with `nsenter -t PID -a systemctl is-system-running`.
set -euo pipefail
cache="${KUBECERT_TEST_CACHE:-/var/cache/kubecert-test}"
root="$cache/bookworm-systemd"
# Bump when the package list changes, so caches made before are rebuilt.
version=1
packages=systemd,systemd-sysv,dbus,openssl

if [ -f "$root/.kubecert-rootfs-$version" ]; then
  echo "$root"
  exit 0
fi
for tool in debootstrap systemd-nspawn; do
  if ! command -v "$tool" >/dev/null; then
    echo "rootfs.sh: $tool is not installed (apt-get install debootstrap systemd-container)" >&2
    exit 77
  fi
done
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
# Another run may have made it while this one waited for the lock.
if [ -f "$root/.kubecert-rootfs-$version" ]; then
  echo "$root"
  exit 0
fi
tmp="$cache/.bookworm-systemd.tmp"
rm -rf "$tmp" "$root"
mirror="${KUBECERT_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
if ! debootstrap --variant=minbase --include="$packages" bookworm "$tmp" "$mirror" >"$cache/debootstrap.log" 2>&1; then
  echo "rootfs.sh: debootstrap failed, see $cache/debootstrap.log" >&2
  tail -5 "$cache/debootstrap.log" >&2
  exit 1
fi
# A machine id and no getty: the container is booted headless by tests.
: >"$tmp/etc/machine-id"
rm -f "$tmp/etc/systemd/system/getty.target.wants/"* 2>/dev/null || true
touch "$tmp/.kubecert-rootfs-$version"
mv "$tmp" "$root"
echo "$root"
