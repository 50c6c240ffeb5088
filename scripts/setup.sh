#!/usr/bin/env bash
# Installs what kubecert needs to build and test on Debian 12 (all from Debian's packages).
# lintian, bash-completion and man-db check the Debian package, the completion and the
# man page; debootstrap and systemd-container run the package on a fresh Debian 12.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
packages=(
  lintian bash-completion man-db util-linux debootstrap systemd-container
  build-essential cmake pkg-config binutils ca-certificates openssl
  libssl-dev libyaml-cpp-dev nlohmann-json3-dev libboost-program-options-dev libcurl4-openssl-dev
  libpugixml-dev libgtest-dev libgmock-dev
  python3 python3-jsonschema
  # Real components of `ctest -L real` (tests/real): a private dockerd, etcd, systemd booted
  # with systemd-nspawn in a debootstrap root file system, busybox for the test's kubelet image.
  docker.io etcd-server etcd-client systemd-container debootstrap busybox-static util-linux procps
  # The serving-CSR tests' kubelet stand-in and their checks of the stand-in API server.
  curl
  # The kill test of the journaled transaction (strace's syscall fault injection).
  strace
  # fleet deployment tests (deploy/): the image build, the Ansible role, the manifests
  ansible-core python3-yaml time
  # The second compiler of CI (warnings as errors, AddressSanitizer + UBSan, libFuzzer;
  # llvm-14 for readable sanitizer stacks) and the house format's checker.
  clang-14 libclang-rt-14-dev llvm-14 clang-format-14
)
# kubectl (kubectl proxy) is Debian's kubernetes-client, unless a kubectl is already installed
# (another package's /usr/bin/kubectl conflicts with it).
if ! command -v kubectl >/dev/null; then packages+=(kubernetes-client); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The cached root file system the systemd test boots (debootstrap, once; about 2 minutes).
# Kept in /var/cache/kubecert-test between runs: CI caches that folder.
$sudo "$(dirname "$0")/real/rootfs.sh" >/dev/null
