"""The certificates.k8s.io/v1 CertificateSigningRequest resource of the API
server stand-in (api_server_standin.py): an in-memory store with the API
server's semantics (uid, generated names, a resourceVersion that changes on
every write, creationTimestamp, username and groups from the requester, the
approval subresource with its validation, 404/409/422 answers; a test may
make approvals lose a race with another writer) and the
kube-controller-manager's signer for kubernetes.io/kubelet-serving and
kubernetes.io/kube-apiserver-client-kubelet, which signs approved requests with
the cluster CA through the openssl command line (Python's stdlib cannot sign).
"""
import base64
import datetime
import json
import os
import re
import subprocess
import tempfile
import threading
import uuid

GROUP = "certificates.k8s.io"
RESOURCE = "certificatesigningrequests"
KNOWN_USAGES = {
    "signing", "digital signature", "content commitment", "key encipherment", "key agreement",
    "data encipherment", "cert sign", "crl sign", "encipher only", "decipher only", "any",
    "server auth", "client auth", "code signing", "email protection", "s/mime", "ipsec end system",
    "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing", "microsoft sgc", "netscape sgc",
}
CONDITION_TYPES = ("Approved", "Denied", "Failed")
SIGNED_SIGNERS = ("kubernetes.io/kubelet-serving", "kubernetes.io/kube-apiserver-client-kubelet")


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class ApiError(Exception):
    """An answer other than success: HTTP code, reason and message of a Status object."""

    def __init__(self, code, reason, message, name=None):
        super().__init__(message)
        self.code, self.reason, self.message, self.name = code, reason, message, name

    def status(self):
        s = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
             "message": self.message, "reason": self.reason, "code": self.code}
        if self.name is not None:
            s["details"] = {"name": self.name, "group": GROUP, "kind": RESOURCE}
        return s


def not_found(name):
    return ApiError(404, "NotFound", '%s.%s "%s" not found' % (RESOURCE, GROUP, name), name)


def invalid(name, why):
    return ApiError(422, "Invalid", 'CertificateSigningRequest.%s "%s" is invalid: %s' % (GROUP, name, why), name)


def openssl(args, data=None):
    r = subprocess.run(["openssl"] + args, input=data, capture_output=True, timeout=30)
    if r.returncode != 0:
        raise RuntimeError("openssl %s: %s" % (" ".join(args), r.stderr.decode(errors="replace")))
    return r.stdout.decode()


def parse_request(pem):
    """Subject and SANs of a PEM PKCS#10 request, read by the openssl command line."""
    text = openssl(["req", "-noout", "-text", "-nameopt", "RFC2253"], pem)
    subject = re.search(r"Subject: ?(.*)", text).group(1).strip()
    sans = []
    m = re.search(r"X509v3 Subject Alternative Name:[^\n]*\n\s*(.*)", text)
    if m:
        sans = [s.strip() for s in m.group(1).split(",")]
    return subject, sans


