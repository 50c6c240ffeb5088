#!/usr/bin/env bash
# Real component: systemd (Debian 12 booted with systemd-nspawn).
#
# The cached debootstrap root file system (scripts/real/rootfs.sh) boots in
# a container (--volatile=overlay: the cache is never changed; private
# network: only the container's loopback). Into it go the EKS AMI's
# kubelet.service, the bootstrap.sh drop-in and kubelet-config.json (shared
# upstream fixtures), a kubelet stand-in (eks/kubelet) that refuses unknown
# flags and logs the configuration it loaded, and two things the AMI's unit
# needs that a Debian container lacks: a docker.service (Requires=) and
# /sbin/iptables (ExecStartPre), both no-ops. The build folder is mounted
# read-only at /opt/kubecert-build; the libraries kubecert needs that the root
# file system lacks are mounted from the host at /opt/kubecert-libs.
# `kubecert --flavor eks fix --yes` runs INSIDE the container (nsenter), so it
# calls the real systemctl daemon-reload / restart kubelet / is-active.
source "$(dirname "$0")/lib.sh"
need_root systemd-nspawn
need systemd-nspawn systemd-container
need nsenter util-linux
: "${KUBECERT_BUILD_DIR:?}"
fixtures=${KUBECERT_FIXTURES:?}/amazon-eks-ami

set +e
rootfs=$("${KUBECERT_SOURCE_DIR:?}/scripts/real/rootfs.sh")
rc=$?
set -e
[ "$rc" -eq 77 ] && skip "no root file system to boot (scripts/real/rootfs.sh: see above)"
[ "$rc" -eq 0 ] || fail "scripts/real/rootfs.sh failed ($rc)"

