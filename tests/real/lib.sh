# Shared shell helpers of the real-component tests (sourced, bash).
#
# Each test runs in its own temporary folder ($work), starts the daemons it
# needs on 127.0.0.1 and registers how to stop them with `on_exit`; the EXIT
# trap runs those steps in reverse order whether the test passed, failed or
# was interrupted (INT/TERM/HUP are turned into an exit). Daemons are also
# started under `setpriv --pdeathsig KILL` where that is possible, so they die
# with the test even when ctest kills it with SIGKILL at its timeout.
#
# Conventions: `fail MSG` ends the test with exit 1, `skip MSG` with exit 77
# (ctest's SKIP_RETURN_CODE, shown as "Skipped" with the reason), `check`
# prints one line per assertion as an operator would read it.
#
# Environment (from tests/CMakeLists.txt): KUBECERT (the built binary),
# KUBECERT_BUILD_DIR, KUBECERT_SOURCE_DIR, KUBECERT_FIXTURES (the upstream
# fixtures), KUBECERT_REAL_DIR (this folder).
set -euo pipefail

: "${KUBECERT:?KUBECERT must name the built kubecert}"
: "${KUBECERT_REAL_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"

test_name=$(basename "$0" .sh)
work=$(mktemp -d "${TMPDIR:-/tmp}/kubecert-real-${test_name}.XXXXXX")
_cleanups=()
_failed=0

log() { printf '[%s %s] %s\n' "$test_name" "$(date +%T)" "$*" >&2; }
fail() {
  log "FAIL: $*"
  exit 1
}
skip() {
  log "SKIP: $*"
  exit 77
}

# Registers a shell command to run at exit (last registered runs first).
on_exit() { _cleanups+=("$1"); }

# Unmounts anything a daemon left mounted in the test's folder (dockerd's netns).
_unmount_work() {
  if command -v findmnt >/dev/null; then
    findmnt -rn -o TARGET | grep "^$work/" | sort -r | while read -r m; do umount -l "$m"; done
  fi
}

# Removes the test's folder.
_remove_work() {
  _unmount_work
  rm -rf --one-file-system "$work"
}

