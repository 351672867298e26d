#!/usr/bin/env python3
"""Round-trip latency of the vault's door (one connection per call, as the gateway makes them).

Usage, with `bilet serve` running and the vault unsealed (e.g. after ./scripts/run and
`bilet vault init --key-file …`):

    python3 scripts/bench/door-latency.py var/vault-door/door.sock 2000

Each call asks for the keyed hash of a synthetic login and checks the answer is a hash.
Prints p50, p99 and the mean in microseconds.
"""
import socket
import statistics
import sys
import time

path = sys.argv[1] if len(sys.argv) > 1 else "var/vault-door/door.sock"
count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
latencies = []
for i in range(count):
    start = time.perf_counter()
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(path)
    connection.sendall(b'{"attemptedAccountHash":{"login":"synthetic.login.%d"}}\n' % i)
    answer = b""
    while not answer.endswith(b"\n"):
        chunk = connection.recv(4096)
        if not chunk:
            break
        answer += chunk
    connection.close()
    latencies.append(time.perf_counter() - start)
    if not answer.startswith(b'{"keyedHash"'):
        sys.exit("unexpected answer (is the vault unsealed?): %r" % answer[:80])
latencies.sort()
print("door calls: %d, p50 %.0f us, p99 %.0f us, mean %.0f us" % (
    count, latencies[count // 2] * 1e6, latencies[int(count * 0.99)] * 1e6, statistics.mean(latencies) * 1e6))
