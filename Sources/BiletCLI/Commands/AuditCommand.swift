import ArgumentParser
import Audit
import Foundation
import GnuTLS
import Logging
import Platform
import PostgreSQL
import Settings
import Storage

/// `bilet audit …`: the compliance officers' tools for the tamper-evident audit log.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verifies, queries and proves the tamper-evident audit log.",
        discussion: """
            Every command that reads the log records that read in the log itself (event audit.read) \
            under --officer and --purpose. Proofs written by prove and consistency are checked offline \
            by verify-proof, which needs only the proof file and the log's public key.
            """,
        subcommands: [
            AuditVerify.self, AuditProve.self, AuditConsistency.self, AuditVerifyProof.self, AuditQueryCommand.self,
            AuditReport.self, AuditExport.self, AuditGaps.self, AuditPrune.self, AuditSequence.self, AuditKeygen.self,
            AuditKey.self, AuditCatalogueCommand.self,
        ])
}

/// Where the audit database is and who is reading it.
struct AuditDatabaseOptions: ParsableArguments {
    @OptionGroup var configuration: ConfigurationOptions

    @Option(name: .customLong("database-url"), help: ArgumentHelp("A libpq connection string or URI; overrides the configuration.", valueName: "url"))
    var databaseURL: String?

    @Option(help: ArgumentHelp("Who is reading: an identifier such as user:usr_… (recorded in the log).", valueName: "identifier"))
    var officer: String

    @Option(help: ArgumentHelp("Why: a purpose code (recorded in the log).", valueName: "code"))
    var purpose = "compliance_review"

    /// The base configuration: the URL given, the configured one, or bilet's database in the
    /// private local cluster (which `bilet serve` or `bilet db` starts).
    func components(for roles: [Component], maxConnectionsPerComponent: Int, acquireTimeout: Duration = .seconds(10)) async throws
        -> ComponentDatabase
    {
        try PlatformDatabase(settings: try await configuration.load().database, url: databaseURL, logger: Logger(label: "bilet.audit.cli")).components(
            for: roles, maxConnectionsPerComponent: maxConnectionsPerComponent, acquireTimeout: acquireTimeout,
            requirePasswords: false)
    }

    /// Runs `body` with the query service (reading as bilet_audit, recording as bilet_gateway).
    func withService<Result>(_ body: (AuditQueryService) async throws -> Result) async throws -> Result {
        let components = try await components(for: [.auditor, .gateway], maxConnectionsPerComponent: 2, acquireTimeout: .seconds(5))
        return try await components.makePool(for: .auditor).closing { reader in
            try await components.makePool(for: .gateway).closing { recorder in
                try await body(AuditQueryService(reader: reader, recorder: recorder, officer: officer, purpose: purpose))
            }
        }
    }
}

/// The log's public key, as a verifier key string or a file holding one.
struct AuditKeyOptions: ParsableArguments {
    @Option(name: .customLong("key"), help: ArgumentHelp("The log's verifier key (name+keyid+base64) or a file containing it.", valueName: "vkey"))
    var key: String

    @Option(name: .customLong("witness"), help: ArgumentHelp("A witness verifier key that must have cosigned (repeatable).", valueName: "vkey"))
    var witnesses: [String] = []

    func logKey() throws -> NoteVerifierKey { try Self.parse(key) }
    func witnessKeys() throws -> [NoteVerifierKey] { try witnesses.map(Self.parse) }

