#!/bin/sh
# deploy/ansible: runs site.yml for real with Debian's ansible-core against
# localhost (-i localhost, -c local) on generated kubeadm node trees, the
# kubecert of this build installed by the role (kubecert_install_method=binary).
#
#   tests/deploy/test_ansible_role.sh BUILD_DIR SOURCE_DIR
#
# 1. audit: the report is fetched to the controller, names the node, and the
#    fleet report (JSON, Prometheus, text) is built from it;
# 2. fix (control plane, serial 1, --no-restart) on a node whose certificates
#    expired: the fix report is fetched, the fleet report shows the node fixed;
# 3. a fix that fails (the control plane does not come back: crictl and
#    systemctl are failing stand-ins) stops the play, the node is rolled back
#    and no fleet report is built;
# 4. an audit that cannot run (no kubernetes node under the root) fails the play on the fleet's status.
# Exit 77: skipped (no ansible-playbook, not root).
set -eu
build=$(cd "${1:?usage: test_ansible_role.sh BUILD_DIR SOURCE_DIR}" && pwd)
src=$(cd "${2:?usage: test_ansible_role.sh BUILD_DIR SOURCE_DIR}" && pwd)
command -v ansible-playbook >/dev/null 2>&1 || { echo "SKIP: no ansible-playbook (apt-get install ansible-core)"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: the role installs root-owned files; run as root"; exit 77; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ANSIBLE_CONFIG="$src/deploy/ansible/ansible.cfg" ANSIBLE_HOME="$work/ansible-home" ANSIBLE_LOCAL_TEMP="$work/ansible-tmp"
export ANSIBLE_REMOTE_TEMP="$work/ansible-remote" ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
# Stand-ins first on PATH: nothing the fix runs may reach this machine's services.
mkdir -p "$work/bin"
printf '#!/bin/sh\necho "stand-in: $0 $*" >&2\nexit 1\n' >"$work/bin/crictl"
printf '#!/bin/sh\necho "stand-in: $0 $*" >&2\nexit 1\n' >"$work/bin/systemctl"
chmod 755 "$work/bin/crictl" "$work/bin/systemctl"
export PATH="$work/bin:$PATH"

make_node="$build/bin/kubecert-bench-make-node"
[ -x "$make_node" ] || { echo "SKIP: $make_node is not built (bench/ is left out of sanitizer builds)"; exit 77; }

# run_playbook NAME ROOT EXTRA...: runs site.yml, output in $work/NAME.log, status in $status.
run_playbook() {
    name=$1 root=$2
    shift 2
    set +e
    ansible-playbook -i localhost, -c local "$src/deploy/ansible/site.yml" \
        -e kubecert_root="$root" -e kubecert_binary_src="$build/bin/kubecert" \
        -e kubecert_plugins_src="$build/lib/kubecert/plugins" -e kubecert_prefix="$work/prefix-$name" \
        -e kubecert_remote_report="$work/remote-$name.json" \
        -e kubecert_report_dir="$work/reports-$name" -e kubecert_fleet_report_dir="$work/fleet-$name" \
        -e kubecert_controller_command="$build/bin/kubecert" -e kubecert_control_plane_hosts=localhost \
        -e kubecert_become=false \
        "$@" >"$work/$name.log" 2>&1
    status=$?
    set -e
    echo "== $name: ansible-playbook exit status $status"
}
fail() {
    echo "FAIL: $*"
    echo "--- playbook output ---"
    cat "$work/$name.log"
    exit 1
}

# 1. audit
"$make_node" "$work/fine" fine rsa
run_playbook audit "$work/fine"
[ "$status" = 0 ] || fail "the audit play failed"
python3 - "$work" "$src" <<'PY' || fail "audit reports"
import json, sys, jsonschema
work, src = sys.argv[1], sys.argv[2]
report = json.load(open(f"{work}/reports-audit/localhost.json"))
jsonschema.validate(report, json.load(open(f"{src}/docs/report.schema.json")))
assert report["command"] == "audit"
assert report["node"] == {"name": "localhost", "flavor": "kubeadm"}, report["node"]
assert report["root"] == f"{work}/fine", report["root"]
fleet = json.load(open(f"{work}/fleet-audit/fleet.json"))
jsonschema.validate(fleet, json.load(open(f"{src}/docs/fleet.schema.json")))
assert [n["name"] for n in fleet["nodes"]] == ["localhost"], fleet["nodes"]
assert fleet["summary"]["unreadable"] == 0 and fleet["summary"]["stale"] == 0, fleet["summary"]
assert fleet["nodes"][0]["status"] in ("PASS", "WARN", "FAIL"), fleet["nodes"][0]["status"]
prom = open(f"{work}/fleet-audit/fleet.prom").read()
assert 'kubecert_fleet_node_status{node="localhost",flavor="kubeadm",status=' in prom
assert "localhost" in open(f"{work}/fleet-audit/fleet.txt").read()
print("audit: report fetched, fleet report built;", fleet["nodes"][0]["status"])
PY
grep -q "audit exit status" "$work/audit.log" || fail "the verdict is not shown"
[ "$(stat -c '%U %a' "$work/prefix-audit/lib/kubecert/plugins")" = "root 755" ] || fail "plugins folder owner/mode"

# 2. fix, control plane, serial 1, without restarts (the stand-ins would fail them)
"$make_node" "$work/due" due rsa
run_playbook fix "$work/due" -e kubecert_fix=true -e '{"kubecert_fix_args": ["--no-restart"]}'
[ "$status" = 0 ] || fail "the fix play failed"
python3 - "$work" <<'PY' || fail "fix reports"
import json, sys
work = sys.argv[1]
audit = json.load(open(f"{work}/reports-fix/localhost.json"))
assert audit["summary"]["FAIL"] > 0, audit["summary"]  # the expired certificates
fix = json.load(open(f"{work}/reports-fix/localhost.fix.json"))
assert fix["command"] == "fix" and not fix["dry_run"]
assert any(a["status"] == "applied" for a in fix["actions"]), fix["actions"]
after = {f["id"]: f["status"] for f in fix["after"]}
assert after["kubeadm.cert-expiry/apiserver"] == "PASS", after
fleet = json.load(open(f"{work}/fleet-fix/fleet.json"))
node = fleet["nodes"][0]
assert fleet["summary"]["superseded"] == 1 and node["source"].endswith("localhost.fix.json"), (fleet["summary"], node)
assert "kubeadm.cert-expiry/apiserver" not in [f["id"] for f in node["failing"]], node["failing"]
print("fix: applied, fix report fetched; fleet shows the node as", node["status"])
PY
grep -q "serial" "$src/deploy/ansible/site.yml"

# 3. a failed fix stops the play (the node tree stands for the running system: --live-system yes,
#    so that the restart is attempted and its failing stand-ins fail it)
"$make_node" "$work/broken" due rsa
before=$(sha256sum "$work/broken/etc/kubernetes/pki/apiserver.crt")
run_playbook failing "$work/broken" -e kubecert_fix=true \
    -e '{"kubecert_extra_args": ["--live-system", "yes", "--kubeadm-restart-timeout", "2s"]}'
[ "$status" != 0 ] || fail "a failed fix must fail the playbook"
grep -q "the fix failed and its changes were rolled back" "$work/failing.log" || fail "no fix failure message"
grep -q "Build the fleet report" "$work/failing.log" && fail "the play went on after the failed fix"
[ "$(sha256sum "$work/broken/etc/kubernetes/pki/apiserver.crt")" = "$before" ] || fail "the failed fix was not rolled back"
[ -f "$work/reports-failing/localhost.fix.json" ] || fail "the failed fix's report was not fetched"

# 4. no node under the root: kubecert still writes its report (with the error, exit 3), the
#    fleet report counts the node as ERROR and the play fails on the fleet's status
mkdir -p "$work/empty"
run_playbook empty "$work/empty"
[ "$status" != 0 ] || fail "a node kubecert cannot audit must fail the play"
grep -q "audit exit status 3" "$work/empty.log" || fail "the audit's exit status 3 is not shown"
grep -q "fleet exit status 3" "$work/empty.log" || fail "the fleet's status 3 is not shown"

echo "PASS"
