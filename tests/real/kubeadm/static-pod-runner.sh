#!/usr/bin/env bash
# The test's "kubelet" for static pods: runs what a kubelet runs while the
# manifests are in ROOT/etc/kubernetes/manifests, and stops it when they are
# moved away (the manual control-plane restart kubecert performs).
#   etcd.yaml            -> the real etcd with the manifest's command line
#                           (node paths such as /etc/kubernetes/pki/... and
#                           /var/lib/etcd taken under ROOT)
#   kube-apiserver.yaml  -> a mutual-TLS port standing for kube-apiserver (not
#                           packaged in Debian 12): openssl s_server with the
#                           manifest's --tls-cert-file/--tls-private-key-file on
#                           --bind-address:--secure-port, verifying client
#                           certificates against --client-ca-file
# Other manifests are listed as running without a process. A pod whose
# process ends is started again a second later, as the kubelet does.
# What runs is recorded in STATE/pods/NAME (pid and container id) for the
# crictl stand-in. As the kubelet itself: at start and on SIGHUP (the
# systemctl stand-in's `restart kubelet`) it connects to the API port with its
# client certificate (ROOT/var/lib/kubelet/pki/kubelet-client-current.pem)
# and appends "accepted" or "refused" to STATE/kubelet-api.log.
# SIGTERM stops every pod and the runner.
# Usage: static-pod-runner.sh ROOT STATE
set -uo pipefail
root=$1 state=$2
manifests=$root/etc/kubernetes/manifests
mkdir -p "$state/pods"
declare -A pid_of=()
declare -A died_at=()

say() { echo "runner $(date +%T.%N | cut -c1-12): $*"; }

# The values of "- --flag=value" lines of a manifest, node paths under ROOT.
flag() {
  local value
  value=$(sed -n "s/^ *- --$2=//p" "$1" | tail -n 1)
  case "$value" in
  /etc/kubernetes/* | /var/lib/*) value=$root$value ;;
  esac
  printf '%s' "$value"
}

start_pod() {
  local name=$1 m=$manifests/$1.yaml
  case "$name" in
  etcd)
    local args=() line
    while read -r line; do
      line=${line#- }
      case "$line" in
      --*=/etc/kubernetes/* | --*=/var/lib/*) line=${line%%=*}=$root${line#*=} ;;
      esac
      args+=("$line")
    done < <(grep '^ *- --' "$m")
    etcd "${args[@]}" >>"$state/etcd.log" 2>&1 </dev/null &
    ;;
  kube-apiserver)
    openssl s_server -accept "$(flag "$m" bind-address):$(flag "$m" secure-port)" \
      -cert "$(flag "$m" tls-cert-file)" -key "$(flag "$m" tls-private-key-file)" \
      -CAfile "$(flag "$m" client-ca-file)" -Verify 1 -verify_return_error -www \
      >>"$state/kube-apiserver.log" 2>&1 </dev/null &
    ;;
  *)
    sleep infinity &
    ;;
  esac
  pid_of[$name]=$!
  printf '%s %s\n' "$!" "$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')" >"$state/pods/$name"
  say "started $name (pid $!)"
}

stop_pod() {
  local name=$1 pid=${pid_of[$1]} i
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  unset "pid_of[$name]"
  rm -f "$state/pods/$name"
  say "stopped $name"
}

# The kubelet's own connection to the API server with its client certificate.
check_api() {
  local m=$manifests/kube-apiserver.yaml cred=$root/var/lib/kubelet/pki/kubelet-client-current.pem target
  [ -f "$m" ] || return 0
  target=$(readlink "$cred") && case "$target" in /*) cred=$root$target ;; esac
  # Like the kubelet, it tries again for a while (the API server may still be starting).
  local result=refused try
  for try in 1 2 3 4 5 6; do
    if printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 openssl s_client -connect "$(flag "$m" bind-address):$(flag "$m" secure-port)" \
      -servername kubernetes -verify_hostname kubernetes -CAfile "$root/etc/kubernetes/pki/ca.crt" \
      -cert "$cred" -key "$cred" -verify_return_error -ign_eof -quiet 2>/dev/null | grep -q '200 ok'; then
      result=accepted
      break
    fi
    sleep 1
  done
  echo "$result" >>"$state/kubelet-api.log"
  say "API server check: $result"
}

shutdown() {
  local name
  for name in "${!pid_of[@]}"; do stop_pod "$name"; done
  say "stopped"
  exit 0
}
trap shutdown TERM INT
restart_requested=0
trap 'restart_requested=1' HUP

say "started on $root"
sync_pods() {
  local m name
  for m in "$manifests"/*.yaml; do
    [ -f "$m" ] || continue
    name=$(basename "$m" .yaml)
    if [ -z "${pid_of[$name]:-}" ]; then
      # A pod that just ended waits a second before it starts again (the kubelet's back-off).
      [ $((SECONDS - ${died_at[$name]:--10})) -ge 1 ] && start_pod "$name"
    elif ! kill -0 "${pid_of[$name]}" 2>/dev/null; then
      wait "${pid_of[$name]}" 2>/dev/null
      say "$name exited ($?)"
      unset "pid_of[$name]"
      rm -f "$state/pods/$name"
      died_at[$name]=$SECONDS
    fi
  done
  for name in "${!pid_of[@]}"; do
    [ -f "$manifests/$name.yaml" ] || stop_pod "$name"
  done
}
sync_pods
sleep 1
check_api
while :; do
  sync_pods
  if [ "$restart_requested" = 1 ]; then
    restart_requested=0
    say "restarted (SIGHUP)"
    sleep 0.5
    check_api
  fi
  sleep 0.3
done
