#!/bin/sh
# Makes the serving certificate a kubelet started without --tls-cert-file
# makes for itself (pre-1.0 RKE): a throw-away CA "<host>-ca@<unix time>"
# signing "<host>@<unix time>", both in DIR/kubelet.crt (leaf first), the key
# in DIR/kubelet.key (0600). Usage: make-own-cert.sh DIR HOST DAYS
# Runs in the test's kubelet image (busybox sh + openssl) and on the host.
set -eu
dir=$1 host=$2 days=$3
ts=$(date +%s)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
umask 077
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days "$days" \
  -subj "/CN=$host-ca@$ts" -addext basicConstraints=critical,CA:TRUE \
  -addext keyUsage=critical,keyCertSign,digitalSignature \
  -keyout "$tmp/ca.key" -out "$tmp/ca.crt" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$host@$ts" \
  -keyout "$tmp/kubelet.key" -out "$tmp/kubelet.csr" 2>/dev/null
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:%s,IP:127.0.0.1\n' \
  "$host" >"$tmp/ext"
openssl x509 -req -in "$tmp/kubelet.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" -set_serial "$ts" \
  -days "$days" -extfile "$tmp/ext" -out "$tmp/leaf.crt" 2>/dev/null
mkdir -p "$dir"
cat "$tmp/leaf.crt" "$tmp/ca.crt" >"$dir/kubelet.crt"
cp "$tmp/kubelet.key" "$dir/kubelet.key"
chmod 0644 "$dir/kubelet.crt"
chmod 0600 "$dir/kubelet.key"
