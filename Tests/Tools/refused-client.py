#!/usr/bin/env python3
"""A TLS 1.3 client whose certificate the server refuses, and which then does not close.

It completes its side of the handshake with Python's ssl (a TLS 1.3 client is done once it has
sent its Finished, before the server has checked its certificate), then reads the raw bytes the
server sends, without TLS, until the server closes or --wait seconds pass; with --chatter it also
writes a few bytes every 50 ms, as a client sending requests would. It never closes first.

Prints one JSON object: the outer content types of the TLS records received (a TLS 1.3 alert after
the handshake is encrypted, so it arrives as type 23, application data), the seconds from the first
byte to the server's close (null when it never closed), and whether the close was a reset instead
of an orderly end.
"""
import argparse
import json
import os
import select
import socket
import ssl
import time

parser = argparse.ArgumentParser()
parser.add_argument("port", type=int)
parser.add_argument("--cafile", required=True)
parser.add_argument("--cert", required=True)
parser.add_argument("--key", required=True)
parser.add_argument("--wait", type=float, default=3.0)
parser.add_argument("--chatter", action="store_true")
arguments = parser.parse_args()

context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.minimum_version = ssl.TLSVersion.TLSv1_3
context.load_verify_locations(arguments.cafile)
context.load_cert_chain(arguments.cert, arguments.key)
context.check_hostname = False
raw = socket.create_connection(("127.0.0.1", arguments.port))
tls = context.wrap_socket(raw, server_hostname="localhost", do_handshake_on_connect=False)
tls.do_handshake()
descriptor = tls.fileno()

first_byte_at = None
received = b""
closed_after = None
reset = False
deadline = time.monotonic() + arguments.wait
while time.monotonic() < deadline:
    readable, _, _ = select.select([descriptor], [], [], 0.05)
    if arguments.chatter:
        try:
            os.write(descriptor, b"\x17\x03\x03\x00\x01\x00")
        except OSError:
            pass
    if not readable:
        continue
    try:
        chunk = os.read(descriptor, 65536)
    except ConnectionResetError:
        reset = True
        chunk = b""
    now = time.monotonic()
    if chunk and first_byte_at is None:
        first_byte_at = now
    received += chunk
    if not chunk:
        closed_after = None if first_byte_at is None else round(now - first_byte_at, 3)
        break

record_types = []
offset = 0
while offset + 5 <= len(received):
    record_types.append(received[offset])
    offset += 5 + int.from_bytes(received[offset + 3:offset + 5], "big")
print(json.dumps({"records": record_types, "closedAfter": closed_after, "reset": reset}))
