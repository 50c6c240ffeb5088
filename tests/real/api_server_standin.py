#!/usr/bin/env python3
"""A small HTTPS stand-in for the Kubernetes API server (the real one is not
packaged in Debian 12), for the real-component tests.

Authentication as kube-apiserver does it: a client certificate signed by
--client-ca (user = CN, groups = O) or, with --token-auth-file (the API
server's CSV format: token,user,uid,"group1,group2"), a bearer token; every
authenticated user is also in system:authenticated, anonymous requests get
401. Without --token-auth-file a client certificate is required in the TLS
handshake (mutual TLS), as before.

It answers:
- GET PATH with the file DOCS/PATH.json when there is one (a Node object as
  api/v1/nodes/NAME.json, a kubelet's configz, ...), else 404;
- discovery (/api, /apis, /api/v1, /apis/certificates.k8s.io/v1), what kubectl
  asks first;
- certificates.k8s.io/v1 CertificateSigningRequests (standin_csr.py): list
  (fieldSelector spec.signerName and metadata.name, as the real server), get,
  create (POST; spec.username/groups/uid from the requester), the approval
  subresource (PUT; 404, 409 on a stale resourceVersion, 422), with Table
  output when the Accept header asks for it (kubectl get); with --ca-key a
  signer issues approved kubelet CSRs with the cluster CA.
Authorization: users in system:masters or kubeadm:cluster-admins may do
everything, other users may read and create CSRs and read files but not
approve (403), like a node under RBAC.

For the tests only, not in the real API: POST /standin/approval-races with
{"name": CSR, "count": N} (admins) makes each of the next N approvals of CSR
lose a race with another writer that updates it between the approver's read
and its write: the approval carrying the resourceVersion it read gets the
API server's 409 Conflict (CsrStore.race_approvals).

One line per request in --log, written before the answer is sent: the user
(the client certificate's CN), the method, the path with its query and the
answer's status code, as the API server's audit log records them. It listens
on 127.0.0.1 at a port the kernel picks and writes that port to --port-file
once it accepts connections.
"""
import argparse
import csv
import datetime
import http.server
import json
import os
import ssl
import sys
import urllib.parse

from standin_csr import GROUP, RESOURCE, ApiError, CsrStore, Signer
from standin_protobuf import decode_csr

ADMIN_GROUPS = {"system:masters", "kubeadm:cluster-admins"}
CSR_PATH = "/apis/%s/v1/%s" % (GROUP, RESOURCE)
RACES_PATH = "/standin/approval-races"


def discovery(path):
    """The discovery documents kubectl reads before it finds the csr resource."""
    if path == "/api":
        return {"kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}]}
    if path == "/apis":
        version = {"groupVersion": GROUP + "/v1", "version": "v1"}
        return {"kind": "APIGroupList", "apiVersion": "v1",
                "groups": [{"name": GROUP, "versions": [version], "preferredVersion": version}]}
    if path == "/api/v1":
        return {"kind": "APIResourceList", "groupVersion": "v1", "resources": [
            {"name": "nodes", "singularName": "node", "namespaced": False, "kind": "Node",
             "verbs": ["get", "list"], "shortNames": ["no"]}]}
    if path == "/apis/%s/v1" % GROUP:
        verbs = ["create", "delete", "get", "list", "patch", "update", "watch"]
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": GROUP + "/v1", "resources": [
            {"name": RESOURCE, "singularName": "certificatesigningrequest", "namespaced": False,
             "kind": "CertificateSigningRequest", "verbs": verbs, "shortNames": ["csr"]},
            {"name": RESOURCE + "/approval", "singularName": "", "namespaced": False,
             "kind": "CertificateSigningRequest", "verbs": ["get", "patch", "update"]},
            {"name": RESOURCE + "/status", "singularName": "", "namespaced": False,
             "kind": "CertificateSigningRequest", "verbs": ["get", "patch", "update"]}]}
    return None


def age(stamp):
    then = datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    s = int((datetime.datetime.now(datetime.timezone.utc) - then).total_seconds())
    return "%ds" % s if s < 120 else "%dm" % (s // 60) if s < 7200 else "%dh" % (s // 3600)


def condition_text(obj):
    status = obj.get("status") or {}
    types = [c["type"] for c in status.get("conditions") or []]
    if status.get("certificate"):
        types.append("Issued")
    return ",".join(types) or "Pending"


def as_table(objects, version):
    """The server-side printing kubectl asks for (Accept: ...;as=Table;v=v1;g=meta.k8s.io)."""
    columns = [("Name", "string", "name"), ("Age", "date", ""), ("SignerName", "string", ""),
               ("Requestor", "string", ""), ("RequestedDuration", "string", ""), ("Condition", "string", "")]
    rows = []
    for o in objects:
        exp = o["spec"].get("expirationSeconds")
        meta = dict(o["metadata"])
        rows.append({"cells": [meta["name"], age(meta["creationTimestamp"]), o["spec"].get("signerName", ""),
                               o["spec"].get("username", ""), "%ds" % exp if exp else "<none>", condition_text(o)],
                     "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": meta}})
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": version},
            "columnDefinitions": [{"name": n, "type": t, "format": f, "description": n, "priority": 0}
                                  for n, t, f in columns],
            "rows": rows}


