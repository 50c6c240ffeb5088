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
echo "install + out-of-tree plugin: ok"
