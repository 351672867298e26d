import ArgumentParser
import Audit
import Foundation
import GnuTLS
import Logging
import Platform
import Policy
import PostgreSQL
import Settings
import Storage
import Tokens
import Vault

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `bilet-bench vault`: resolve throughput and latency of the vault's one door (policy, consent,
/// audit and decryption together) against the local PostgreSQL.
///
/// Register it in `BenchCommand.subcommands`.
struct VaultBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vault",
        abstract: "Measures the vault's one door: batches of tokens × fields, and single-token reads.",
        discussion: """
            Creates a throwaway database next to bilet's own (in the private cluster, or on the configured \
            server, which then needs CREATEDB), registers synthetic pupils with their guardians and consents, \
            and reads through the one door as a school workstation: every read decides the policy, checks the \
            consent, appends an audit record and decrypts, in one transaction. Reports field decryptions per \
            second (wall clock, and per CPU-second of this process = per core), p50/p99 per batch, p50/p99 of \
            single-token reads, and the raw AES-256-GCM speed as the ceiling (in process, and from \
            `gnutls-cli --benchmark-ciphers` when installed). Targets, release build: at least 20,000 field \
            decryptions per second per core, single-token p99 under 2 ms.
            """)

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .customLong("policies"), help: "The policy directory.")
    var policyDirectory: String = "policies"

    @Option(help: "Synthetic pupils to register.")
    var pupils: Int = 2_000

    @Option(help: "Tokens per batch read.")
    var batchSize: Int = 100

    @Option(help: "Batch reads to time.")
    var batches: Int = 300

    @Option(help: "Single-token reads to time.")
    var singles: Int = 2_000

    @Option(help: "Reads running at once.")
    var concurrency: Int = 1

    @Flag(help: "Keep the benchmark database afterwards.")
    var keepDatabase = false

    static let fields: [FieldName] = [.surname, .firstName, .birthDate, .grade, .schoolClass]
    static let school = "77-0001"

    func validate() throws {
        guard pupils >= batchSize, batchSize > 0, batches > 0, singles > 0, concurrency > 0 else {
            throw ValidationError("pupils must be at least the batch size; every count positive")
        }
    }

    func run() async throws {
        let settings = try await options.load()
        ProcessLogging.bootstrap(settings.log)
        let logger = Logger(label: "bilet.bench.vault")
        try GnuTLSLibrary.ensureInitialized()
        #if DEBUG
            print("warning: debug build; measure with `swift build -c release --product bilet-bench` for real numbers")
        #endif

        try await BenchDatabase.withThrowaway(settings.database, prefix: "bilet_bench_vault_", keep: keepDatabase, logger: logger) {
            try await measure(base: $0, passwords: $1, logger: logger)
        }
    }

    private func measure(base: PostgresConfiguration, passwords: [Component: String], logger: Logger) async throws {
        let components = ComponentDatabase(base: base, maxConnectionsPerComponent: max(4, concurrency + 2), passwords: passwords)
        let pool = components.makePool(for: .vault)
        defer { Task { await pool.shutdown() } }
        let policies = try PolicyStore(directory: policyDirectory, hasher: SHA256VersionHasher())
        let bench = try await BenchVault.make(pool: pool, policies: policies)
        defer { bench.remove() }
        let vault = bench.vault

        let school = Requester(
            principal: Principal(
                role: "school", user: EntityRef("user", "bench-school-user"), organisation: EntityRef("school", Self.school),
                region: EntityRef("region", "77")),
            actor: "bilet://school/\(Self.school)/ws/1")

        // Population: pupils, a guardian each, a parental enrolment consent each.
        let setupStart = ContinuousClock.now
        let tokens = try await withThrowingTaskGroup(of: [SubjectToken].self) { group in
            let workers = 4
            for worker in 0..<workers {
                group.addTask {
                    var made: [SubjectToken] = []
                    for index in stride(from: worker, to: pupils, by: workers) {
                        made.append(try await Self.populate(index, vault: vault, school: school))
                    }
                    return made
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        print("registered \(tokens.count) pupils with guardians and consents in \(ContinuousClock.now - setupStart)")

        // Batches.
        let references = tokens.map { SubjectReference.subject($0) }
        let batchCount = batches
        let size = batchSize
        for _ in 0..<min(20, batchCount) {
            _ = try await vault.readBatch(Self.sample(references, size), fields: Self.fields, purpose: "enrolment", by: school)
        }
        let cpuBefore = Self.cpuSeconds()
        let wallStart = ContinuousClock.now
        let (latencies, released) = try await withThrowingTaskGroup(of: ([Int64], Int).self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var latencies: [Int64] = []
                    var released = 0
                    for _ in stride(from: worker, to: batchCount, by: concurrency) {
                        let batch = Self.sample(references, size)
                        let start = ContinuousClock.now
                        let outcomes = try await vault.readBatch(batch, fields: Self.fields, purpose: "enrolment", by: school)
                        latencies.append(Self.nanoseconds(ContinuousClock.now - start))
                        for outcome in outcomes.values {
                            guard let data = outcome.data else { throw ValidationError("a benchmark read was refused: \(outcome)") }
                            released += data.fields.values.filter { $0.releasedValue != nil }.count
                        }
                    }
                    return (latencies, released)
                }
            }
            return try await group.reduce(into: ([Int64](), 0)) { $0.0 += $1.0; $0.1 += $1.1 }
        }
        let wall = Double(Self.nanoseconds(ContinuousClock.now - wallStart)) / 1e9
        let cpu = Self.cpuSeconds() - cpuBefore
        print("batches: \(batchCount) × \(size) tokens × \(Self.fields.count) fields, concurrency \(concurrency)")
        print("  field decryptions: \(released), \(Int(Double(released) / wall))/s wall, \(Int(Double(released) / max(cpu, 1e-9)))/s per CPU-second of bilet")
        print("  batch latency \(Self.percentiles(latencies))")

        // Single-token reads.
        var singleLatencies: [Int64] = []
        for index in 0..<singles {
            let start = ContinuousClock.now
            _ = try await vault.read(references[index % references.count], fields: Self.fields, purpose: "enrolment", by: school)
            singleLatencies.append(Self.nanoseconds(ContinuousClock.now - start))
        }
        print("single-token read latency \(Self.percentiles(singleLatencies))")

        // The floor under every audited read: one transaction that appends one audit record and
        // commits (a durable commit waits for the WAL flush).
        var commitLatencies: [Int64] = []
        let audit = AuditLog()
        for _ in 0..<min(singles, 500) {
            let start = ContinuousClock.now
            try await pool.withTransaction { connection in
                // A kind the vault role may write (audit.writer_kinds; config.changed has no writer).
                try await audit.append(
                    PolicyDecided(actor: "service:bench", decision: .deny, action: "bench", resource: "bench"), on: connection)
            }
            commitLatencies.append(Self.nanoseconds(ContinuousClock.now - start))
        }
        print("floor: a transaction appending one audit record and committing \(Self.percentiles(commitLatencies))")

        // Ceiling: raw AEAD.
        let key = try SymmetricKey.random(byteCount: 32)
        let box = try AEAD.seal(Array("Примерова Синт".utf8), using: key, authenticating: Array(repeating: 1, count: 40))
        let aeadCount = 200_000
        let aeadStart = ContinuousClock.now
        for _ in 0..<aeadCount { _ = try AEAD.open(box, using: key, authenticating: Array(repeating: 1, count: 40)) }
        let aeadSeconds = Double(Self.nanoseconds(ContinuousClock.now - aeadStart)) / 1e9
        print("raw AES-256-GCM open of a field-sized value (handle set-up included): \(Int(Double(aeadCount) / aeadSeconds))/s on one core")
        let ceiling = await Self.gnutlsCipherBenchmark()
        if !ceiling.isEmpty { print("gnutls-cli --benchmark-ciphers (16 KiB payloads): " + ceiling.joined(separator: "; ")) }

        let perCore = Double(released) / max(cpu, 1e-9)
        let p99 = singleLatencies.sorted()[min(singleLatencies.count - 1, Int(Double(singleLatencies.count) * 0.99))]
        print("targets (>= 20,000 field decryptions/s per core, single-token p99 < 2 ms): \(perCore >= 20_000 && p99 < 2_000_000 ? "met" : "NOT met")")
    }

    static func populate(_ index: Int, vault: Vault, school: Requester) async throws -> SubjectToken {
        let seed = index + 1
        let letters = Array("абвгдежзик")
        let marker = String(String(seed).compactMap(\.wholeNumberValue).map { letters[$0] })
        let digits = String(100_000_000 + seed).compactMap(\.wholeNumberValue)
        var sum = 0
        for (position, digit) in digits.enumerated() { sum += digit * (9 - position) }
        let check = sum < 100 ? sum : (sum == 100 || sum == 101 ? 0 : (sum % 101 == 100 ? 0 : sum % 101))
        let snils = digits.map(String.init).joined() + (check < 10 ? "0\(check)" : "\(check)")
        let pupil = try await vault.register(
            .pupil(
                school: Self.school, region: "77",
                values: [
                    .surname: PersonalValue("Бенчмаркова\(marker)"), .firstName: PersonalValue("Синтетика\(marker)"),
                    .patronymic: "Тестовна", .birthDate: PersonalValue(Self.birthDate), .sex: "female", .grade: "8", .schoolClass: "В",
                    .snils: PersonalValue(snils), .email: PersonalValue("bench.\(seed)@example.invalid"),
                ]),
            by: school, purpose: "enrolment")
        let guardian = try await vault.register(
            .guardian(of: pupil.token, values: [.name: PersonalValue("Бенчмарков Родитель \(marker)"), .relation: "father"]),
            by: school, purpose: "consent_management")
        let now = Date()
        _ = try await vault.recordConsent(
            ConsentTerms(
                subject: pupil.token, signatory: .representative(guardian.token, isParent: true, authority: .birthCertificate),
                purpose: "enrolment", dataFields: SubjectKind.pupil.fields.filter { !$0.isSpecialCategory },
                actions: [.collection, .recording, .storage, .use], validFrom: now.addingTimeInterval(-86_400),
                validUntil: now.addingTimeInterval(365 * 86_400), withdrawalMethod: .writtenNoticeToSchool,
                signedOn: now.addingTimeInterval(-86_400), collection: .paper),
            scan: ConsentScan(
                mediaType: .pdf, content: Array("%PDF-1.4\n% synthetic benchmark form\n%%EOF\n".utf8),
                originalLocation: "архив школы 77-0001"),
            by: school)
        return pupil.token
    }

    /// A birth date twelve years back, so every benchmark pupil is a minor under 14.
    static let birthDate: String = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let date = calendar.date(byAdding: .year, value: -12, to: Date())!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, min(parts.day!, 28))
    }()

    static func sample(_ references: [SubjectReference], _ count: Int) -> [SubjectReference] {
        let start = Int.random(in: 0..<references.count)
        return (0..<count).map { references[(start + $0 * 7) % references.count] }
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    static func percentiles(_ values: [Int64]) -> String {
        let sorted = values.sorted()
        func at(_ p: Double) -> String {
            let nanos = sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
            return String(format: "%.2f ms", Double(nanos) / 1e6)
        }
        return "p50 \(at(0.5)), p90 \(at(0.9)), p99 \(at(0.99)), max \(at(1.0))"
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        #if os(Linux)
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
            getrusage(RUSAGE_SELF, &usage)
        #endif
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// The AEAD lines of `gnutls-cli --benchmark-ciphers`, if the tool is installed. The tool runs
    /// for at most `limit` (its later, slower sections are not needed), writing to a temporary file.
    ///
    /// It is started with posix_spawn and an empty signal mask: gnutls-cli times each cipher with
    /// SIGALRM, and a child that inherits this process's blocked signals never stops measuring.
    static func gnutlsCipherBenchmark(limit: Duration = .seconds(12)) async -> [String] {
        let tool = "/usr/bin/gnutls-cli"
        guard FileManager.default.isExecutableFile(atPath: tool) else { return [] }
        let output = NSTemporaryDirectory() + "bilet-gnutls-bench-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGALRM, SIGTERM, SIGINT, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(tool), strdup("--benchmark-ciphers"), nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, tool, &actions, &attributes, argv, environ) == 0 else { return [] }
        let deadline = ContinuousClock.now + limit
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            if text.contains("Checking cipher-MAC") || ContinuousClock.now >= deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                break
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        var lines: [String] = []
        var inAEAD = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("Checking AEAD") {
                inAEAD = true
                continue
            }
            if inAEAD && line.trimmingCharacters(in: .whitespaces).isEmpty { break }
            if inAEAD && line.hasSuffix("/sec") { lines.append(line.trimmingCharacters(in: .whitespaces)) }
        }
        return lines
    }
}