    static func parse(_ text: String) throws -> NoteVerifierKey {
        if FileManager.default.fileExists(atPath: text), let data = FileManager.default.contents(atPath: text) {
            return try NoteVerifierKey(vkey: String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return try NoteVerifierKey(vkey: text)
    }
}

/// Dates on the command line: RFC 3339 / ISO 8601 (`2026-11-29T07:00:00Z`) or a date (`2026-11-29`, UTC).
enum CommandLineDate {
    static func parse(_ text: String) throws -> Date {
        if let date = AuditTime.parse(text) { return date }
        throw ValidationError("not a date: use 2026-11-29 or 2026-11-29T07:00:00Z")
    }
}

struct AuditVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recomputes the tree from the records and checks every checkpoint; names the first problem.")

    @OptionGroup var database: AuditDatabaseOptions
    @OptionGroup var keys: AuditKeyOptions

    @Option(name: .customLong("saved"), help: ArgumentHelp("Checkpoint files saved outside the database (default: audit/checkpoints/latest when present).", valueName: "file"))
    var saved: [String] = []

    func run() async throws {
        var files = saved
        if files.isEmpty, FileManager.default.fileExists(atPath: "audit/checkpoints/latest") { files = ["audit/checkpoints/latest"] }
        let savedCheckpoints = try files.map(CheckpointDirectory.read)
        let report = try await database.withService { try await $0.verify(logKey: try keys.logKey(), savedCheckpoints: savedCheckpoints) }
        print("records checked: \(report.recordsChecked); checkpoints verified: \(report.checkpointsVerified); newest signed size: \(report.verifiedTreeSize)")
        if report.isIntact {
            print("OK: every record matches its leaf and every checkpoint's signed root")
            return
        }
        print("FAILED: \(report.findings.count) problem(s); first: \(report.findings[0])")
        if let changed = report.firstChangedRecord {
            print("first changed record: \(changed)")
        }
        for finding in report.findings.prefix(50) { print("  \(finding)") }
        throw ExitCode(2)
    }
}

struct AuditProve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove", abstract: "Writes an inclusion proof of one entry against the newest checkpoint (JSON).")

    @OptionGroup var database: AuditDatabaseOptions
    @Option(help: "The leaf index of the entry.") var entry: UInt64
    @Option(help: "Prove against this checkpoint number instead of the newest.") var checkpoint: UInt64?

    func run() async throws {
        let bundle = try await database.withService { try await $0.prove(leafIndex: entry, sequence: checkpoint) }
        print(bundle.json, terminator: "")
    }
}

struct AuditConsistency: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consistency", abstract: "Writes a consistency proof between two signed tree sizes (JSON).")

    @OptionGroup var database: AuditDatabaseOptions
    @Option(help: "The older tree size (a checkpoint's).") var from: UInt64
    @Option(help: "The newer tree size (default: the newest checkpoint).") var to: UInt64?

    func run() async throws {
        let bundle = try await database.withService { try await $0.consistency(from: from, to: to) }
        print(bundle.json, terminator: "")
    }
}

struct AuditVerifyProof: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-proof", abstract: "Checks a proof file (from prove, consistency or gaps) offline with the log's public key; needs no database.")

    @Option(help: ArgumentHelp("The proof file written by prove, consistency or gaps --proof.", valueName: "file")) var proof: String
    @OptionGroup var keys: AuditKeyOptions

    func run() throws {
        guard let data = FileManager.default.contents(atPath: proof) else { throw ValidationError("cannot read \(proof)") }
        let text = String(decoding: data, as: UTF8.self)
        do {
            let outcome = if let gaps = try? GapProof(json: text) {
                try gaps.verify(logKey: try keys.logKey(), witnesses: try keys.witnessKeys())
            } else {
                try ProofBundle(json: text).verify(logKey: try keys.logKey(), witnesses: try keys.witnessKeys())
            }
            print("OK: \(outcome)")
        } catch let error as AuditError {
            print("FAILED: \(error)")
            throw ExitCode(2)
        }
    }
}

/// Filters shared by query and export.
struct AuditFilterOptions: ParsableArguments {
    @Option(help: "Subject token.") var subject: String?
    @Option(help: "Actor identifier.") var actor: String?
    @Option(help: "Event type (the action), such as pii.read.") var action: String?
    @Option(help: "permit, deny or error.") var decision: String?
    @Option(help: "Recorded at or after (2026-11-29 or RFC 3339).") var from: String?
    @Option(help: "Recorded before.") var to: String?
    @Option(help: "Most entries.") var limit = 1000

    func query() throws -> AuditQuery {
        AuditQuery(
            subject: subject, actor: actor, type: action, decision: decision, from: try from.map(CommandLineDate.parse),
            to: try to.map(CommandLineDate.parse), limit: limit)
    }
}

