"""Reading the Kubernetes protobuf encoding of a CertificateSigningRequest
(what client-go, so kubectl, sends for built-in types: Content-Type
application/vnd.kubernetes.protobuf), for the API server stand-in. It decodes
the wire format generically and maps the fields of k8s.io/api's
generated.proto that the approval subresource reads into the JSON shape.
"""
import datetime

MAGIC = b"k8s\x00"


def _varint(data, i):
    value = shift = 0
    while True:
        b = data[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, i


def fields(data):
    """The (field number, value) pairs of one message; length-delimited values stay bytes."""
    out, i = [], 0
    while i < len(data):
        key, i = _varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(data, i)
        elif wire == 2:
            n, i = _varint(data, i)
            value, i = data[i:i + n], i + n
        elif wire == 1:
            value, i = data[i:i + 8], i + 8
        elif wire == 5:
            value, i = data[i:i + 4], i + 4
        else:
            raise ValueError("unsupported protobuf wire type %d" % wire)
        out.append((number, value))
    return out


def _first(pairs, number, default=None):
    for n, v in pairs:
        if n == number:
            return v
    return default


def _text(pairs, number):
    v = _first(pairs, number)
    return v.decode() if v is not None else None


def _time(raw):
    """meta.v1.Time: seconds (1), nanos (2)."""
    seconds = _first(fields(raw), 1, 0)
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _condition(raw):
    # CertificateSigningRequestCondition: type 1, reason 2, message 3, lastUpdateTime 4,
    # lastTransitionTime 5, status 6.
    p = fields(raw)
    c = {"type": _text(p, 1), "status": _text(p, 6), "reason": _text(p, 2), "message": _text(p, 3)}
    if _first(p, 4) is not None:
        c["lastUpdateTime"] = _time(_first(p, 4))
    if _first(p, 5) is not None:
        c["lastTransitionTime"] = _time(_first(p, 5))
    return {k: v for k, v in c.items() if v is not None}


def decode_csr(body):
    """The metadata (name 1, resourceVersion 6) and status.conditions of a CertificateSigningRequest in
    the runtime.Unknown envelope (typeMeta 1, raw 2), as JSON-shaped dicts."""
    if not body.startswith(MAGIC):
        raise ValueError("not the Kubernetes protobuf encoding")
    raw = _first(fields(body[len(MAGIC):]), 2, b"")
    csr = fields(raw)  # metadata 1, spec 2, status 3
    meta = fields(_first(csr, 1, b""))
    status = fields(_first(csr, 3, b""))
    return {"metadata": {"name": _text(meta, 1), "resourceVersion": _text(meta, 6)},
            "status": {"conditions": [_condition(v) for n, v in status if n == 1]}}
