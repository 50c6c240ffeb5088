#!/usr/bin/env bash
# Writes a kubeadm control-plane node under DIR (see README.md here), with a
# fresh PKI made by the openssl command line, laid out as kubeadm lays it out.
set -euo pipefail
root=${1:?usage: make-kubeadm-node.sh DIR}
node=${2:-cp-1}
k=$root/etc/kubernetes
pki=$k/pki
mkdir -p "$pki/etcd" "$k/manifests" "$root/var/lib/kubelet/pki" "$root/root/.kube" "$root/etc"
echo "$node" > "$root/etc/hostname"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; chmod 600 "$1"; }

ca() { # ca NAME CN
  key "$pki/$1.key"
  openssl req -x509 -new -key "$pki/$1.key" -subj "/CN=$2" -days 3650 -out "$pki/$1.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign" 2>/dev/null
}

leaf() { # leaf OUT_BASE CA_BASE SUBJECT EKU [SANS]
  local out=$1 ca=$2 subj=$3 eku=$4 sans=${5:-}
  key "$out.key"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [ -n "$sans" ] && echo "subjectAltName=$sans"
  } > "$tmp/ext"
  openssl req -new -key "$out.key" -subj "$subj" -out "$tmp/csr" 2>/dev/null
  openssl x509 -req -in "$tmp/csr" -CA "$ca.crt" -CAkey "$ca.key" -CAcreateserial -days 365 \
    -extfile "$tmp/ext" -out "$out.crt" 2>/dev/null
}

# kubeconfig_file FILE USER: a kubeconfig for USER whose credential lines are read from standard input.
kubeconfig_file() {
  local file=$1 user=$2
  cat > "$file" <<KC
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: $(base64 -w0 < "$pki/ca.crt")
    server: https://10.0.0.10:6443
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: $user
  name: $user@kubernetes
current-context: $user@kubernetes
kind: Config
preferences: {}
users:
- name: $user
  user:
$(cat)
KC
  chmod 600 "$file"
}

kubeconfig() { # kubeconfig FILE USER SUBJECT: with an embedded client certificate, as kubeadm writes
  local file=$1 user=$2 subj=$3
  leaf "$tmp/kc" "$pki/ca" "$subj" clientAuth
  kubeconfig_file "$file" "$user" <<KC
    client-certificate-data: $(base64 -w0 < "$tmp/kc.crt")
    client-key-data: $(base64 -w0 < "$tmp/kc.key")
KC
}

ca ca kubernetes
ca front-proxy-ca front-proxy-ca
ca etcd/ca etcd-ca
sans="DNS:$node,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:10.96.0.1,IP:10.0.0.10"
leaf "$pki/apiserver" "$pki/ca" "/CN=kube-apiserver" serverAuth "$sans"
leaf "$pki/apiserver-kubelet-client" "$pki/ca" "/O=kubeadm:cluster-admins/CN=kube-apiserver-kubelet-client" clientAuth
leaf "$pki/front-proxy-client" "$pki/front-proxy-ca" "/CN=front-proxy-client" clientAuth
leaf "$pki/apiserver-etcd-client" "$pki/etcd/ca" "/CN=kube-apiserver-etcd-client" clientAuth
leaf "$pki/etcd/server" "$pki/etcd/ca" "/CN=$node" serverAuth,clientAuth "DNS:$node,DNS:localhost,IP:10.0.0.10,IP:127.0.0.1"
leaf "$pki/etcd/peer" "$pki/etcd/ca" "/CN=$node" serverAuth,clientAuth "DNS:$node,DNS:localhost,IP:10.0.0.10,IP:127.0.0.1"
leaf "$pki/etcd/healthcheck-client" "$pki/etcd/ca" "/CN=kube-etcd-healthcheck-client" clientAuth
openssl genpkey -algorithm RSA -out "$pki/sa.key" 2>/dev/null && openssl pkey -in "$pki/sa.key" -pubout -out "$pki/sa.pub"
rm -f "$pki"/*.srl "$pki"/etcd/*.srl

kubeconfig "$k/admin.conf" kubernetes-admin "/O=kubeadm:cluster-admins/CN=kubernetes-admin"
kubeconfig "$k/super-admin.conf" kubernetes-super-admin "/O=system:masters/CN=kubernetes-super-admin"
kubeconfig "$k/controller-manager.conf" system:kube-controller-manager "/CN=system:kube-controller-manager"
kubeconfig "$k/scheduler.conf" system:kube-scheduler "/CN=system:kube-scheduler"
cp "$k/admin.conf" "$root/root/.kube/config"

# The kubelet's client certificate lives in a file it rotates itself.
leaf "$tmp/kubelet" "$pki/ca" "/O=system:nodes/CN=system:node:$node" clientAuth
cat "$tmp/kubelet.crt" "$tmp/kubelet.key" > "$root/var/lib/kubelet/pki/kubelet-client-2026.pem"
chmod 600 "$root/var/lib/kubelet/pki/kubelet-client-2026.pem"
ln -sf /var/lib/kubelet/pki/kubelet-client-2026.pem "$root/var/lib/kubelet/pki/kubelet-client-current.pem"
kubeconfig_file "$k/kubelet.conf" "system:node:$node" <<KC
    client-certificate: /var/lib/kubelet/pki/kubelet-client-current.pem
    client-key: /var/lib/kubelet/pki/kubelet-client-current.pem
KC

for c in kube-apiserver kube-controller-manager kube-scheduler etcd; do
  cat > "$k/manifests/$c.yaml" <<M
apiVersion: v1
kind: Pod
metadata:
  name: $c
  namespace: kube-system
spec:
  containers:
  - name: $c
    image: registry.k8s.io/$c:v1.31.2
  hostNetwork: true
M
done

cat > "$root/var/lib/kubelet/config.yaml" <<'Y'
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
cgroupDriver: systemd
# kubeadm writes rotateCertificates: true; this node had it switched off.
rotateCertificates: false
staticPodPath: /etc/kubernetes/manifests
Y
echo 'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10"' \
  > "$root/var/lib/kubelet/kubeadm-flags.env"