enum AuditTable {
    static func print(_ entries: [AuditEntry]) {
        let header = ["leaf", "time (UTC)", "action", "actor", "subject", "decision", "purpose"]
        let rows = entries.map { entry in
            [entry.leafIndex.map(String.init) ?? "-", entry.timestamp, entry.type, entry.actor ?? "-", entry.subject ?? "-",
             entry.decision ?? "-", entry.purpose ?? "-"]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            Swift.print(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
    }
}

struct AuditQueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "query", abstract: "Lists events by subject, actor, action, decision and time.")

    @OptionGroup var database: AuditDatabaseOptions
    @OptionGroup var filters: AuditFilterOptions
    @Option(help: "table or json (JSON Lines).") var format = "table"

    func run() async throws {
        guard ["table", "json"].contains(format) else { throw ValidationError("--format is table or json") }
        let entries = try await database.withService { try await $0.query(try filters.query()) }
        if format == "json" {
            for entry in entries { print(entry.jsonLine) }
        } else {
            AuditTable.print(entries)
        }
    }
}

struct AuditReport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Who accessed a pupil's data, when, for which purpose, under which consent.")

    @OptionGroup var database: AuditDatabaseOptions
    @Option(help: "The pupil's subject token.") var subject: String
    @Option(help: "table or json.") var format = "table"

    func run() async throws {
        let report = try await database.withService { try await $0.report(subject: subject) }
        if format == "json" {
            for entry in report.entries { print(entry.jsonLine) }
            return
        }
        print("Subject \(report.subject): \(report.entries.count) event(s); read by: \(report.readers.joined(separator: ", "))")
        let header = ["time (UTC)", "who", "action", "purpose", "decision", "fields returned", "consent"]
        let rows = report.entries.map { entry -> [String] in
            var returned = "-"
            if case .list(let names)? = entry.fields?["fields_returned"] { returned = names.joined(separator: ",") }
            var consent = "-"
            if case .string(let token)? = entry.fields?["consent"] { consent = token }
            return [entry.timestamp, entry.actor ?? "-", entry.type, entry.purpose ?? "-", entry.decision ?? "-", entry.pruned ? "(pruned)" : returned, consent]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            print(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
    }
}

struct AuditExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Exports events as JSON Lines or RFC 5424 syslog for a SIEM.")

    @OptionGroup var database: AuditDatabaseOptions
    @OptionGroup var filters: AuditFilterOptions
    @Option(help: "jsonl or syslog.") var format = "jsonl"

    func run() async throws {
        guard let exportFormat = AuditQueryService.ExportFormat(rawValue: format) else { throw ValidationError("--format is jsonl or syslog") }
        let hostname = ProcessInfo.processInfo.hostName
        try await database.withService { service in
            try await service.export(try filters.query(), format: exportFormat, hostname: hostname) { print($0) }
        }
    }
}

struct AuditGaps: AsyncParsableCommand {
    /// The exit status when records of the window are missing or altered (as `verify`'s).
    static let tamperedStatus: Int32 = 2
    /// The exit status when the window cannot be proven complete yet (events not integrated, or
    /// no checkpoint yet covers the window's end).
    static let pendingStatus: Int32 = 3

    static let configuration = CommandConfiguration(
        commandName: "gaps",
        abstract: "Proves that every event recorded in a time window is in the signed tree with its record intact.",
        discussion: """
            Reads every leaf of the window and the leaf on each side of it, recomputes each leaf hash \
            from its record, and checks the two boundary leaves lie outside the window under the \
            newest signed checkpoint. With --proof, a complete window's boundary proofs are written \
            for verify-proof, which needs only the file and the log's public key.

            Exit status: 0 complete; \(tamperedStatus) records of the window are missing or altered; \
            \(pendingStatus) not provable yet (events not integrated, or no checkpoint covers the \
            window's end: run it again later); 1 the check itself failed.
            """)

    @OptionGroup var database: AuditDatabaseOptions
    @Option(help: "Window start (inclusive).") var from: String
    @Option(help: "Window end (exclusive).") var to: String
    @Option(help: ArgumentHelp("Write the offline-checkable proof of a complete window to this file.", valueName: "file"))
    var proof: String?

