#!/bin/sh
# deploy/Containerfile: builds the image (Debian's docker.io, a private
# daemon, debian:bookworm-slim made locally) and audits a kubeadm node tree
# mounted read-only at /host, with the DaemonSet's restrictions (read-only
# root file system, every capability dropped but DAC_READ_SEARCH, no network).
#
#   tests/deploy/test_container_image.sh SOURCE_DIR
#
# The image is tagged with a hash of what goes into it and reused while that
# does not change, so only the first run on a machine (or a change of the
# sources) pays for the build. Exit 77: skipped (no docker, not root).
set -eu
src=$(cd "${1:?usage: test_container_image.sh SOURCE_DIR}" && pwd)
state=${KUBECERT_DOCKER_STATE:-/var/tmp/kubecert-docker-test}
. "$src/tests/deploy/private_dockerd.sh"
rc=0; use_private_dockerd "$state" || rc=$?
[ "$rc" = 0 ] || exit "$rc"
rc=0; ensure_debian_base "$src" || rc=$?
[ "$rc" = 0 ] || exit "$rc"

version=$(sed -n 's/^project(kubecert VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
hash=$(cd "$src" && find CMakeLists.txt .dockerignore cmake support core plugins packaging docs deploy/Containerfile -type f -print0 | sort -z |
    xargs -0 sha256sum | sha256sum | cut -c1-12)
image="kubecert:$version-test-$hash"
if docker image inspect "$image" >/dev/null 2>&1; then
    echo "reusing $image"
else
    echo "building $image"
    start=$(date +%s)
    docker build --network host -q -f "$src/deploy/Containerfile" --build-arg BUILD_JOBS="${KUBECERT_IMAGE_BUILD_JOBS:-2}" \
        --build-arg KUBECERT_VERSION="$version" -t "$image" "$src"
    echo "built in $(( $(date +%s) - start )) s"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"; kill "${private_dockerd_pid:-}" 2>/dev/null || true' EXIT
"$src/examples/nodes/make-kubeadm-node.sh" "$work/node" cp-image
chmod -R go+rX "$work/node" 2>/dev/null || true

set +e
docker run --rm --network none --read-only --cap-drop ALL --cap-add DAC_READ_SEARCH \
    -v "$work/node:/host:ro" "$image" --root /host --format json audit >"$work/report.json" 2>"$work/err"
status=$?
set -e
cat "$work/err"
echo "exit status $status"
[ "$status" = 0 ] || [ "$status" = 1 ] || { echo "FAIL: kubecert in the image exited $status"; exit 1; }

python3 - "$work/report.json" "$src/docs/report.schema.json" "$version" <<'PY'
import json, sys
import jsonschema
report = json.load(open(sys.argv[1]))
jsonschema.validate(report, json.load(open(sys.argv[2])))
assert report["tool"]["version"] == sys.argv[3], report["tool"]
assert report["root"] == "/host", report["root"]
assert [p["name"] for p in report["plugins"]] == ["kubeadm"], report["plugins"]
assert report["node"] == {"name": "cp-image", "flavor": "kubeadm"}, report["node"]
assert len(report["certificates"]) >= 14, len(report["certificates"])
assert not report["errors"], report["errors"]
ids = {f["id"] for f in report["findings"]}
assert "kubeadm.cert-expiry/apiserver" in ids, sorted(ids)
print("image report ok:", len(report["findings"]), "findings,", len(report["certificates"]), "certificates")
PY

# The DaemonSet's own loop (deploy/kubernetes/daemonset.yaml), run in the image
# with the DaemonSet's restrictions: the metrics land in the textfile folder.
python3 -c 'import sys, yaml
ds = yaml.safe_load(open(sys.argv[1]))
c = ds["spec"]["template"]["spec"]["containers"][0]
open(sys.argv[2], "w").write(c["args"][0])' "$src/deploy/kubernetes/daemonset.yaml" "$work/loop.sh"
mkdir -p "$work/textfile"
docker run -d --name "kubecert-ds-$hash-$$" --network none --read-only --cap-drop ALL --cap-add DAC_READ_SEARCH \
    -e NODE_NAME=cp-image -e KUBECERT_INTERVAL=3600 -v "$work/node:/host:ro" -v "$work/textfile:/textfile" \
    -v "$work/loop.sh:/loop.sh:ro" --entrypoint /bin/sh "$image" /loop.sh >/dev/null
i=0
until [ -s "$work/textfile/kubecert.prom" ] || [ "$i" -gt 60 ]; do i=$((i + 1)); sleep 0.5; done
logs=$(docker logs "kubecert-ds-$hash-$$" 2>&1)
docker rm -f "kubecert-ds-$hash-$$" >/dev/null
echo "$logs"
grep -q 'kubecert_certificate_not_after_seconds{plugin="kubeadm",name="apiserver"' "$work/textfile/kubecert.prom" ||
    { echo "FAIL: the DaemonSet loop wrote no metrics"; exit 1; }
echo "$logs" | grep -q "kubecert audit of cp-image: exit status [01]$" || { echo "FAIL: no verdict line in the log"; exit 1; }
ls -A "$work/textfile" | grep -qv '^kubecert.prom$' && { echo "FAIL: a temporary file was left beside the metrics"; exit 1; }

# The entrypoint is kubecert itself.
docker run --rm --network none "$image" version | grep -q "^kubecert $version "
echo "PASS"
