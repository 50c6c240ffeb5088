#!/usr/bin/env python3
"""A small HTTPS stand-in for the Kubernetes API server (the real one is not
packaged in Debian 12), for the real-component tests.

It demands a client certificate signed by --client-ca (mutual TLS, like the
API server's --client-ca-file), answers GET PATH with the file
DOCS/PATH.json (application/json), or a 404 Status object, and logs one line
per request: the client certificate's subject CN, the method and the path.
It listens on 127.0.0.1 at a port the kernel picks and writes that port to
--port-file once it accepts connections.
"""
import argparse
import http.server
import json
import os
import ssl
import sys


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--client-ca", required=True)
    p.add_argument("--docs", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    a = p.parse_args()

    log = open(a.log, "a", buffering=1)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            sys.stderr.write(fmt % args + "\n")

        def do_GET(self):
            peer = self.connection.getpeercert() or {}
            cn = ""
            for rdn in peer.get("subject", ()):
                for key, value in rdn:
                    if key == "commonName":
                        cn = value
            log.write("%s GET %s\n" % (cn, self.path))
            path = os.path.normpath("/" + self.path.split("?", 1)[0]).lstrip("/")
            doc = os.path.join(a.docs, path + ".json")
            if os.path.isfile(doc):
                status, body = 200, open(doc, "rb").read()
            else:
                status = 404
                body = json.dumps({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                   "message": "the server could not find the requested resource",
                                   "reason": "NotFound", "code": 404}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    ctx.load_verify_locations(a.client_ca)
    ctx.verify_mode = ssl.CERT_REQUIRED
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, a.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