    func run() async throws {
        let report = try await database.withService { try await $0.gaps(from: try CommandLineDate.parse(from), to: try CommandLineDate.parse(to)) }
        if let range = report.leafRange {
            print("events in window: \(report.eventCount), leaf indices \(range.lowerBound)...\(range.upperBound); not yet integrated: \(report.pendingCount)")
        } else {
            print("no integrated events in the window; not yet integrated: \(report.pendingCount)")
        }
        let before = report.lowerBoundary.map(String.init) ?? "none (the log starts)"
        print("boundary leaves: before \(before), after \(report.upperBoundary)")
        if let checkpoint = report.checkpoint {
            print("newest checkpoint \(checkpoint.checkpoint.sequence ?? 0) (size \(checkpoint.checkpoint.size))")
        } else {
            print("no signed checkpoint yet")
        }
        if let gapProof = report.proof, let proof {
            guard FileManager.default.createFile(atPath: proof, contents: Data(gapProof.json.utf8)) else {
                throw ValidationError("cannot write \(proof)")
            }
            print("proof written to \(proof) (\(gapProof.leaves.count) inclusion proofs)")
        }
        if report.isComplete {
            print("OK: the window is complete")
            return
        }
        let tampered = report.verdict == "gaps"
        print("INCOMPLETE (\(report.verdict)): \(report.problems.count) problem(s)")
        for problem in report.problems.prefix(100) { print("  \(problem)") }
        throw ExitCode(tampered ? Self.tamperedStatus : Self.pendingStatus)
    }
}

struct AuditPrune: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune", abstract: "Destroys payloads past their retention term (leaf hashes stay) and lists the destruction register.")

    @OptionGroup var database: AuditDatabaseOptions
    @Option(help: "Why (recorded in the destruction register).") var reason = "retention term reached"
    @Flag(help: "Only list the destruction register.") var listOnly = false

    func run() async throws {
        let components = try await database.components(for: [.audit], maxConnectionsPerComponent: 1)
        try await components.makePool(for: .audit).closing { pool in
            let retention = AuditRetention(pool: pool)
            if !listOnly {
                print("payloads destroyed: \(try await retention.pruneExpired(reason: reason, requestedBy: database.officer))")
            }
            for record in try await retention.register() {
                print("\(AuditEntryTime.format(record.destroyedAt))  \(record.what)  subject \(record.subject ?? "-")  \(record.categories.joined(separator: ","))  \(record.eventCount) event(s) \(record.eventIDs.lowerBound)...\(record.eventIDs.upperBound)  by \(record.requestedBy): \(record.reason)")
            }
        }
    }
}

enum AuditEntryTime {
    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }
}

struct AuditSequence: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sequence", abstract: "Integrates committed events and signs checkpoints (once, or until interrupted).")

    @OptionGroup var database: AuditDatabaseOptions
    @Option(name: .customLong("signing-key"), help: ArgumentHelp("PKCS#8 PEM private key (Ed25519 or GOST) that signs checkpoints.", valueName: "file"))
    var signingKey: String
    @Option(name: .customLong("passphrase-env"), help: "Environment variable holding the key's passphrase, if encrypted.")
    var passphraseEnvironment: String?
    @Option(help: "The log's origin (also the key name).") var origin: String
    @Option(name: .customLong("checkpoints"), help: "Folder the checkpoints are also written to.") var checkpointFolder = "audit/checkpoints"
    @Flag(help: "Integrate what is waiting, sign one checkpoint and stop.") var once = false

    func run() async throws {
        guard let pem = FileManager.default.contents(atPath: signingKey) else { throw ValidationError("cannot read \(signingKey)") }
        let passphrase = passphraseEnvironment.flatMap { Environment.value(of: $0) }
        let key = try PrivateKey(pemRepresentation: String(decoding: pem, as: UTF8.self), passphrase: passphrase)
        let signer = try NoteSigner(name: origin, privateKey: key)
        let components = try await database.components(for: [.audit], maxConnectionsPerComponent: 2)
        try await components.makePool(for: .audit).closing { pool in
            let sequencer = AuditSequencer(pool: pool, signer: signer, directory: CheckpointDirectory(path: checkpointFolder))
            if once {
                if let checkpoint = try await sequencer.catchUp() {
                    print(checkpoint.serialized, terminator: "")
                } else {
                    print("no new events")
                }
            } else {
                await sequencer.run()
            }
        }
    }
}

