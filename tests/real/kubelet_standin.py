#!/usr/bin/env python3
"""The kubelet's serving side, for the real-component tests (the kubelet is
not packaged in Debian 12).

At start, and again on SIGHUP (what the recording systemctl stand-in's
`restart kubelet` sends), it reads ROOT/--config like the kubelet:
- serverTLSBootstrap: true: it serves ROOT/var/lib/kubelet/pki/
  kubelet-server-current.pem when that holds a valid certificate, else it
  makes a key, submits a real CSR to the API server as the node (its client
  certificate, CN=system:node:NAME, O=system:nodes): subject
  CN=system:node:NAME, O=system:nodes, the node's names and addresses as
  SANs, signer kubernetes.io/kubelet-serving, usages digital signature and
  server auth (plus key encipherment for RSA keys), exactly as the kubelet's
  certificate manager does; it serves nothing until the API server issues
  the certificate, then writes kubelet-server-<time>.pem (certificate and
  key) with the kubelet-server-current.pem link and serves it;
- otherwise: a self-signed certificate for the node's names in
  ROOT/var/lib/kubelet/pki/kubelet.crt and kubelet.key, made once, served.
It serves with `openssl s_server` on 127.0.0.1:--port and appends one line
per event to --events (started, csr NAME, serving self-signed|issued).
SIGTERM stops it.
"""
import argparse
import base64
import datetime
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

CSR_PATH = "/apis/certificates.k8s.io/v1/certificatesigningrequests"