class CsrStore:
    """The CSRs of the cluster, behind one lock; every write bumps the resourceVersion."""

    def __init__(self, signer, log):
        self.lock = threading.Lock()
        self.version = 1000
        self.items = {}
        self.signer = signer
        self.log = log
        self.races = {}  # name: approvals still to lose a race (race_approvals)

    def _bump(self, obj):
        self.version += 1
        obj["metadata"]["resourceVersion"] = str(self.version)

    def list(self, field_selector):
        wanted = []
        for term in filter(None, (field_selector or "").split(",")):
            m = re.fullmatch(r"(spec\.signerName|metadata\.name)(==?|!=)(.*)", term)
            if not m:
                raise ApiError(400, "BadRequest",
                               'Unable to find "%s/v1, Resource=%s" that match label selector "", field selector '
                               '"%s": field label not supported: %s' % (GROUP, RESOURCE, field_selector,
                                                                        term.split("=")[0].rstrip("!")))
            wanted.append(m.groups())
        with self.lock:
            items = [json.loads(json.dumps(o)) for o in sorted(self.items.values(),
                                                                key=lambda o: o["metadata"]["name"])]
            version = str(self.version)
        def value(o, field):
            return o["spec"].get("signerName", "") if field == "spec.signerName" else o["metadata"]["name"]
        items = [o for o in items if all((value(o, f) == v) == (op != "!=") for f, op, v in wanted)]
        for o in items:  # list items carry no kind/apiVersion, as the real server's
            o.pop("kind", None)
            o.pop("apiVersion", None)
        return {"kind": "CertificateSigningRequestList", "apiVersion": GROUP + "/v1",
                "metadata": {"resourceVersion": version}, "items": items}

    def get(self, name):
        with self.lock:
            if name not in self.items:
                raise not_found(name)
            return json.loads(json.dumps(self.items[name]))

    def create(self, body, user):
        meta = body.get("metadata") or {}
        spec = dict(body.get("spec") or {})
        name = meta.get("name") or ""
        if not name and meta.get("generateName"):
            name = meta["generateName"] + uuid.uuid4().hex[:5]
        if not name:
            raise invalid("", "metadata.name: Required value: name or generateName is required")
        self._validate_spec(name, spec)
        spec["username"], spec["groups"] = user["name"], list(user["groups"])
        spec["uid"] = user.get("uid", "")
        obj = {"kind": "CertificateSigningRequest", "apiVersion": GROUP + "/v1",
               "metadata": {"name": name, "uid": str(uuid.uuid4()), "creationTimestamp": now_rfc3339()},
               "spec": spec, "status": {}}
        if meta.get("generateName"):
            obj["metadata"]["generateName"] = meta["generateName"]
        with self.lock:
            if name in self.items:
                raise ApiError(409, "AlreadyExists", '%s.%s "%s" already exists' % (RESOURCE, GROUP, name), name)
            self._bump(obj)
            self.items[name] = obj
            return json.loads(json.dumps(obj))

    def _validate_spec(self, name, spec):
        try:
            pem = base64.b64decode(spec.get("request", ""), validate=True)
            parse_request(pem)
        except Exception:
            raise invalid(name, "spec.request: Invalid value: []byte{...}: PEM block type must be "
                                "CERTIFICATE REQUEST")
        if not spec.get("signerName"):
            raise invalid(name, "spec.signerName: Required value")
        if not spec.get("usages"):
            raise invalid(name, "spec.usages: Required value")
        for u in spec["usages"]:
            if u not in KNOWN_USAGES:
                raise invalid(name, 'spec.usages[0]: Unsupported value: "%s"' % u)
        exp = spec.get("expirationSeconds")
        if exp is not None and int(exp) < 600:
            raise invalid(name, "spec.expirationSeconds: Invalid value: %s: may not specify a duration less "
                                "than 600 seconds (10 minutes)" % exp)

    def race_approvals(self, name, count):
        """Test-only: each of the next COUNT approvals of NAME loses a race with another writer,
        which updates the CSR (an annotation) after the approver read it and before its write
        lands, so an approval carrying the resourceVersion it read gets the API server's 409."""
        with self.lock:
            if name not in self.items:
                raise not_found(name)
            self.races[name] = count
        return {"name": name, "races": count}

    def _other_writer(self, name, current):
        """The write an armed race makes first (under the lock): a new resourceVersion."""
        if self.races.get(name, 0) <= 0:
            return
        self.races[name] -= 1
        annotations = current["metadata"].setdefault("annotations", {})
        annotations["standin.kubecert.test/other-writer"] = str(int(annotations.get(
            "standin.kubecert.test/other-writer", "0")) + 1)
        self._bump(current)
        self.log("other writer: %s now at resourceVersion %s" % (name, current["metadata"]["resourceVersion"]))

    def update_approval(self, name, body):
        """PUT .../NAME/approval: only status.conditions of the body count, as in the API server."""
        meta = body.get("metadata") or {}
        if meta.get("name") != name:
            raise ApiError(400, "BadRequest", "the name of the object (%s) does not match the name on the URL (%s)"
                           % (meta.get("name"), name))
        conditions = (body.get("status") or {}).get("conditions") or []
        with self.lock:
            if name not in self.items:
                raise not_found(name)
            current = self.items[name]
            self._other_writer(name, current)
            rv = meta.get("resourceVersion")
            if rv and rv != current["metadata"]["resourceVersion"]:
                raise ApiError(409, "Conflict", 'Operation cannot be fulfilled on %s.%s "%s": the object has been '
                               'modified; please apply your changes to the latest version and try again'
                               % (RESOURCE, GROUP, name), name)
            conditions = self._validate_conditions(name, current, conditions)
            current["status"]["conditions"] = conditions
            self._bump(current)
            result = json.loads(json.dumps(current))
        if any(c["type"] == "Approved" for c in conditions):
            self.signer.request(name)
        return result

    def _validate_conditions(self, name, current, conditions):
        seen = set()
        stamp = now_rfc3339()
        out = []
        for i, c in enumerate(conditions):
            c = dict(c)
            if c.get("type") not in CONDITION_TYPES:
                raise invalid(name, 'status.conditions[%d].type: Unsupported value: "%s"' % (i, c.get("type")))
            if c.get("type") in ("Approved", "Denied") and c.get("status") != "True":
                raise invalid(name, 'status.conditions[%d].status: Unsupported value: "%s": supported values: '
                                    '"True"' % (i, c.get("status")))
            if c["type"] in seen:
                raise invalid(name, "status.conditions[%d].type: Duplicate value: \"%s\"" % (i, c["type"]))
            seen.add(c["type"])
            c.setdefault("lastUpdateTime", stamp)
            c.setdefault("lastTransitionTime", c["lastUpdateTime"])
            out.append(c)
        if "Approved" in seen and "Denied" in seen:
            raise invalid(name, "status.conditions[1].type: Invalid value: \"Denied\": Approved and Denied "
                                "conditions are mutually exclusive")
        for old in (current.get("status") or {}).get("conditions") or []:
            if old["type"] in ("Approved", "Denied") and old["type"] not in seen:
                raise invalid(name, 'status.conditions: Forbidden: updates may not remove a condition of type "%s"'
                              % old["type"])
        return out

    def set_status(self, name, certificate=None, condition=None):
        """The signer's write to the status subresource."""
        with self.lock:
            obj = self.items[name]
            if certificate is not None:
                obj["status"]["certificate"] = base64.b64encode(certificate).decode()
            if condition is not None:
                obj["status"].setdefault("conditions", []).append(condition)
            self._bump(obj)


