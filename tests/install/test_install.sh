#!/bin/sh
# Installs kubecert from the build tree into a temporary prefix, builds the
# example out-of-tree plugin against the INSTALLED package (find_package),
# and checks that the installed kubecert finds its own plugins with no flag
# and loads the example plugin with --plugin-dir.
set -eu
build_dir=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"

cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
test -x "$work/prefix/bin/kubecert"
test -f "$work/prefix/include/kubecert/plugin.h"
test -f "$work/prefix/include/kubecert/sdk.hpp"

cmake -S "$source_dir/examples/hostcert-plugin" -B "$work/example" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/example" >/dev/null
plugin="$work/example/kubecert-hostcert.so"
test -f "$plugin"
# Exactly one exported symbol.
exported=$(nm -D --defined-only "$plugin" | awk '{print $3}' | grep -v '^$' | sort | tr '\n' ' ')
[ "$exported" = "kubecert_plugin_entry " ] || { echo "unexpected exports: $exported"; exit 1; }

out=$(env -u KUBECERT_PLUGIN_PATH "$work/prefix/bin/kubecert" plugins)
for p in eks rke kubeadm; do
  echo "$out" | grep -q "^$p " || { echo "installed kubecert lacks plugin $p:"; echo "$out"; exit 1; }
done
echo "$out" | grep -q "$work/prefix/lib" || { echo "plugins not from the prefix: $out"; exit 1; }

mkdir -p "$work/node/etc/ssl/node"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/node/etc/ssl/node/tls.crt" \
  -days 10 -subj /CN=node >/dev/null 2>&1
set +e
"$work/prefix/bin/kubecert" --plugin-dir "$work/example" --root "$work/node" --flavor hostcert --format json audit > "$work/report.json"
rc=$?
set -e
[ "$rc" = 0 ] || { echo "audit exit $rc"; cat "$work/report.json"; exit 1; }
grep -q '"id": "hostcert.expiry"' "$work/report.json"
grep -q '"status": "WARN"' "$work/report.json" || { echo "expected WARN for a 10-day certificate"; cat "$work/report.json"; exit 1; }

# The HTTPS transport is installed beside the plugins' folder, exports its one
# table, and the installed kubecert loads it on the first HTTPS request: the
# test plugin apiprobe (tests/plugins/apiprobe.cpp) asks for a server nobody
# listens on, so the answer says the connection failed, not that the module is missing.
https_module=$(find "$work/prefix" -name kubecert-https.so)
[ -n "$https_module" ] || { echo "kubecert-https.so is not installed"; exit 1; }
case "$https_module" in "$work"/prefix/lib*/kubecert/kubecert-https.so) ;; *) echo "unexpected place: $https_module"; exit 1 ;; esac
exported=$(nm -D --defined-only "$https_module" | awk '{print $3}' | grep -v '^$' | sort | tr '\n' ' ')
[ "$exported" = "kubecert_https_transport " ] || { echo "unexpected exports of the HTTPS module: $exported"; exit 1; }
mkdir -p "$work/probe" "$work/node/etc/kubernetes"
cp "$build_dir/tests/test-plugins/apiprobe.so" "$work/probe/"
ca=$(base64 -w0 < "$work/node/etc/ssl/node/tls.crt")
printf 'apiVersion: v1\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n    certificate-authority-data: %s\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\nusers:\n- name: u\n  user:\n    token: install-test-token\n' \
  "$ca" > "$work/node/etc/kubernetes/admin.conf"
set +e
"$work/prefix/bin/kubecert" --plugin-dir "$work/probe" --root "$work/node" --flavor apiprobe \
  --apiprobe-kubeconfig /etc/kubernetes/admin.conf --format json audit > "$work/https.json"
set -e
grep -q 'GET https://127.0.0.1:1/api: connection failed' "$work/https.json" ||
  { echo "the installed kubecert did not send through its HTTPS module:"; cat "$work/https.json"; exit 1; }
echo "install + out-of-tree plugin + HTTPS module: ok"
