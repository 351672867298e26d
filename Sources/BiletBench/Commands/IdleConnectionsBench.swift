import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Which protocol the idle clients speak after the handshake (ALPN).
enum IdleProtocol: String, CaseIterable, Sendable {
    /// ALPN `http/1.1`, one `GET /healthz`.
    case http1 = "h1"
    /// ALPN `h2`: the SETTINGS exchange (both sides acknowledged) and one `GET /healthz` stream.
    case http2 = "h2"
}

/// Many idle mTLS connections held against one gateway (issue 13): how long they take to be
/// accepted, how much memory each costs the gateway process, and whether new requests are still
/// served promptly while they are held.
///
/// The clients are Python asyncio processes (`clients` of them, run in parallel), each opening its
/// share of the connections with the client certificate, from loopback source addresses
/// `127.0.0.2 … 127.0.0.(sourceAddresses + 1)` (one source address gives only ~28,000 ephemeral
/// ports towards one port), making one request on each and then holding them until told to close.
/// The gateway runs in this process, so its memory is this process's resident set size, read
/// before the clients start (after a warm-up batch) and once every connection is held. Responsiveness is `probes` sequential fresh mTLS handshakes with
/// `GET /v1/whoami` by curl, timed by curl itself, with nothing held and then while the
/// connections are held.
struct IdleConnectionsBench {
    let port: Int
    let connections: Int
    let idleProtocol: IdleProtocol
    let clients: Int
    let sourceAddresses: Int
    let probes: Int
    let certificate: String
    let privateKey: String

    /// What one run measured.
    struct Result {
        let idleProtocol: IdleProtocol
        let held: Int
        let failed: Int
        let acceptSeconds: Double
        let residentBeforeKiB: Int
        let residentHeldKiB: Int
        let quiet: ProbeLatency
        let loaded: ProbeLatency
        let loadAverage: String

        /// Resident set growth per held connection.
        var residentKiBPerConnection: Double { Double(self.residentHeldKiB - self.residentBeforeKiB) / Double(max(self.held, 1)) }
    }

    /// Latency of fresh handshakes with one request each, in milliseconds.
    struct ProbeLatency {
        let p50: Double
        let p99: Double
        let max: Double
        let failed: Int
        var summary: String { String(format: "p50 %.1f ms, p99 %.1f ms, max %.1f ms, %d failed", self.p50, self.p99, self.max, self.failed) }
    }