def openssl(args, data=None):
    r = subprocess.run(["openssl"] + args, input=data, capture_output=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("openssl %s: %s" % (args[0], r.stderr.decode(errors="replace")))
    return r.stdout


def server_tls_bootstrap(config_text):
    """serverTLSBootstrap of a KubeletConfiguration (YAML or JSON), as a top-level boolean."""
    m = re.search(r'^"?serverTLSBootstrap"?\s*:\s*(true|false)\b', config_text, re.M | re.I)
    if not m:
        m = re.search(r'"serverTLSBootstrap"\s*:\s*(true|false)', config_text)
    return bool(m) and m.group(1).lower() == "true"


def valid_cert_file(path):
    if not os.path.exists(path):
        return False
    return subprocess.run(["openssl", "x509", "-in", path, "-noout", "-checkend", "60"],
                          capture_output=True).returncode == 0


class Kubelet:
    def __init__(self, a):
        self.a = a
        self.pki = os.path.join(a.root, "var/lib/kubelet/pki")
        os.makedirs(self.pki, exist_ok=True)
        self.server = None
        self.generation = 0
        self.lock = threading.Lock()

    def event(self, text):
        with open(self.a.events, "a") as f:
            f.write(text + "\n")
        sys.stderr.write("kubelet: %s\n" % text)

    def sans(self):
        return ",".join(("IP:" if re.fullmatch(r"[0-9.]+|[0-9a-fA-F:]+:[0-9a-fA-F:]*", n) else "DNS:") + n
                        for n in self.a.names.split(",") if n)

    def start(self):
        with self.lock:
            self.generation += 1
            generation = self.generation
            self.stop_serving()
        config = open(os.path.join(self.a.root, self.a.config.lstrip("/"))).read()
        bootstrap = server_tls_bootstrap(config)
        self.event("started serverTLSBootstrap=%s" % str(bootstrap).lower())
        if not bootstrap:
            self.serve(self.self_signed(), "self-signed", generation)
        elif valid_cert_file(os.path.join(self.pki, "kubelet-server-current.pem")):
            self.serve(os.path.join(self.pki, "kubelet-server-current.pem"), "issued", generation)
        else:
            threading.Thread(target=self.bootstrap, args=(generation,), daemon=True).start()

    def self_signed(self):
        crt, key = os.path.join(self.pki, "kubelet.crt"), os.path.join(self.pki, "kubelet.key")
        if not valid_cert_file(crt):
            stamp = int(time.time())
            openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "365",
                     "-subj", "/CN=%s@%d" % (self.a.node_name, stamp), "-addext", "subjectAltName=" + self.sans(),
                     "-keyout", key, "-out", crt])
        both = os.path.join(self.pki, ".kubelet-self-signed.pem")
        with open(both, "wb") as f:
            f.write(open(crt, "rb").read() + open(key, "rb").read())
        return both

    def api(self, method, path, body=None):
        ctx = ssl.create_default_context(cafile=self.a.ca)
        ctx.check_hostname = False
        ctx.load_cert_chain(self.a.client_cert, self.a.client_key)
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.a.api + path, data=data, method=method,
                                     headers={"Content-Type": "application/json", "Accept": "application/json"})
        with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
            return json.loads(r.read())

    def bootstrap(self, generation):
        with tempfile.TemporaryDirectory() as tmp:
            key = os.path.join(tmp, "key.pem")
            if self.a.key_type == "rsa":
                keyargs, usages = ["-newkey", "rsa:2048"], ["digital signature", "key encipherment", "server auth"]
            else:
                keyargs, usages = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"], ["digital signature",
                                                                                              "server auth"]
            csr = openssl(["req", "-new"] + keyargs + ["-nodes", "-keyout", key,
                                                       "-subj", "/O=system:nodes/CN=system:node:" + self.a.node_name,
                                                       "-addext", "subjectAltName=" + self.sans()])
            obj = self.api("POST", CSR_PATH, {
                "apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
                "metadata": {"generateName": "csr-"},
                "spec": {"request": base64.b64encode(csr).decode(), "signerName": "kubernetes.io/kubelet-serving",
                         "usages": usages}})
            name = obj["metadata"]["name"]
            self.event("csr %s" % name)
            while generation == self.generation:
                cert = (self.api("GET", CSR_PATH + "/" + name).get("status") or {}).get("certificate")
                if cert:
                    self.install(base64.b64decode(cert) + open(key, "rb").read(), generation)
                    return
                time.sleep(0.5)

    def install(self, pem, generation):
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d-%H-%M-%S")
        path = os.path.join(self.pki, "kubelet-server-%s.pem" % stamp)
        with open(path, "wb") as f:
            f.write(pem)
        os.chmod(path, 0o600)
        link = os.path.join(self.pki, "kubelet-server-current.pem")
        tmp = link + ".tmp"
        if os.path.lexists(tmp):
            os.unlink(tmp)
        os.symlink("/var/lib/kubelet/pki/" + os.path.basename(path), tmp)
        os.rename(tmp, link)
        self.serve(path, "issued", generation)

    def serve(self, pem, what, generation):
        with self.lock:
            if generation != self.generation:
                return
            self.stop_serving()
            self.server = subprocess.Popen(["openssl", "s_server", "-accept", "127.0.0.1:%d" % self.a.port,
                                            "-cert", pem, "-key", pem, "-www", "-quiet"],
                                           stdin=subprocess.DEVNULL, stdout=sys.stderr, stderr=sys.stderr)
        self.event("serving %s" % what)

    def stop_serving(self):
        if self.server:
            self.server.terminate()
            self.server.wait(10)
            self.server = None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--root", required=True)
    p.add_argument("--config", default="/var/lib/kubelet/config.yaml")
    p.add_argument("--node-name", required=True)
    p.add_argument("--names", required=True, help="the node's hostnames and addresses, comma-separated")
    p.add_argument("--api", required=True)
    p.add_argument("--ca", required=True)
    p.add_argument("--client-cert", required=True)
    p.add_argument("--client-key", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--events", required=True)
    p.add_argument("--key-type", choices=("ec", "rsa"), default="ec")
    a = p.parse_args()

    kubelet = Kubelet(a)
    restart = threading.Event()
    stop = threading.Event()
    signal.signal(signal.SIGHUP, lambda *_: restart.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    kubelet.start()
    while not stop.is_set():
        if restart.wait(0.2):
            restart.clear()
            kubelet.start()
    with kubelet.lock:
        kubelet.generation += 1
        kubelet.stop_serving()


if __name__ == "__main__":
    main()
