# Shared steps of the serving-CSR real-component tests (sourced after lib.sh):
# the cluster PKI, the API server stand-in with its signer, kubeconfigs for
# the admin and the node, and the kubelet stand-in. They need kubectl, python3, openssl and curl.
need kubectl kubernetes-client
need python3 python3
need openssl openssl
need curl curl

not() { ! "$@"; }

# The cluster: CA (a new one, or CA-PREFIX.crt/.key of a node tree), API server certificate, admin
# (system:masters) and node client certificates, the API server stand-in signing with the CA key, a
# Node object for NODE with ADDRESSES ("InternalIP=10.0.0.5,Hostname=x"). Sets $pki, $api, $api_pid.
start_cluster() { # NODE [ADDRESSES [CA-PREFIX]]
  local node=$1 addresses=${2:-InternalIP=127.0.0.1,Hostname=$1} ca=${3:-}
  pki=$work/pki
  if [ -n "$ca" ]; then
    mkdir -p "$pki" && cp "$ca.crt" "$pki/ca.crt" && cp "$ca.key" "$pki/ca.key"
  else
    make_ca "$pki" ca kubernetes
  fi
  make_leaf "$pki" apiserver "$pki/ca" /CN=kube-apiserver serverAuth "IP:127.0.0.1,DNS:kubernetes"
  make_leaf "$pki" admin "$pki/ca" "/O=system:masters/CN=kubernetes-admin" clientAuth
  make_leaf "$pki" node "$pki/ca" "/O=system:nodes/CN=system:node:$node" clientAuth
  make_leaf "$pki" worker-2 "$pki/ca" "/O=system:nodes/CN=system:node:worker-2" clientAuth
  mkdir -p "$work/docs/api/v1/nodes"
  python3 - "$node" "$addresses" >"$work/docs/api/v1/nodes/$node.json" <<'PY'
import json, sys
addresses = [dict(zip(("type", "address"), a.split("=", 1))) for a in sys.argv[2].split(",") if a]
print(json.dumps({"kind": "Node", "apiVersion": "v1", "metadata": {"name": sys.argv[1]},
                  "status": {"addresses": addresses}}))
PY
  spawn "$work/logs/apiserver.log" python3 "$KUBECERT_REAL_DIR/api_server_standin.py" --cert "$pki/apiserver.crt" \
    --key "$pki/apiserver.key" --client-ca "$pki/ca.crt" --ca-key "$pki/ca.key" --docs "$work/docs" \
    --port-file "$work/apiserver.port" --log "$work/requests.log" ${api_extra_args[@]+"${api_extra_args[@]}"}
  api_pid=$!
  on_exit "stop_pid $api_pid"
  wait_for 20 test -s "$work/apiserver.port" || fail "the API server stand-in did not start"
  api=https://127.0.0.1:$(cat "$work/apiserver.port")
  make_kubeconfig "$work/admin.kubeconfig" admin
  make_kubeconfig "$work/node.kubeconfig" node
}

# A kubeconfig for the API stand-in with the client certificate NAME of $pki, embedded.
make_kubeconfig() { # FILE NAME
  write_kubeconfig "$1" "$api" "$pki/ca.crt" "$2" cert "$pki/$2.crt" "$pki/$2.key"
}

kubectl_admin() { kubectl --kubeconfig "$work/admin.kubeconfig" --request-timeout 10s "$@"; }

# PUT of FILE to PATH with the admin's certificate; prints the HTTP status.
api_put_admin() { # PATH FILE
  curl -s -o "$work/put.out" -w '%{http_code}' --max-time 10 --cacert "$pki/ca.crt" --cert "$pki/admin.crt" \
    --key "$pki/admin.key" -X PUT -H 'Content-Type: application/json' --data-binary "@$2" "$api$1"
}