_run_cleanups() {
  local rc=$?
  trap - EXIT
  trap '' INT TERM HUP # the cleanup itself is not interrupted
  set +e
  local i
  for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do
    eval "${_cleanups[$i]}" >/dev/null 2>&1
  done
  if [ "$rc" -eq 0 ] || [ "$rc" -eq 77 ] || [ -n "${KUBECERT_REAL_KEEP:-}" ]; then
    [ -n "${KUBECERT_REAL_KEEP:-}" ] && _unmount_work && log "kept $work"
    [ -z "${KUBECERT_REAL_KEEP:-}" ] && _remove_work
  else
    # On failure, show what the daemons said before removing their folder.
    for f in "$work"/logs/*.log; do
      [ -f "$f" ] || continue
      echo "----- $f (last 30 lines)" >&2
      tail -n 30 "$f" >&2
    done
    _remove_work
  fi
  exit "$rc"
}
trap _run_cleanups EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
mkdir -p "$work/logs"

# Starts a daemon in the background that is killed when this shell dies;
# its pid in $! (of setpriv, which execs the daemon: the same pid).
spawn() {
  local logfile=$1
  shift
  if setpriv --pdeathsig KILL true 2>/dev/null; then
    setpriv --pdeathsig KILL -- "$@" >"$logfile" 2>&1 </dev/null &
  else
    "$@" >"$logfile" 2>&1 </dev/null &
  fi
}

# Stops a process: TERM, then KILL after `grace` seconds.
stop_pid() {
  local pid=$1 grace=${2:-10} i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# Waits up to `seconds` until the command succeeds.
wait_for() {
  local seconds=$1 i
  shift
  for ((i = 0; i < seconds * 5; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  return 1
}

# Requires the program on PATH, else skips naming the package; or fails when
# KUBECERT_TESTS_REQUIRE_TOOLS=1 (scripts/test.sh as root, after scripts/setup.sh installed
# everything: then a missing tool is a missing install step).
need() {
  local program=$1 package=$2
  command -v "$program" >/dev/null && return 0
  local why="$program is not installed (apt-get install $package; scripts/setup.sh does)"
  if [ "${KUBECERT_TESTS_REQUIRE_TOOLS:-}" = 1 ]; then fail "$why"; fi
  skip "$why"
}

need_root() {
  [ "$(id -u)" -eq 0 ] || skip "needs root (to start $1)"
}

# A TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Assertion: `check "what an operator checks" command...`.
check() {
  local what=$1
  shift
  if "$@"; then
    log "ok: $what"
  else
    fail "$what"
  fi
}

# SHA-256 fingerprint of a PEM certificate file (the first certificate).
fingerprint_of_file() {
  openssl x509 -in "$1" -noout -fingerprint -sha256 | cut -d= -f2
}

# SHA-256 fingerprint of the certificate served on HOST:PORT.
fingerprint_served() {
  openssl s_client -connect "$1" </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256 | cut -d= -f2
}

# A field of a JSON report: `json_get FILE PYTHON-EXPRESSION-ON-r`.
json_get() {
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# The status of finding ID in the report's "findings" (or "after" with $3).
finding_status() {
  python3 - "$1" "$2" "${3:-findings}" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
for f in r.get(sys.argv[3], []):
    if f.get("id") == sys.argv[2]:
        print(f.get("status"))
        break
else:
    print("absent")
EOF
}

# One line per action of a JSON report: "status kind target".
actions_of() {
  python3 - "$1" <<'EOF'
import json, sys
for a in json.load(open(sys.argv[1])).get("actions", []):
    print(a.get("status"), a.get("kind"), a.get("target"))
EOF
}

# An EKS worker under ROOT as the AMI lays it out (AL2: kubelet.service, kubelet-config.json with
# serverTLSBootstrap on, the kubelet's kubeconfig from the upstream fixtures), its KUBELET_ARGS
# drop-in with --node-ip IP, and NAME in /etc/hostname.
make_eks_node() { # ROOT NAME IP
  local root=$1 fixtures=${KUBECERT_FIXTURES:?}/amazon-eks-ami
  install -D -m 0644 "$fixtures/kubelet.service" "$root/etc/systemd/system/kubelet.service"
  install -D -m 0644 "$fixtures/kubelet-config.json" "$root/etc/kubernetes/kubelet/kubelet-config.json"
  install -D -m 0644 "$fixtures/kubelet-kubeconfig" "$root/var/lib/kubelet/kubeconfig"
  mkdir -p "$root/etc/systemd/system/kubelet.service.d"
  printf "[Service]\nEnvironment='KUBELET_ARGS=--node-ip=%s --v=2'\n" "$3" \
    >"$root/etc/systemd/system/kubelet.service.d/10-kubelet-args.conf"
  echo "$2" >"$root/etc/hostname"
}

# A CA: `make_ca DIR NAME CN` writes DIR/NAME.crt and DIR/NAME.key (EC P-256, 10 years).
make_ca() {
  local dir=$1 name=$2 cn=$3
  mkdir -p "$dir"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj "/CN=$cn" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    -keyout "$dir/$name.key" -out "$dir/$name.crt" 2>/dev/null
}

# A leaf signed by a CA: `make_leaf DIR NAME CA SUBJECT EXTENDED-KEY-USAGE [SANS]`
# (SUBJECT like /O=system:nodes/CN=system:node:x, usage serverAuth or clientAuth).
make_leaf() {
  local dir=$1 name=$2 ca=$3 subject=$4 usage=$5 sans=${6:-}
  local ext="$dir/$name.ext"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$usage"
    [ -n "$sans" ] && echo "subjectAltName=$sans"
  } >"$ext"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "$subject" \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
  openssl x509 -req -in "$dir/$name.csr" -CA "$ca.crt" -CAkey "$ca.key" -CAcreateserial -days 365 \
    -extfile "$ext" -out "$dir/$name.crt" 2>/dev/null
  rm -f "$dir/$name.csr" "$ext"
}

# Writes a kubeconfig (one cluster, user and context, certificates embedded)
# without `kubectl config set-*`: Debian 12's kubectl 1.20.2, built with Go
# 1.19, crashes in `kubectl config set-credentials` (nil map in reflect), so
# the tests write the file the way kubeadm does.
#   write_kubeconfig FILE SERVER CA_FILE USER cert CERT_FILE KEY_FILE
#   write_kubeconfig FILE SERVER CA_FILE USER token TOKEN
write_kubeconfig() {
  local file=$1 server=$2 ca=$3 user=$4 kind=$5
  {
    printf 'apiVersion: v1\nkind: Config\nclusters:\n- name: kubernetes\n  cluster:\n'
    printf '    server: %s\n    certificate-authority-data: %s\n' "$server" "$(base64 -w0 <"$ca")"
    printf 'users:\n- name: %s\n  user:\n' "$user"
    if [ "$kind" = cert ]; then
      printf '    client-certificate-data: %s\n' "$(base64 -w0 <"$6")"
      printf '    client-key-data: %s\n' "$(base64 -w0 <"$7")"
    else
      printf '    token: %s\n' "$6"
    fi
    printf 'contexts:\n- name: %s@kubernetes\n  context:\n    cluster: kubernetes\n    user: %s\n' "$user" "$user"
    printf 'current-context: %s@kubernetes\n' "$user"
  } >"$file"
  chmod 0600 "$file"
}
