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
  libssl-dev libyaml-cpp-dev nlohmann-json3-dev libboost-program-options-dev
  libpugixml-dev libgtest-dev libgmock-dev
  python3 python3-jsonschema
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