def read_tokens(path):
    tokens = {}
    if path:
        with open(path, newline="") as f:
            for row in csv.reader(f):
                if len(row) >= 3:
                    groups = [g for g in (row[3].split(",") if len(row) > 3 else []) if g]
                    tokens[row[0]] = {"name": row[1], "uid": row[2], "groups": groups}
    return tokens


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--client-ca", required=True)
    p.add_argument("--docs", default="")
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--token-auth-file", default="")
    p.add_argument("--ca-key", default="", help="the cluster CA key: approved kubelet CSRs get signed")
    p.add_argument("--sign-delay", type=float, default=0.5)
    p.add_argument("--cluster-signing-duration", type=int, default=365 * 86400)
    a = p.parse_args()

    log = open(a.log, "a", buffering=1)
    tokens = read_tokens(a.token_auth_file)
    signer = Signer(a.client_ca, a.ca_key, a.sign_delay, a.cluster_signing_duration,
                    lambda m: sys.stderr.write(m + "\n"))
    store = CsrStore(signer, lambda m: sys.stderr.write(m + "\n"))
    signer.store = store

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            sys.stderr.write(fmt % args + "\n")

        def user(self):
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Bearer "):
                return tokens.get(auth[len("Bearer "):].strip())
            peer = self.connection.getpeercert() or {}
            cn, orgs = "", []
            for rdn in peer.get("subject", ()):
                for key, value in rdn:
                    if key == "commonName":
                        cn = value
                    elif key == "organizationName":
                        orgs.append(value)
            return {"name": cn, "uid": "", "groups": orgs} if cn else None

        def send_json(self, status, doc):
            body = json.dumps(doc).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def body(self):
            """The request's object, JSON or (client-go's default for built-in types) protobuf."""
            try:
                if "protobuf" in self.headers.get("Content-Type", ""):
                    return decode_csr(self.raw_body)
                return json.loads(self.raw_body or b"{}")
            except (ValueError, IndexError) as e:
                raise ApiError(400, "BadRequest", "the body of the request was in an unknown format: %s" % e)

        def handle_request(self, method):
            # The body is read first, whatever the answer: left unread it would be taken for the next request.
            self.raw_body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            who = self.user()
            url = urllib.parse.urlsplit(self.path)
            path = url.path.rstrip("/") or "/"
            try:
                if who is None:
                    raise ApiError(401, "Unauthorized", "Unauthorized")
                who = dict(who, groups=list(who["groups"]) + ["system:authenticated"])
                status, doc = self.route(method, path, urllib.parse.parse_qs(url.query), who)
            except ApiError as e:
                status, doc = e.code, e.status()
            log.write("%s %s %s %d\n" % (who["name"] if who else "system:anonymous", method, self.path, status))
            self.send_json(status, doc)

        def route(self, method, path, query, who):
            admin = bool(ADMIN_GROUPS & set(who["groups"]))
            if method == "GET" and a.docs:
                doc = os.path.join(a.docs, os.path.normpath("/" + path).lstrip("/") + ".json")
                if os.path.isfile(doc):
                    with open(doc) as f:
                        return 200, json.load(f)
            if method == "GET" and discovery(path) is not None:
                return 200, discovery(path)
            table = "as=Table" in self.headers.get("Accept", "")
            if path == CSR_PATH and method == "GET":
                lst = store.list(query.get("fieldSelector", [""])[0])
                return 200, as_table(lst["items"], lst["metadata"]["resourceVersion"]) if table else lst
            if path == CSR_PATH and method == "POST":
                return 201, store.create(self.body(), who)
            parts = path[len(CSR_PATH) + 1:].split("/") if path.startswith(CSR_PATH + "/") else []
            if len(parts) == 1 and method == "GET":
                obj = store.get(parts[0])
                return 200, as_table([obj], obj["metadata"]["resourceVersion"]) if table else obj
            if len(parts) == 2 and parts[1] == "approval" and method == "PUT":
                current = store.get(parts[0])
                if not admin:
                    raise ApiError(403, "Forbidden", '%s.%s "%s" is forbidden: user "%s" is not permitted to '
                                   'approve requests with signerName "%s"' % (RESOURCE, GROUP, parts[0], who["name"],
                                                                               current["spec"]["signerName"]),
                                   parts[0])
                return 200, store.update_approval(parts[0], self.body())
            if path == RACES_PATH and method == "POST":
                if not admin:
                    raise ApiError(403, "Forbidden", "only an administrator may arrange races")
                race = self.body()
                return 200, store.race_approvals(race.get("name", ""), int(race.get("count", 1)))
            if parts or path == CSR_PATH:
                raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the "
                                                        "requested resource")
            raise ApiError(404, "NotFound", "the server could not find the requested resource")

        def do_GET(self):
            self.handle_request("GET")

        def do_POST(self):
            self.handle_request("POST")

        def do_PUT(self):
            self.handle_request("PUT")

        def do_PATCH(self):
            self.handle_request("PATCH")

        def do_DELETE(self):
            self.handle_request("DELETE")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    ctx.load_verify_locations(a.client_ca)
    ctx.verify_mode = ssl.CERT_OPTIONAL if tokens else ssl.CERT_REQUIRED
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, a.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
