#!/usr/bin/env python3
"""An HTTP/2 client that misbehaves on purpose, for the gateway's HTTP/2 limit tests.

Speaks raw HTTP/2 frames over Python's ssl (ALPN h2, optional client certificate), with no
library between it and the wire, so each test controls every frame:

  rapid-reset N   N streams, each opened (HEADERS) and at once cancelled (RST_STREAM CANCEL),
                  the pattern of CVE-2023-44487
  big-headers B   one request whose header list is B bytes (split over CONTINUATION frames)
  many-headers N  one request with N small header fields besides the pseudo-header fields
  streams N       N streams opened and left open (a POST whose body never comes)
  stall-body N    N POSTs without Content-Length whose body never comes (no END_STREAM)
  lie N           stream 1 announces Content-Length 5 and sends 10 bytes; streams 3, 5, ...
                  (N of them) are plain GETs on the same connection
  idle 0          nothing after the preface

With --ack-first it waits for the server's SETTINGS and acknowledges them before acting (so the
server's announced limits apply); with --no-ack it never acknowledges them. It then reads frames
until the server closes the connection or --wait seconds (default 2) pass with nothing, and prints
one JSON object: the ALPN protocol, the GOAWAY error code (or null), the RST_STREAM codes by
stream, the streams that got response HEADERS with their :status when the server sent it from the
static table, the server's SETTINGS, and whether the connection was closed.
"""
import argparse
import json
import socket
import ssl
import struct

DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = 0, 1, 3, 4, 6, 7, 8, 9
END_STREAM, END_HEADERS, ACK = 0x1, 0x4, 0x1
CANCEL = 8
MAX_FRAME = 16384
STATIC_STATUS = {0x88: 200, 0x89: 204, 0x8A: 206, 0x8B: 304, 0x8C: 400, 0x8D: 404, 0x8E: 500}


def frame(kind, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def integer(value, prefix_bits, first=0):
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first | value])
    out = [first | limit]
    value -= limit
    while value >= 128:
        out.append((value % 128) + 128)
        value //= 128
    out.append(value)
    return bytes(out)


def literal(name, value):
    """A header field as a literal without indexing, with a new name (RFC 7541 §6.2.2)."""
    name, value = name.encode(), value.encode()
    return b"\x00" + integer(len(name), 7) + name + integer(len(value), 7) + value


def request_block(authority, method="GET", path="/healthz", extra=()):
    fields = [(":method", method), (":scheme", "https"), (":path", path), (":authority", authority)] + list(extra)
    return b"".join(literal(n, v) for n, v in fields)


def headers_frames(stream, block, end_stream):
    chunks = [block[i:i + MAX_FRAME] for i in range(0, len(block), MAX_FRAME)] or [b""]
    out = []
    for i, chunk in enumerate(chunks):
        last = i == len(chunks) - 1
        flags = (END_HEADERS if last else 0)
        if i == 0:
            out.append(frame(HEADERS, flags | (END_STREAM if end_stream else 0), stream, chunk))
        else:
            out.append(frame(CONTINUATION, flags, stream, chunk))
    return b"".join(out)


def connect(args):
    context = ssl.create_default_context(cafile=args.ca)
    context.check_hostname = False
    context.set_alpn_protocols(["h2"])
    if args.cert:
        context.load_cert_chain(args.cert, args.key)
    raw = socket.create_connection((args.host, args.port), timeout=10)
    conn = context.wrap_socket(raw, server_hostname="localhost")
    conn.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(SETTINGS, 0, 0))
    return conn


