#!/usr/bin/env bash
# The Debian package on a fresh Debian 12, for real:
#  1. cpack makes kubecert_<version>_amd64.deb from the build; lintian (when
#     installed) reports no error;
#  2. in a copy of the cached debootstrap root (scripts/real/rootfs.sh),
#     `apt-get install ./kubecert_*.deb` pulls its dependencies from Debian;
#     `kubecert version`, `kubecert plugins` and an audit of a generated
#     kubeadm node and of the bundled EKS example work; the man page and the
#     completion are in place; the audit timer is enabled, the renewal timer
#     is not; `systemd-analyze verify` accepts every unit;
#  3. that root booted with systemd-nspawn: the audit timer fires and writes
#     the Prometheus textfile; the renewal service renews inside its window,
#     holding the configured lock.
# Exit 77 (skipped) without root, the cached root or systemd-nspawn.
set -euo pipefail
build=$(cd "$1" && pwd)
source_dir=$(cd "$2" && pwd)

if [ "$(id -u)" -ne 0 ]; then echo "skipped: needs root (chroot, systemd-nspawn)"; exit 77; fi
rootfs=$("$source_dir/scripts/real/rootfs.sh") || { rc=$?; [ "$rc" = 77 ] && exit 77; exit "$rc"; }
command -v systemd-nspawn >/dev/null || { echo "skipped: systemd-nspawn is not installed"; exit 77; }

work=$(mktemp -d /var/tmp/kubecert-deb.XXXXXX)
nspawn_pid=""
cleanup() {
  if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
    kill "$nspawn_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$nspawn_pid" 2>/dev/null || true
  fi
  for m in proc dev/pts dev; do umount -l "$work/root/$m" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. The packages.
(cd "$build" && cpack -G DEB -B "$work/packages" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack"; }
deb=$(ls "$work"/packages/kubecert_*_amd64.deb)
ls "$work"/packages/kubecert-dev_*_amd64.deb >/dev/null || fail "no kubecert-dev package"
dpkg-deb -c "$deb" >"$work/contents"
grep -q '\./usr/lib/kubecert/kubecert-https\.so$' "$work/contents" || fail "the package has no HTTPS transport module"
dpkg-deb -f "$deb" Depends | grep -q 'libcurl4' || fail "the package does not depend on libcurl4: $(dpkg-deb -f "$deb" Depends)"
grep -q '\./lib/systemd/system/kubecert-audit.timer$' "$work/contents" ||
  fail "the package has no systemd units: configure the build with -DKUBECERT_INSTALL_SYSTEM_FILES=ON"
if command -v lintian >/dev/null; then
  lintian --fail-on error "$work"/packages/*.deb || fail "lintian reports errors"
else
  echo "lintian is not installed: not checked"
fi

# 2. A fresh Debian 12 (a copy: the cache stays as it is).
cp -a "$rootfs" "$work/root"
r=$work/root
cp "$deb" "$r/tmp/"
cp /etc/resolv.conf "$r/etc/resolv.conf"
mount -t proc proc "$r/proc"
mount --bind /dev "$r/dev"
in_root() { chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 "$@"; }
in_root sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends /tmp/kubecert_*.deb' \
  >"$work/apt.log" 2>&1 || { tail -30 "$work/apt.log"; fail "apt-get install ./kubecert_*.deb"; }
in_root kubecert version | grep -q '^kubecert ' || fail "kubecert version"
plugins=$(in_root kubecert plugins)
for p in eks rke kubeadm; do
  grep -q "^$p .*/usr/lib/kubecert/plugins/kubecert-$p.so" <<<"$plugins" || fail "plugin $p not found: $plugins"
done
test -f "$r/usr/share/man/man1/kubecert.1.gz" || fail "no man page"
test -f "$r/usr/share/bash-completion/completions/kubecert" || fail "no bash completion"
test -f "$r/etc/default/kubecert" || fail "no /etc/default/kubecert"
test -L "$r/etc/systemd/system/timers.target.wants/kubecert-audit.timer" || fail "the audit timer is not enabled"
test ! -e "$r/etc/systemd/system/timers.target.wants/kubecert-renew.timer" || fail "the renewal timer is enabled"
in_root systemd-analyze verify --man=no /lib/systemd/system/kubecert-audit.service /lib/systemd/system/kubecert-audit.timer \
  /lib/systemd/system/kubecert-renew.service /lib/systemd/system/kubecert-renew.timer >"$work/verify.log" 2>&1 ||
  { cat "$work/verify.log"; fail "systemd-analyze verify"; }
if [ -s "$work/verify.log" ]; then cat "$work/verify.log"; fail "systemd-analyze verify printed warnings"; fi

# The bundled EKS example and a kubeadm control plane made at / (what the timers look at).
mkdir -p "$r/srv"
cp -a "$source_dir/examples/nodes/eks-al2" "$r/srv/eks"
set +e
in_root kubecert --root /srv/eks audit >"$work/eks.txt" 2>&1
rc=$?
set -e
[ "$rc" = 0 ] || [ "$rc" = 1 ] || { cat "$work/eks.txt"; fail "audit of the EKS example: exit $rc"; }
grep -q '^\[eks\]' "$work/eks.txt" || { cat "$work/eks.txt"; fail "the EKS audit ran no eks checks"; }
cp "$source_dir/examples/nodes/make-kubeadm-node.sh" "$r/tmp/"
in_root bash /tmp/make-kubeadm-node.sh / >/dev/null 2>&1 || fail "make-kubeadm-node.sh"
set +e
in_root kubecert audit >"$work/kubeadm.txt" 2>&1
rc=$?
set -e
# 1: the example node's kubelet does not rotate its client certificate, on purpose.
[ "$rc" = 0 ] || [ "$rc" = 1 ] || { cat "$work/kubeadm.txt"; fail "audit of the kubeadm node: exit $rc"; }
grep -q '^PASS    kubeadm.cert-expiry/apiserver ' "$work/kubeadm.txt" || { cat "$work/kubeadm.txt"; fail "kubeadm audit"; }
for m in dev proc; do umount "$r/$m"; done

# 3. Boot it. The test's drop-ins: the audit timer fires 2 s after boot (with
# AccuracySec=1s: systemd's default of 1 min may delay it by up to a minute); the
# renewal's window covers the one-year certificates, it restarts nothing
# (no container runtime in here) and takes a lock with flock(1).
mkdir -p "$r/etc/systemd/system/kubecert-audit.timer.d"
printf '[Timer]\nOnBootSec=\nOnBootSec=2s\nRandomizedDelaySec=0\nAccuracySec=1s\n' >"$r/etc/systemd/system/kubecert-audit.timer.d/test.conf"
cat >>"$r/etc/default/kubecert" <<'EOF'
KUBECERT_RENEW_WITHIN=400d
KUBECERT_RENEW_OPTIONS=--no-restart
KUBECERT_RENEW_LOCK="flock --wait 60 /run/kubecert-renew.lock"
EOF
machine="kubecert-deb-$$"
systemd-nspawn --register=no --keep-unit -q -D "$r" -M "$machine" --boot </dev/null >"$work/boot.log" 2>&1 &
nspawn_pid=$!
# The container's systemd: the child of the inner nspawn process.
init=""
for _ in $(seq 100); do
  for child in $(pgrep -P "$nspawn_pid" 2>/dev/null) "$nspawn_pid"; do
    for c in $(pgrep -P "$child" 2>/dev/null); do
      if [ "$(cat /proc/"$c"/comm 2>/dev/null)" = systemd ]; then init=$c; fi
    done
  done
  [ -n "$init" ] && break
  sleep 0.2
done
[ -n "$init" ] || { cat "$work/boot.log"; fail "the container's systemd did not start"; }
in_container() { nsenter -t "$init" -a /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "$@"; }
state=""
for _ in $(seq 120); do
  state=$(in_container systemctl is-system-running 2>/dev/null || true)
  case $state in running|degraded) break ;; esac
  sleep 0.5
done
case $state in running|degraded) ;; *) fail "the container did not finish booting ($state)" ;; esac