/// The throwaway database a benchmark measures against (`bilet-bench vault`, `bilet-bench import`).
enum BenchDatabase {
    /// Creates a database named `prefix` and a random suffix next to bilet's own (in the private
    /// cluster, or on the configured server, which then needs CREATEDB), migrates it, and runs
    /// `body` with its configuration and the components' passwords; then drops it, unless `keep`
    /// (its name is printed), also when `body` throws.
    static func withThrowaway(
        _ settings: DatabaseSettings, prefix: String, keep: Bool, logger: Logger,
        _ body: (PostgresConfiguration, [Component: String]) async throws -> Void
    ) async throws {
        let platform = try PlatformDatabase(settings: settings, logger: logger)
        try await platform.start(logger: logger)
        let passwords = try platform.credentials.passwords(for: Component.allCases)
        let name = prefix + String(UInt32.random(in: .min ... .max), radix: 16)
        let admin = PostgresConnectionPool(configuration: platform.ownerConfiguration, maxConnections: 1)
        try await admin.execute("CREATE DATABASE \(identifier: try SQLIdentifier(name)) ENCODING 'UTF8'")
        let base = platform.ownerConfiguration.connecting(toDatabase: name)
        do {
            let migrationPool = PostgresConnectionPool(configuration: base, maxConnections: 1)
            _ = try await Migrator.bundled(logger: logger).migrate(using: migrationPool)
            await migrationPool.shutdown()
            try await body(base, passwords)
        } catch {
            if !keep { _ = try? await admin.execute("DROP DATABASE \(identifier: try SQLIdentifier(name)) WITH (FORCE)") }
            await admin.shutdown()
            throw error
        }
        if keep {
            print("kept database \(name)")
        } else {
            try await admin.execute("DROP DATABASE \(identifier: try SQLIdentifier(name)) WITH (FORCE)")
        }
        await admin.shutdown()
    }
}