    /// Raises this process's open-file limit (inherited by the clients it starts) to at least
    /// `minimum`, the hard limit too when allowed (root, up to `fs.nr_open`).
    static func raiseFileLimit(to minimum: Int) throws {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        guard Int(limit.rlim_cur) < minimum else { return }
        var raised = rlimit(rlim_cur: rlim_t(minimum), rlim_max: max(limit.rlim_max, rlim_t(minimum)))
        if setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &raised) != 0 {
            // not allowed to raise the hard limit: take what it allows
            raised = rlimit(rlim_cur: limit.rlim_max, rlim_max: limit.rlim_max)
            _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &raised)
            throw IdleBenchError(
                "the open-file hard limit \(limit.rlim_max) is below the \(minimum) needed and may not be raised here "
                    + "(CAP_SYS_RESOURCE): hold at most \(Int(limit.rlim_max) - 1_000) connections, or raise it (ulimit -Hn)")
        }
        print("open-file limit raised from \(limit.rlim_cur) to \(minimum)")
    }

    func run() async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bilet-idle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appendingPathComponent("idle.py")
        try Self.client.write(to: script, atomically: true, encoding: .utf8)
        let sources = (0..<max(1, self.sourceAddresses)).map { "127.0.0.\($0 + 2)" }.joined(separator: ",")

        // warm up allocator and caches with a small batch, then the latency with nothing held
        _ = try await Tool.run(
            "/usr/bin/python3", [script.path, "127.0.0.1", "\(self.port)", "200", self.certificate, self.privateKey, "0",
                                 self.idleProtocol.rawValue, sources])
        let quiet = try await self.probe()
        print("[\(self.idleProtocol.rawValue)] fresh handshake + GET /v1/whoami, nothing held: \(quiet.summary)")
        try await Task.sleep(for: .seconds(1))
        IdleMemory.returnFreePages()
        let residentBefore = IdleMemory.residentKiB()

        // the clients, each with its share; output to files polled without blocking (this
        // process's threads are the gateway's event loops)
        var processes: [(process: Process, stdin: Pipe, output: URL)] = []
        for index in 0..<self.clients {
            let share = self.connections / self.clients + (index < self.connections % self.clients ? 1 : 0)
            let output = directory.appendingPathComponent("client-\(index).out")
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            let handle = try FileHandle(forWritingTo: output)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = [
                script.path, "127.0.0.1", "\(self.port)", "\(share)", self.certificate, self.privateKey, "1",
                self.idleProtocol.rawValue, sources, "\(index)",
            ]
            let stdin = Pipe()
            process.standardOutput = handle
            process.standardError = handle
            process.standardInput = stdin
            try process.run()
            processes.append((process, stdin, output))
        }
        var reports: [String] = []
        let deadline = ContinuousClock.now + .seconds(1800)
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(500))
            reports = processes.map { (try? String(contentsOf: $0.output, encoding: .utf8)) ?? "" }
            if zip(reports, processes).allSatisfy({ $0.0.contains("READY") || !$0.1.process.isRunning }) { break }
        }
        // READY open=… failed=… first=<time of the first connect> last=<time the last was ready>
        let ready = reports.compactMap { report in report.split(separator: "\n").first { $0.hasPrefix("READY") } }
        func field(_ name: String, _ line: Substring) -> Double? {
            line.split(separator: " ").first { $0.hasPrefix("\(name)=") }.flatMap { Double($0.dropFirst(name.count + 1)) }
        }
        let held = ready.compactMap { field("open", $0) }.reduce(0, +)
        let failed = ready.compactMap { field("failed", $0) }.reduce(0, +)
        let first = ready.compactMap { field("first", $0) }.min() ?? 0
        let last = ready.compactMap { field("last", $0) }.max() ?? 0
        for (report, _) in zip(reports, processes) where !report.contains("READY") {
            print("client without READY: \(report.suffix(2000))")
        }
        print("[\(self.idleProtocol.rawValue)] \(Int(held)) connections held (\(Int(failed)) failed) in \(String(format: "%.1f", last - first)) s")

        try await Task.sleep(for: .seconds(2))
        let residentHeld = IdleMemory.residentKiB()
        let loadAverage = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? ""
        let loaded = try await self.probe()
        // for heap profilers: time to take a snapshot (or kill the process) while the connections are held
        if let hold = ProcessInfo.processInfo.environment["BILET_IDLE_HOLD_SECONDS"].flatMap({ Int($0) }) {
            print("holding for \(hold) s (pid \(getpid()))")
            try await Task.sleep(for: .seconds(hold))
        }
        print("[\(self.idleProtocol.rawValue)] fresh handshake + GET /v1/whoami, \(Int(held)) held: \(loaded.summary)")

        for entry in processes {
            try? entry.stdin.fileHandleForWriting.write(contentsOf: Data("close\n".utf8))
            try? entry.stdin.fileHandleForWriting.close()
        }
        for _ in 0..<1200 where processes.contains(where: { $0.process.isRunning }) { try await Task.sleep(for: .milliseconds(100)) }
        for entry in processes where entry.process.isRunning { entry.process.terminate() }
        let result = Result(
            idleProtocol: self.idleProtocol, held: Int(held), failed: Int(failed), acceptSeconds: last - first,
            residentBeforeKiB: residentBefore, residentHeldKiB: residentHeld, quiet: quiet, loaded: loaded, loadAverage: loadAverage)
        print(
            "[\(self.idleProtocol.rawValue)] RSS \(residentBefore) -> \(residentHeld) KiB: "
                + String(format: "%.1f KiB per connection; load %@", result.residentKiBPerConnection, loadAverage))
        // let the gateway finish closing them before whatever comes next
        try await Task.sleep(for: .seconds(3))
        return result
    }

    /// `probes` fresh mTLS handshakes with `GET /v1/whoami`, one after the other, timed by curl.
    func probe() async throws -> ProbeLatency {
        let script = """
            for i in $(seq \(self.probes)); do
              curl -s -o /dev/null --http1.1 -k --cert '\(self.certificate)' --key '\(self.privateKey)' \
                -w '%{http_code} %{time_total}\\n' https://127.0.0.1:\(self.port)/v1/whoami || echo "000 0"
            done
            """
        let output = try await Tool.run("/bin/sh", ["-c", script])
        var times: [Double] = []
        var failed = 0
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, parts[0] == "200", let seconds = Double(parts[1]) else {
                failed += 1
                continue
            }
            times.append(seconds * 1000)
        }
        times.sort()
        func percentile(_ p: Double) -> Double {
            times.isEmpty ? .nan : times[min(times.count - 1, Int((Double(times.count) * p).rounded(.up)) - 1)]
        }
        return ProbeLatency(p50: percentile(0.5), p99: percentile(0.99), max: times.last ?? .nan, failed: failed)
    }

    /// Opens N mTLS connections from the given source addresses (64 handshakes in flight), makes
    /// one request on each (HTTP/1.1, or HTTP/2 with the SETTINGS exchange finished), prints
    /// `READY open= failed= first= last=` (wall-clock seconds of the first connect and of the last
    /// connection ready) and holds them until a line arrives on stdin (when the hold argument is 1).
    static let client = #"""
    import asyncio, socket, ssl, struct, sys, time
    host, port, n, cert, key = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
    hold, proto, sources = sys.argv[6] == "1", sys.argv[7], sys.argv[8].split(",")
    offset = int(sys.argv[9]) if len(sys.argv) > 9 else 0
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.load_cert_chain(cert, key)
    ctx.set_alpn_protocols(["h2"] if proto == "h2" else ["http/1.1"])
    IP_BIND_ADDRESS_NO_PORT = 24

    def frame(kind, flags, stream, payload=b""):
        return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload

    def literal(index, value):  # HPACK literal without indexing, indexed name, no Huffman
        return bytes([index, len(value)]) + value

    H2_START = (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(0x4, 0, 0)
                + frame(0x1, 0x5, 1, b"\x82\x87" + literal(4, b"/healthz") + literal(1, b"localhost")))

    async def http1(r, w):
        w.write(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        head = await r.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await r.readexactly(length)

    async def http2(r, w):
        w.write(H2_START)
        settings = acknowledged = answered = False
        while not (settings and acknowledged and answered):
            header = await r.readexactly(9)
            length, kind, flags = int.from_bytes(header[:3], "big"), header[3], header[4]
            stream = int.from_bytes(header[5:9], "big") & 0x7FFFFFFF
            await r.readexactly(length)
            if kind == 0x4 and flags & 0x1:
                acknowledged = True
            elif kind == 0x4:
                settings = True
                w.write(frame(0x4, 0x1, 0))
            elif kind == 0x7:
                raise RuntimeError("GOAWAY")
            elif kind in (0x0, 0x1) and stream == 1 and flags & 0x1:
                answered = True

    async def one(index, sem, conns):
        async with sem:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
            sock.bind((sources[(index + offset) % len(sources)], 0))
            sock.setblocking(False)
            try:
                await asyncio.get_running_loop().sock_connect(sock, (host, port))
                r, w = await asyncio.open_connection(sock=sock, ssl=ctx, server_hostname="localhost")
            except BaseException:
                sock.close()
                raise
            await (http2(r, w) if proto == "h2" else http1(r, w))
            await w.drain()
            conns.append(w)

    async def main():
        sem = asyncio.Semaphore(64)
        conns = []
        first = time.time()
        results = await asyncio.gather(*[one(i, sem, conns) for i in range(n)], return_exceptions=True)
        last = time.time()
        errors = [r for r in results if isinstance(r, BaseException)]
        if errors:
            print("first error: %r" % (errors[0],), flush=True)
        print("READY open=%d failed=%d first=%.3f last=%.3f" % (len(conns), len(errors), first, last), flush=True)
        if hold:
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        for w in conns:
            w.close()
        await asyncio.sleep(1)
    asyncio.run(main())
    """#
}

/// Why the idle bench could not run.
struct IdleBenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// This process's memory.
private enum IdleMemory {
    /// Resident set size, from `/proc/self/status`.
    static func residentKiB() -> Int { SoakSample.residentKiB(of: "self") }

    /// Gives malloc's free pages back to the system (glibc `malloc_trim(0)`), so that memory freed
    /// by an earlier run in this process does not hide the next run's growth.
    static func returnFreePages() {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        let trim = unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        _ = trim(0)
    }
}

extension IdleConnectionsBench {
    /// One report row: memory per connection, and the rest of the run in the note.
    struct Row {
        let metric: String
        let kibPerConnection: Double
        let note: String
    }

    /// Raises the open-file limit, then runs the bench once per protocol in `protocols` (`h1`,
    /// `h2` or `both`) against the gateway on `port`.
    static func rows(
        port: Int, connections: Int, protocols: String, clients: Int, probes: Int, certificate: String, privateKey: String
    ) async throws -> [Row] {
        let chosen: [IdleProtocol] = protocols == "both" ? IdleProtocol.allCases : [IdleProtocol(rawValue: protocols) ?? .http1]
        // the gateway's own descriptors (listener, event loops, files, the probe) need a few hundred more
        try Self.raiseFileLimit(to: connections + 1_000)
        var rows: [Row] = []
        for idleProtocol in chosen {
            let bench = IdleConnectionsBench(
                port: port, connections: connections, idleProtocol: idleProtocol, clients: max(1, clients),
                sourceAddresses: max(1, (connections + 19_999) / 20_000), probes: probes, certificate: certificate,
                privateKey: privateKey)
            let result = try await bench.run()
            let note = String(
                format: "%@: %d held, %d failed, accepted in %.1f s; RSS %d -> %d KiB; "
                    + "fresh handshake + GET p50/p99 %.1f/%.1f ms nothing held, %.1f/%.1f ms held (%d/%d failed); load %@",
                idleProtocol.rawValue, result.held, result.failed, result.acceptSeconds, result.residentBeforeKiB,
                result.residentHeldKiB, result.quiet.p50, result.quiet.p99, result.loaded.p50,
                result.loaded.p99, result.quiet.failed, result.loaded.failed, result.loadAverage)
            rows.append(
                Row(metric: "memory per idle connection (KiB, \(idleProtocol.rawValue), \(result.held) open)",
                    kibPerConnection: result.residentKiBPerConnection, note: note))
        }
        return rows
    }
}
