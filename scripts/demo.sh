#!/usr/bin/env bash
# Sets up a Debian 12 machine, builds kubecert, then audits and dry-run fixes
# the bundled example nodes (nothing on this machine is changed).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The demo needs kubecert and its plugins, not the GoogleTest programs.
KUBECERT_GTEST_PROGRAMS=OFF scripts/build.sh
kubecert=build/bin/kubecert

# Runs kubecert, shows its exit status; 0 and 1 (findings FAIL) are expected
# on these nodes, anything else means the demo itself broke.
show() {
  echo
  echo "\$ kubecert $*"
  set +e
  "$kubecert" "$@"
  rc=$?
  set -e
  echo "(exit status $rc)"
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then exit "$rc"; fi
}

# The EKS example is copied so that even a mistaken real fix could not touch the checkout.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -a examples/nodes/eks-al2 "$work/eks"
echo "=== EKS worker node (examples/nodes/eks-al2) ==="
show --root "$work/eks" audit
show --root "$work/eks" fix --dry-run

echo
echo "=== kubeadm control-plane node (examples/nodes/make-kubeadm-node.sh), 350 days from now ==="
examples/nodes/make-kubeadm-node.sh "$work/kubeadm"
later=$(date -u -d '+350 days' +%Y-%m-%dT%H:%M:%SZ)
show --root "$work/kubeadm" --now "$later" certs
show --root "$work/kubeadm" --now "$later" audit
show --root "$work/kubeadm" --now "$later" fix --dry-run