textfile="$r/var/lib/prometheus/node-exporter/kubecert.prom"
for _ in $(seq 120); do [ -s "$textfile" ] && break; sleep 0.5; done
if [ ! -s "$textfile" ]; then
  in_container systemctl status kubecert-audit.timer kubecert-audit.service --no-pager || true
  in_container journalctl -u kubecert-audit.service --no-pager | tail -20 || true
  fail "the audit timer wrote no textfile"
fi
grep -q '^kubecert_certificate_not_after_seconds{.*name="apiserver"' "$textfile" || { cat "$textfile"; fail "textfile content"; }
grep -q '^kubecert_findings{' "$textfile" || { cat "$textfile"; fail "textfile content"; }
for _ in $(seq 40); do
  [ "$(in_container systemctl show -P Result kubecert-audit.service)" = success ] && break
  sleep 0.5
done
[ "$(in_container systemctl show -P Result kubecert-audit.service)" = success ] || fail "kubecert-audit.service did not succeed"
renew_state=$(in_container systemctl is-enabled kubecert-renew.timer 2>&1 || true)
[ "$renew_state" = disabled ] || { ls -lR "$r/etc/systemd/system"; fail "renew timer not opt-in: $renew_state"; }

# The renewal, started as its timer would: certificates within the window are renewed, under the lock.
# Another node holds the lock for 4 s: the renewal waits for it.
before=$(openssl x509 -noout -enddate -in "$r/etc/kubernetes/pki/apiserver.crt")
in_container flock /run/kubecert-renew.lock sleep 4 &
holder=$!
sleep 1
start=$(date +%s)
in_container systemctl start kubecert-renew.service || {
  in_container journalctl -u kubecert-renew.service --no-pager | tail -30
  fail "kubecert-renew.service failed"
}
waited=$(( $(date +%s) - start ))
wait "$holder" || true
after=$(openssl x509 -noout -enddate -in "$r/etc/kubernetes/pki/apiserver.crt")
[ "$before" != "$after" ] || fail "kubecert-renew.service renewed nothing ($after)"
[ "$waited" -ge 2 ] || fail "the renewal did not wait for the lock (${waited}s)"
echo "debian 12 package, audit timer and renewal: ok"
