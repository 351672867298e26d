import ArgumentParser
import Audit
import Foundation
import GnuTLS
import LocalSocket
import Logging
import Platform
import Policy
import PostgreSQL
import PupilImport
import Storage
import Vault
import VaultDoor

/// `bilet-bench import`: a school's bulk import of pupils, end to end behind the gateway's HTTP
/// layer: the CSV file checked as the gateway checks it (``PupilImportFile``), the rows sent
/// through a real vault door socket (``VaultDoorClient/callLong(_:)``, the door's request bound),
/// and registered by the vault in one transaction (policy, sealing, audit, inserts).
struct ImportBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Measures the bulk import of pupils (CSV check, vault door, one vault transaction).",
        discussion: """
            Creates a throwaway database next to bilet's own (in the private cluster, or on the configured \
            server, which then needs CREATEDB), initialises a vault with a throwaway key file, starts a vault \
            door on a temporary socket in this process, and imports synthetic files (invented names, SNILS \
            numbers with valid checksums that are nobody's) as a school. Reports the seconds of each part and \
            of the whole per import. Target, release build on 2 cores: 10,000 rows in at most 10 s.
            """)

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .customLong("policies"), help: "The policy directory.")
    var policyDirectory: String = "policies"

    @Option(help: "Rows per import file.")
    var rows: Int = 10_000

    @Option(help: "Imports to time (each a new file of new pupils).")
    var runs: Int = 3

    @Flag(help: "Keep the benchmark database afterwards.")
    var keepDatabase = false

    static let school = "77-0001"

    func validate() throws {
        guard (1...PupilImportFile.maximumRows).contains(rows), runs > 0 else {
            throw ValidationError("rows is 1 to \(PupilImportFile.maximumRows); runs positive")
        }
    }

    func run() async throws {
        let settings = try await options.load()
        ProcessLogging.bootstrap(settings.log)
        let logger = Logger(label: "bilet.bench.import")
        try GnuTLSLibrary.ensureInitialized()
        #if DEBUG
            print("warning: debug build; measure with `swift build -c release --product bilet-bench` for real numbers")
        #endif
        try await BenchDatabase.withThrowaway(settings.database, prefix: "bilet_bench_import_", keep: keepDatabase, logger: logger) {
            try await measure(base: $0, passwords: $1, logger: logger)
        }
    }

    private func measure(base: PostgresConfiguration, passwords: [Component: String], logger: Logger) async throws {
        let components = ComponentDatabase(base: base, maxConnectionsPerComponent: 4, passwords: passwords)
        let pool = components.makePool(for: .vault)
        let policies = try PolicyStore(directory: policyDirectory, hasher: SHA256VersionHasher())
        let bench = try await BenchVault.make(pool: pool, policies: policies)
        defer { bench.remove() }
        let vault = bench.vault
        let socket = bench.doorSocket
        let server = LocalSocketServer<VaultDoorRequest, VaultDoorResponse>(
            name: "bench-door", socketPath: socket, maximumRequestBytes: VaultDoorClient.maximumRequestBytes, logger: logger,
            invalidRequest: { .refused(code: "invalid-request") }
        ) { request, _ in
            guard case .records(let records, let caller) = request else { return .refused(code: "invalid-request") }
            return await RecordsDoorHandler.answer(records, caller: caller, vault: vault)
        }
        let door = VaultDoorClient(socketPath: socket)
        let caller = DoorCaller(
            role: "school", account: "usr_benchschool", session: "ses_bench", organisationKind: "school", organisationID: Self.school,
            region: "77")
        // The door runs until this command ends (cancelled, not awaited).
        let serving = Task { try await server.run() }
        defer { serving.cancel() }
        do {
            while !(await LocalSocketClient.isAnswering(socketPath: socket)) { try await Task.sleep(for: .milliseconds(20)) }
            print("rows  check_s  door+vault_s  total_s")
            for run in 0..<runs {
                let file = SyntheticImport.file(rows: rows, seed: run)
                let start = ContinuousClock.now
                guard case .valid(let checked) = PupilImportFile.check(file, today: PupilImportFile.today()) else {
                    throw ValidationError("the synthetic file did not pass the check")
                }
                let checkedAt = ContinuousClock.now
                let answer = try await door.callLong(.records(.importPupils(checked, today: PupilImportFile.today()), caller: caller))
                let end = ContinuousClock.now
                guard case .records(.imported(let tokens)) = answer, tokens.count == rows else {
                    if case .records(.importRefused(let issues)) = answer {
                        throw ValidationError("the import was refused: \(issues.count) row problems, the first \(issues.first.map { "\($0.code.rawValue) in row \($0.row)" } ?? "")")
                    }
                    if case .refused(let code) = answer { throw ValidationError("the import was refused: \(code)") }
                    throw ValidationError("the import was refused")
                }
                print(String(format: "%5d  %7.2f  %12.2f  %7.2f", rows, seconds(checkedAt - start), seconds(end - checkedAt), seconds(end - start)))
            }
        }
        await pool.shutdown()
    }

    private func seconds(_ duration: Duration) -> Double {
        let (whole, fraction) = duration.components
        return Double(whole) + Double(fraction) / 1e18
    }
}
