import Foundation
import LocalSocket
package import Logging
import Settings
import Storage
import UnixSignals

#if canImport(Glibc)
import Glibc
#endif

/// `bilet serve` without `--component`: the all-in-one run for development. It starts
/// the private cluster (if any) without ever connecting to it as the owner, then runs each configured
/// trust domain as a child process of its own (`bilet serve --component …`), so the process that
/// parses TLS and HTTP holds none of the vault's, the CA's or the audit signer's keys. All children run
/// as the same system user, so this separates memory, open files, environments and database
/// credentials held, not file access: production runs each component under its own user
/// (docs/DEPLOYMENT.md).
///
/// It forwards SIGHUP to the children that reload (gateway: TLS material and policies; vault: policies), stops them all on SIGTERM or SIGINT, and stops them all (and
/// fails) when any one stops by itself: a platform with a dead vault or CA is not left half running.
/// "bilet is ready" is logged once every child has announced readiness through its ready file (and
/// told to a service manager that set `NOTIFY_SOCKET`; the children do not inherit it).
package struct ServeSupervisor {
    let domains: [TrustDomain]
    let configurationPath: String?
    let database: PlatformDatabase
    let logger: Logger

    package init(domains: [TrustDomain], configurationPath: String?, database: PlatformDatabase, logger: Logger) {
        self.domains = domains
        self.configurationPath = configurationPath
        self.database = database
        self.logger = logger
    }

    /// How long children get to stop after SIGTERM before they are killed.
    static let stopBound: Duration = .seconds(60)

    private enum Event: Sendable {
        case signal(UnixSignal)
        case exited(TrustDomain, Int32)
        case ready([String: String])
        /// Once a second, so a stop that overruns its bound ends in SIGKILL.
        case tick
    }

    /// Runs until stopped. Returns the exit status: 0 after a requested stop in which every child
    /// stopped cleanly, 1 otherwise.
    package func run() async throws -> Int32 {
        let startedCluster = try await database.startCluster()
        let readyDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("bilet-ready-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: readyDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: readyDirectory) }

        let (events, continuation) = AsyncStream.makeStream(of: Event.self)
        // Trapped before any child starts, so a stop during start-up stops the children too.
        let trapped = await UnixSignalsSequence(trapping: .sigterm, .sigint, .sighup)
        let signals = Task {
            for await signal in trapped { continuation.yield(.signal(signal)) }
        }
        var children: [TrustDomain: Process] = [:]
        var failed = false
        do {
            for domain in domains {
                children[domain] = try spawn(domain, readyFile: readyDirectory + "/" + domain.rawValue, continuation: continuation)
            }
        } catch {
            logger.error("a component could not be started", metadata: ["error": "\(error)"])
            failed = true
        }

        let readiness = Task { [domains] in
            while !Task.isCancelled {
                let files = domains.map { readyDirectory + "/" + $0.rawValue }
                if files.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) {
                    var merged: [String: String] = [:]
                    for file in files {
                        if let data = FileManager.default.contents(atPath: file),
                            let fields = try? JSONSerialization.jsonObject(with: data) as? [String: String]
                        {
                            merged.merge(fields) { first, _ in first }
                        }
                    }
                    merged["component"] = nil
                    continuation.yield(.ready(merged))
                    return
                }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }

        var running = Set(children.keys)
        var stopping = failed
        var stopDeadline: ContinuousClock.Instant?
        if stopping { stopDeadline = terminate(children, running: running) }
        let ticks = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                continuation.yield(.tick)
            }
        }
        for await event in events {
            switch event {
            case .signal(.sighup):
                // The domains that reload something (TLS material, policies); the others keep SIGHUP's
                // default action, which would stop them.
                for domain in running where domain.reloadsOnHangup {
                    if let child = children[domain] { kill(child.processIdentifier, SIGHUP) }
                }
            case .signal(.sigterm), .signal(.sigint):
                if !stopping {
                    logger.info("stopping every component")
                    ServiceManagerNotification.stopping(status: "stopping every component").send(logger: logger)
                    stopping = true
                    stopDeadline = terminate(children, running: running)
                }
            case .signal:
                break
            case .tick:
                if let stopDeadline, ContinuousClock.now > stopDeadline {
                    for domain in running { if let child = children[domain] { kill(child.processIdentifier, SIGKILL) } }
                }
            case .exited(let domain, let status):
                running.remove(domain)
                if status != 0 { failed = true }
                if !stopping {
                    logger.error(
                        "a component stopped by itself; stopping every component",
                        metadata: ["component": "\(domain.rawValue)", "status": "\(status)"])
                    failed = true
                    stopping = true
                    stopDeadline = terminate(children, running: running)
                }
            case .ready(let metadata):
                if !stopping {
                    var fields: Logger.Metadata = metadata.mapValues { .string($0) }
                    fields["components"] = "\(domains.map(\.rawValue).joined(separator: ","))"
                    fields["database"] = "\(database.cluster == nil ? "configured" : "local")"
                    logger.info("bilet is ready", metadata: fields)
                    ServiceManagerNotification.ready(status: "bilet is ready").send(logger: logger)
                }
            }
            if running.isEmpty { break }
        }
        signals.cancel()
        readiness.cancel()
        ticks.cancel()
        continuation.finish()
        if startedCluster, let cluster = database.cluster {
            do {
                try await cluster.stop()
            } catch {
                logger.error("local postgres did not stop cleanly", metadata: ["error": "\(error)"])
                failed = true
            }
        }
        logger.info("bilet stopped")
        return failed ? 1 : 0
    }

    /// What a child inherits of the supervisor's environment: bilet's own keys and the locale and
    /// paths a program needs, nothing else (no `PG…` secrets, no unrelated credentials of the shell or
    /// unit that started the supervisor). Also libfaketime's settings (`FAKETIME…`) and an
    /// `LD_PRELOAD` that names libfaketime and nothing else, so a clock stepped for `bilet serve` is
    /// stepped for every component, as a stepped system clock would be (ClockStepTests,
    /// docs/RELIABILITY.md); any other preloaded library never reaches the key holders.
    static func childEnvironment(_ environment: [String: String]) -> [String: String] {
        ChildEnvironment.filtered(environment, alsoPrefixed: ["BILET_", "FAKETIME"])
            .merging(environment.filter { $0.key == "LD_PRELOAD" && preloadsOnlyFaketime($0.value) }) { kept, _ in kept }
    }

    /// Whether every library an `LD_PRELOAD` value names (separated by `:` or spaces) is libfaketime
    /// by its exact file name (`libfaketime.so.1`, `libfaketimeMT.so.1`).
    static func preloadsOnlyFaketime(_ value: String) -> Bool {
        let libraries = value.split(whereSeparator: { $0 == ":" || $0 == " " })
        return !libraries.isEmpty && libraries.allSatisfy { faketimeLibraries.contains(String($0.split(separator: "/").last ?? "")) }
    }

    static let faketimeLibraries: Set<String> = ["libfaketime.so.1", "libfaketimeMT.so.1"]

    /// Sends SIGTERM to every running child; returns when to escalate to SIGKILL.
    private func terminate(_ children: [TrustDomain: Process], running: Set<TrustDomain>) -> ContinuousClock.Instant {
        for domain in running { if let child = children[domain] { kill(child.processIdentifier, SIGTERM) } }
        return ContinuousClock.now + Self.stopBound
    }

    private func spawn(
        _ domain: TrustDomain, readyFile: String, continuation: AsyncStream<Event>.Continuation
    ) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments =
            ["serve", "--component", domain.rawValue, "--ready-file", readyFile]
            + (configurationPath.map { ["--config", $0] } ?? [])
        process.environment = Self.childEnvironment(ProcessInfo.processInfo.environment)
        process.terminationHandler = { process in
            continuation.yield(.exited(domain, process.terminationStatus))
        }
        try process.run()
        logger.info("component started", metadata: ["component": "\(domain.rawValue)", "pid": "\(process.processIdentifier)"])
        return process
    }
}