struct AuditKeygen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen", abstract: "Generates a checkpoint signing key and prints its verifier key.")

    @Option(help: "The log's origin (the key name), such as bilet.example.ru/audit.") var origin: String
    @Option(help: "ed25519 or gost256.") var algorithm = "ed25519"
    @Option(help: "Where to write the PKCS#8 PEM private key (never commit it).") var out: String
    @Option(name: .customLong("passphrase-env"), help: "Environment variable holding a passphrase to encrypt the key with.")
    var passphraseEnvironment: String?
    @Flag(help: "Generate a witness (cosignature) key instead of a log key.") var witness = false

    func run() throws {
        guard let signatureAlgorithm = SignatureAlgorithm(rawValue: algorithm), signatureAlgorithm != .ecdsaP256 else {
            throw ValidationError("--algorithm is ed25519 or gost256")
        }
        let key = try PrivateKey.generate(algorithm: signatureAlgorithm)
        let signer = try NoteSigner(name: origin, privateKey: key, type: witness ? .ed25519Cosignature : nil)
        let pem = try passphraseEnvironment.flatMap { Environment.value(of: $0) }.map { try key.exportPEM(passphrase: $0) } ?? key.exportPEM()
        guard FileManager.default.createFile(atPath: out, contents: Data(pem.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write \(out)")
        }
        print(signer.verifier.vkey)
    }
}

/// `bilet audit key`: the verifier key of the checkpoint signing key this deployment uses, so a
/// compliance officer need not derive it by hand: the key named by audit.signing_key, or, for a
/// private-cluster run without one, the development key `bilet serve` made under var/audit.
/// Reads the key; never creates one.
struct AuditKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Prints the verifier key of the configured checkpoint signing key (audit.signing_key) or the development key.")

    @OptionGroup var configuration: ConfigurationOptions
    @Option(name: .customLong("signing-key"), help: ArgumentHelp("A PKCS#8 PEM signing key to use instead of the configured one.", valueName: "file"))
    var signingKey: String?
    @Option(name: .customLong("passphrase-env"), help: "Environment variable holding the key's passphrase, if encrypted.")
    var passphraseEnvironment: String?
    @Option(help: "The log's origin (the key name); default audit.origin.") var origin: String?

    func run() async throws {
        let settings = try await configuration.load()
        let path: String
        if let signingKey {
            path = signingKey
        } else if let configured = settings.audit.signingKey {
            path = configured
        } else if settings.database.url == nil {
            // Where `bilet serve` keeps the development key of a private-cluster run.
            path = URL(fileURLWithPath: settings.database.localDirectory).standardizedFileURL.deletingLastPathComponent()
                .appendingPathComponent("audit").appendingPathComponent("checkpoint-signing.key").path
        } else {
            throw ValidationError("no audit.signing_key is configured: this deployment signs elsewhere; pass --signing-key")
        }
        guard let pem = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read the signing key \(path) (a development key is made by the first `bilet serve`)")
        }
        let passphrase = passphraseEnvironment.flatMap { Environment.value(of: $0) }
        let key = try PrivateKey(pemRepresentation: String(decoding: pem, as: UTF8.self), passphrase: passphrase)
        print(try NoteSigner(name: origin ?? settings.audit.origin, privateKey: key).verifier.vkey)
    }
}

struct AuditCatalogueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalogue",
        abstract: "Prints the audit event catalogue new events are written under (audit/catalogue/v<N>.json).")

    @Option(help: "Print this earlier version instead (records keep the version they were written under).")
    var version: Int?

    func validate() throws {
        if let version, !AuditCatalogue.versions.contains(where: { $0.version == version }) {
            throw ValidationError("catalogue versions are \(AuditCatalogue.versions.map { String($0.version) }.joined(separator: ", "))")
        }
    }

    func run() {
        let catalogue = AuditCatalogue.versions.first { $0.version == version } ?? AuditCatalogue.current
        print(catalogue.jsonRepresentation(), terminator: "")
    }
}