# Makes each of the next COUNT approvals of CSR lose a race with another writer (the stand-in's
# test-only POST /standin/approval-races): the CSR changes after the approver read it, so the
# approval carrying that resourceVersion gets 409 Conflict.
race_next_approvals() { # CSR COUNT
  curl -sf -o /dev/null --max-time 10 --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
    -X POST -H 'Content-Type: application/json' --data-binary "{\"name\":\"$1\",\"count\":$2}" \
    "$api/standin/approval-races"
}

# The requests USER made of CSR after line SINCE of the stand-in's log, with the answers' status
# codes, comma-separated, without their queries: "PUT/approval 409,GET 200,PUT/approval 200".
csr_requests_of() { # CSR USER [SINCE]
  tail -n "+$((${3:-0} + 1))" "$work/requests.log" |
    sed -n "s|^$2 \([A-Z]*\) /apis/certificates.k8s.io/v1/certificatesigningrequests/$1\(/[a-z]*\)\{0,1\}\(?[^ ]*\)\{0,1\} \([0-9]*\)\$|\1\2 \4|p" |
    paste -sd,
}

# A kubeadm-style kubelet config with serverTLSBootstrap BOOL under ROOT.
write_kubelet_config() { # ROOT BOOL
  mkdir -p "$1/var/lib/kubelet"
  cat >"$1/var/lib/kubelet/config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
rotateCertificates: true
serverTLSBootstrap: $2
staticPodPath: /etc/kubernetes/manifests
YAML
}

# Submits a CSR as client NAME of $pki (POST, as a kubelet does): a new key, `openssl req` with
# SUBJECT and SANS, SIGNER and USAGES (JSON list); prints the CSR's name.
submit_csr() { # CLIENT SUBJECT SANS SIGNER USAGES-JSON
  local dir=$work/csrs
  mkdir -p "$dir"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/key.pem" -subj "$2" \
    -addext "subjectAltName=$3" -out "$dir/req.pem" 2>/dev/null
  python3 - "$dir/req.pem" "$4" "$5" >"$dir/body.json" <<'PY'
import base64, json, sys
print(json.dumps({"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
                  "metadata": {"generateName": "csr-"},
                  "spec": {"request": base64.b64encode(open(sys.argv[1], "rb").read()).decode(),
                           "signerName": sys.argv[2], "usages": json.loads(sys.argv[3])}}))
PY
  curl -sf --max-time 10 --cacert "$pki/ca.crt" --cert "$pki/$1.crt" --key "$pki/$1.key" -X POST \
    -H 'Content-Type: application/json' --data-binary "@$dir/body.json" \
    "$api/apis/certificates.k8s.io/v1/certificatesigningrequests" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["metadata"]["name"])'
}

# (Re)starts the kubelet stand-in for ROOT as node NODE with NAMES on a free port; its pid in
# $kubelet_pid and $state/kubelet.pid (for the systemctl stand-in) when $state is set.
start_kubelet() { # ROOT NODE NAMES [KEY-TYPE]
  [ -n "${kubelet_pid:-}" ] && stop_pid "$kubelet_pid"
  kubelet_port=${kubelet_port:-$(free_port)}
  spawn "$work/logs/kubelet.log" python3 "$KUBECERT_REAL_DIR/kubelet_standin.py" --root "$1" --node-name "$2" \
    --config "${kubelet_config:-/var/lib/kubelet/config.yaml}" \
    --names "$3" --api "$api" --ca "$pki/ca.crt" --client-cert "$pki/node.crt" --client-key "$pki/node.key" \
    --port "$kubelet_port" --events "$work/kubelet.events" --key-type "${4:-ec}"
  kubelet_pid=$!
  on_exit "stop_pid $kubelet_pid"
  [ -n "${state:-}" ] && echo "$kubelet_pid" >"$state/kubelet.pid"
  return 0
}

# Whether something serves TLS with a certificate on 127.0.0.1:PORT.
served() { openssl s_client -connect "127.0.0.1:$1" </dev/null 2>/dev/null | grep -q 'BEGIN CERTIFICATE'; }
