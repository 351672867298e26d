#!/usr/bin/env python3
"""Round-trip latency of the vault's door.

Usage, with `bilet serve` running and the vault unsealed (e.g. after ./scripts/run and
`bilet vault init --key-file …`):

    python3 scripts/bench/door-latency.py var/vault-door/door.sock 2000            # one connection per call
    python3 scripts/bench/door-latency.py var/vault-door/door.sock 2000 persistent # one connection for all calls

The first form is how the gateway called the door before its connection pool (a connect, the
vault's peer-credential check and a close per call); the second is how the pooled VaultDoorClient
calls it now (request lines one after another on a kept connection).

Each call asks for the keyed hash of a synthetic login and checks the answer is a hash.
Prints p50, p99 and the mean in microseconds.
"""
import socket
import statistics
import sys
import time

path = sys.argv[1] if len(sys.argv) > 1 else "var/vault-door/door.sock"
count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
persistent = len(sys.argv) > 3 and sys.argv[3] == "persistent"


def connect():
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(path)
    return connection


def exchange(connection, i, pending):
    connection.sendall(b'{"attemptedAccountHash":{"login":"synthetic.login.%d"}}\n' % i)
    while b"\n" not in pending:
        chunk = connection.recv(4096)
        if not chunk:
            break
        pending += chunk
    line, _, rest = pending.partition(b"\n")
    return line, rest


latencies = []
kept = connect() if persistent else None
pending = b""
for i in range(count):
    start = time.perf_counter()
    if persistent:
        answer, pending = exchange(kept, i, pending)
    else:
        connection = connect()
        answer, _ = exchange(connection, i, b"")
        connection.close()
    latencies.append(time.perf_counter() - start)
    if not answer.startswith(b'{"keyedHash"'):
        sys.exit("unexpected answer (is the vault unsealed?): %r" % answer[:80])
if kept:
    kept.close()
latencies.sort()
print("door calls (%s): %d, p50 %.0f us, p99 %.0f us, mean %.0f us" % (
    "persistent connection" if persistent else "one connection per call",
    count, latencies[count // 2] * 1e6, latencies[int(count * 0.99)] * 1e6, statistics.mean(latencies) * 1e6))