class Signer:
    """kube-controller-manager's csrsigning for the kubelet signers, with the cluster CA."""

    def __init__(self, ca_cert, ca_key, delay_seconds, max_seconds, log):
        self.ca_cert, self.ca_key = ca_cert, ca_key
        self.delay, self.max_seconds, self.log = delay_seconds, max_seconds, log
        self.store = None

    def request(self, name):
        if self.ca_key:
            threading.Timer(self.delay, self._sign, (name,)).start()

    def _sign(self, name):
        csr = self.store.get(name)
        spec, status = csr["spec"], csr.get("status", {})
        types = {c["type"] for c in status.get("conditions", [])}
        if "Approved" not in types or "Failed" in types or status.get("certificate"):
            return
        if spec["signerName"] not in SIGNED_SIGNERS:
            return  # no signer in this cluster: approved, never issued
        pem = base64.b64decode(spec["request"])
        why = self._refuse(spec, pem)
        if why:
            self.store.set_status(name, condition={
                "type": "Failed", "status": "True", "reason": "SignerValidationFailure", "message": why,
                "lastUpdateTime": now_rfc3339(), "lastTransitionTime": now_rfc3339()})
            self.log("signer: %s failed: %s" % (name, why))
            return
        self.store.set_status(name, certificate=self._issue(spec, pem).encode())
        self.log("signer: issued %s" % name)

    def _refuse(self, spec, pem):
        """The kubelet-serving signer's own validation (csrsigning's isKubeletServing)."""
        subject, sans = parse_request(pem)
        if spec["signerName"] != "kubernetes.io/kubelet-serving":
            return ""
        allowed = {"key encipherment", "digital signature", "server auth"}
        if not set(spec["usages"]) <= allowed:
            return "usages did not match [digital signature key encipherment server auth]"
        if "O=system:nodes" not in subject.split(","):
            return "subject organization is not system:nodes"
        if not re.search(r"(^|,)CN=system:node:", subject):
            return 'subject common name does not begin with "system:node:"'
        if any(s.startswith(("email:", "URI:")) for s in sans):
            return "email subjectAltNames and URI subjectAltNames are not allowed"
        if not any(s.startswith(("DNS:", "IP Address:")) for s in sans):
            return "DNS or IP subjectAltName is required"
        return ""

    def _issue(self, spec, pem):
        subject, sans = parse_request(pem)
        seconds = min(int(spec.get("expirationSeconds") or self.max_seconds), self.max_seconds)
        key_usage = [{"digital signature": "digitalSignature", "key encipherment": "keyEncipherment"}[u]
                     for u in spec["usages"] if u in ("digital signature", "key encipherment")]
        ext_usage = [{"server auth": "serverAuth", "client auth": "clientAuth"}[u]
                     for u in spec["usages"] if u in ("server auth", "client auth")]
        lines = ["basicConstraints=critical,CA:FALSE"]
        if key_usage:
            lines.append("keyUsage=critical," + ",".join(key_usage))
        if ext_usage:
            lines.append("extendedKeyUsage=" + ",".join(ext_usage))
        if sans:
            lines.append("subjectAltName=" + ",".join(s.replace("IP Address:", "IP:") for s in sans))
        # As kube-controller-manager's signer: notBefore backdated 5 minutes (clock skew), notAfter
        # the requested duration (capped); `openssl ca` takes both dates, `openssl x509` only days.
        now = datetime.datetime.now(datetime.timezone.utc)
        start = (now - datetime.timedelta(minutes=5)).strftime("%Y%m%d%H%M%SZ")
        end = (now + datetime.timedelta(seconds=seconds)).strftime("%Y%m%d%H%M%SZ")
        with tempfile.TemporaryDirectory() as tmp:
            path = lambda name: os.path.join(tmp, name)
            with open(path("req.pem"), "wb") as f:
                f.write(pem)
            with open(path("ext"), "w") as f:
                f.write("\n".join(lines) + "\n")
            open(path("index.txt"), "w").close()
            with open(path("serial"), "w") as f:
                f.write(uuid.uuid4().hex + "\n")
            with open(path("ca.cnf"), "w") as f:
                f.write("[ca]\ndefault_ca = standin\n[standin]\ndatabase = %s\nnew_certs_dir = %s\nserial = %s\n"
                        "default_md = sha256\npolicy = any\nunique_subject = no\n[any]\ncommonName = optional\n"
                        % (path("index.txt"), tmp, path("serial")))
            openssl(["ca", "-batch", "-config", path("ca.cnf"), "-in", path("req.pem"), "-out", path("cert.pem"),
                     "-cert", self.ca_cert, "-keyfile", self.ca_key, "-startdate", start, "-enddate", end,
                     "-extfile", path("ext"), "-notext", "-preserveDN"])
            with open(path("cert.pem")) as f:
                return f.read()