def read_frames(conn, report, quiet_seconds=2.0, ack=True, until_settings=False):
    conn.settimeout(quiet_seconds)
    buffer = b""
    while True:
        if until_settings and report["settings_seen"]:
            return
        try:
            data = conn.recv(65536)
        except socket.timeout:
            return
        except (ConnectionResetError, ssl.SSLError, OSError):
            report["closed"] = True
            return
        if not data:
            report["closed"] = True
            return
        buffer += data
        while len(buffer) >= 9:
            length = struct.unpack(">I", b"\x00" + buffer[:3])[0]
            if len(buffer) < 9 + length:
                break
            kind, flags = buffer[3], buffer[4]
            stream = struct.unpack(">I", buffer[5:9])[0] & 0x7FFFFFFF
            payload = buffer[9:9 + length]
            buffer = buffer[9 + length:]
            if kind == SETTINGS and not flags & ACK:
                report["settings_seen"] = True
                if ack:
                    conn.sendall(frame(SETTINGS, ACK, 0))
                for i in range(0, len(payload), 6):
                    key, value = struct.unpack(">HI", payload[i:i + 6])
                    report["settings"][str(key)] = value
            elif kind == PING and not flags & ACK:
                conn.sendall(frame(PING, ACK, 0, payload))
            elif kind == GOAWAY:
                report["goaway"] = struct.unpack(">I", payload[4:8])[0]
            elif kind == RST_STREAM:
                report["reset"][str(stream)] = struct.unpack(">I", payload[:4])[0]
            elif kind == HEADERS:
                report["answered"].append(stream)
                block = payload
                if flags & 0x8:  # PADDED
                    block = block[1:len(block) - block[0]]
                if flags & 0x20:  # PRIORITY
                    block = block[5:]
                # :status from the static table (RFC 7541 Appendix A), as encoders send common ones
                status = STATIC_STATUS.get(block[0]) if block else None
                report["status"][str(stream)] = status


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["rapid-reset", "big-headers", "many-headers", "streams", "stall-body", "lie", "idle"])
    parser.add_argument("count", type=int)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--ack-first", action="store_true")
    parser.add_argument("--no-ack", action="store_true")
    parser.add_argument("--wait", type=float, default=2.0)
    args = parser.parse_args()
    conn = connect(args)
    report = {"alpn": conn.selected_alpn_protocol(), "goaway": None, "reset": {}, "answered": [], "closed": False,
              "settings": {}, "status": {}, "settings_seen": False}
    authority = f"{args.host}:{args.port}"
    if args.ack_first:
        read_frames(conn, report, quiet_seconds=5.0, until_settings=True)
    try:
        if args.mode == "rapid-reset":
            stream = 1
            for _ in range(args.count):
                conn.sendall(headers_frames(stream, request_block(authority), True) +
                             frame(RST_STREAM, 0, stream, struct.pack(">I", CANCEL)))
                stream += 2
        elif args.mode == "big-headers":
            padding = max(0, args.count - len(request_block(authority)))
            conn.sendall(headers_frames(1, request_block(authority, extra=[("x-padding", "a" * padding)]), True))
        elif args.mode == "many-headers":
            fields = [(f"x-field-{i}", "v") for i in range(args.count)]
            conn.sendall(headers_frames(1, request_block(authority, extra=fields), True))
        elif args.mode == "streams":
            stream = 1
            for _ in range(args.count):
                block = request_block(authority, method="POST", path="/v1/whoami", extra=[("content-length", "1")])
                conn.sendall(headers_frames(stream, block, False))
                stream += 2
        elif args.mode == "stall-body":
            stream = 1
            for _ in range(args.count):
                block = request_block(authority, method="POST", path="/v1/whoami", extra=[("content-type", "application/json")])
                conn.sendall(headers_frames(stream, block, False))
                stream += 2
        elif args.mode == "lie":
            block = request_block(authority, method="POST", path="/v1/whoami",
                                  extra=[("content-type", "application/json"), ("content-length", "5")])
            conn.sendall(headers_frames(1, block, False) + frame(DATA, END_STREAM, 1, b"0123456789"))
            stream = 3
            for _ in range(args.count):
                conn.sendall(headers_frames(stream, request_block(authority), True))
                stream += 2
    except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
        report["closed"] = True
    read_frames(conn, report, quiet_seconds=args.wait, ack=not args.no_ack)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