# Host libraries of kubecert and its plugins that the root file system does not have.
libs=$work/libs
mkdir -p "$libs"
for f in "$KUBECERT" "$KUBECERT_BUILD_DIR"/lib/kubecert/plugins/*.so; do
  ldd "$f" | awk '$3 ~ /^\// {print $3}'
done | sort -u | while read -r lib; do
  name=$(basename "$lib")
  [ -e "$rootfs/usr/lib/x86_64-linux-gnu/$name" ] || [ -e "$rootfs/lib/x86_64-linux-gnu/$name" ] ||
    cp -L "$lib" "$libs/$name"
done

machine=kubecert-eks-$$
spawn "$work/logs/nspawn.log" systemd-nspawn --quiet --register=no --keep-unit --volatile=overlay \
  --private-network -D "$rootfs" -M "$machine" \
  --bind-ro="$KUBECERT_BUILD_DIR:/opt/kubecert-build" --bind-ro="$libs:/opt/kubecert-libs" --boot
nspawn_pid=$!
on_exit "stop_pid $nspawn_pid 30"

# The container's systemd: a child of nspawn, or of its inner process (versions differ).
container_init() {
  local child grandchild
  for child in $(ps -o pid= --ppid "$nspawn_pid"); do
    [ "$(cat "/proc/$child/comm" 2>/dev/null)" = systemd ] && { echo "$child"; return 0; }
    for grandchild in $(ps -o pid= --ppid "$child"); do
      [ "$(cat "/proc/$grandchild/comm" 2>/dev/null)" = systemd ] && { echo "$grandchild"; return 0; }
    done
  done
  return 1
}
wait_for 30 container_init || {
  kill -0 "$nspawn_pid" 2>/dev/null || skip "systemd-nspawn cannot boot a container here: $(tail -n 3 "$work/logs/nspawn.log" | tr '\n' ' ')"
  fail "no systemd in the container after 30 s"
}
init=$(container_init)
in_ct() {
  nsenter -t "$init" -a env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LD_LIBRARY_PATH=/opt/kubecert-libs "$@"
}
system_up() { in_ct systemctl is-system-running | grep -Eq '^(running|degraded)$'; }
wait_for 60 system_up || fail "the container's systemd did not finish booting: $(in_ct systemctl is-system-running)"
log "systemd $(in_ct systemctl --version | head -n 1 | cut -d' ' -f2) booted in the container (pid $init)"

# --- the node's files, written into the running container ---------------------------------------------
ct=/proc/$init/root
put() { # SOURCE NODE-PATH MODE
  in_ct mkdir -p "$(dirname "$2")"
  cat "$1" >"$ct$2"
  chmod "$3" "$ct$2"
}
put "$KUBECERT_REAL_DIR/eks/kubelet" /usr/bin/kubelet 0755
printf '#!/bin/sh\n# iptables stand-in: the ExecStartPre of the AMI unit; nothing to do in this container.\nexit 0\n' \
  >"$work/iptables"
put "$work/iptables" /usr/sbin/iptables 0755
printf '[Unit]\nDescription=docker stand-in (the AMI kubelet.service Requires= it)\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n' \
  >"$work/docker.service"
put "$work/docker.service" /etc/systemd/system/docker.service 0644
put "$fixtures/kubelet.service" /etc/systemd/system/kubelet.service 0644
put "$fixtures/kubelet-kubeconfig" /var/lib/kubelet/kubeconfig 0644
dropin=/etc/systemd/system/kubelet.service.d/10-kubelet-args.conf
config=/etc/kubernetes/kubelet/kubelet-config.json
args="--node-ip=10.0.1.23 --pod-infra-container-image=602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/pause:3.5 --v=2"

kubecert_in_ct() { # REPORT-NAME ARGS...
  local name=$1
  shift
  set +e
  in_ct /opt/kubecert-build/bin/kubecert --flavor eks --format json "$@" >"$work/$name.json" 2>"$work/logs/$name.log"
  echo $? >"$work/$name.rc"
  set -e
  log "kubecert $* exited $(cat "$work/$name.rc"); actions:"
  actions_of "$work/$name.json" >&2
}
is_active() { [ "$(in_ct systemctl is-active kubelet)" = active ]; }
loaded_config() { cat "$ct/run/kubelet-standin/config.json"; }

# --- 1. the benchmark's remediation applied literally: a kubelet that does not start -------------------
# The drop-in carries --rotate-kubelet-server-certificate=true (not a kubelet flag); the file turns
# the gate off.
printf "[Service]\nEnvironment='KUBELET_ARGS=%s --rotate-kubelet-server-certificate=true'\n" "$args" >"$work/dropin"
put "$work/dropin" "$dropin" 0644
sed 's/"RotateKubeletServerCertificate": true/"RotateKubeletServerCertificate": false/' "$fixtures/kubelet-config.json" \
  >"$work/config-gate-off.json"
put "$work/config-gate-off.json" "$config" 0644
in_ct systemctl daemon-reload
in_ct systemctl start docker.service
in_ct systemctl start --no-block kubelet
check "before: journalctl shows the kubelet refusing the unknown flag" \
  wait_for 20 bash -c "nsenter -t $init -a journalctl -u kubelet --no-pager | grep -q 'unknown flag: --rotate-kubelet-server-certificate'"
check "before: the kubelet is not active" bash -c "! [ \"\$(nsenter -t $init -a systemctl is-active kubelet)\" = active ]"

kubecert_in_ct fix-bogus-flag fix --yes --eks-restart-timeout 30s
check "fix exits 0" test "$(cat "$work/fix-bogus-flag.rc")" = 0
check "the report shows systemctl daemon-reload, restart kubelet and is-active kubelet, applied" \
  diff <(actions_of "$work/fix-bogus-flag.json" | grep ' command ') <(printf '%s\n' \
    "applied command systemctl daemon-reload" "applied command systemctl restart kubelet" \
    "applied command systemctl is-active kubelet")
check "after: systemctl is-active kubelet says active" is_active
check "the unknown flag is gone from the drop-in" bash -c "! grep -q rotate-kubelet-server-certificate '$ct$dropin'"
check "the running kubelet's command line has no unknown flag" \
  bash -c "! grep -q rotate-kubelet-server-certificate '$ct/run/kubelet-standin/args'"
check "the running kubelet loaded the gate on" grep -q '"RotateKubeletServerCertificate": true' <(loaded_config)
check "after: eks.rotate-server-cert PASS" test "$(finding_status "$work/fix-bogus-flag.json" eks.rotate-server-cert after)" = PASS
kubecert_in_ct audit-after audit
check "an audit inside the node exits 0" test "$(cat "$work/audit-after.rc")" = 0

# --- 2. a fix whose restart leaves the kubelet failed is rolled back -----------------------------------
# This "kubelet version" does not recognise the gate; the file does not name it, so it runs.
printf 'RotateKubeletServerCertificate\n' >"$work/unknown-gates"
put "$work/unknown-gates" /etc/kubelet-standin/unknown-feature-gates 0644
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); del c["featureGates"]; json.dump(c, open(sys.argv[2],"w"), indent=2)' \
  "$fixtures/kubelet-config.json" "$work/config-no-gate.json"
put "$work/config-no-gate.json" "$config" 0644
in_ct systemctl restart kubelet
check "before: the kubelet runs with a config that does not name the gate" wait_for 20 is_active
cp "$ct$config" "$work/config-before"
cp "$ct$dropin" "$work/dropin-before"

kubecert_in_ct fix-rollback fix --yes --eks-restart-timeout 8s
check "fix exits 3 (failed and rolled back)" test "$(cat "$work/fix-rollback.rc")" = 3
check "the kubelet refused the new config (journal)" \
  bash -c "nsenter -t $init -a journalctl -u kubelet --no-pager | grep -q 'unrecognized feature gate: RotateKubeletServerCertificate'"
check "the edit is reported rolled_back" grep -q "^rolled_back edit $config\$" <(actions_of "$work/fix-rollback.json")
check "the config file is back byte for byte" cmp -s "$work/config-before" "$ct$config"
check "the drop-in is unchanged" cmp -s "$work/dropin-before" "$ct$dropin"
check "after the rollback: systemctl is-active kubelet says active" wait_for 20 is_active
check "the kubelet runs on the old config again" cmp -s "$work/config-before" <(loaded_config)
log "passed"
