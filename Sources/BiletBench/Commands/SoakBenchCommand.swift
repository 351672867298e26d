import ArgumentParser
import Assessment
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `bilet-bench soak`: mixed roles at a steady rate against a real `bilet serve` for a long time
/// while many idle TLS connections are held (issue #15 part 3); latency per operation, every
/// error, and whether the memory and open files of each process stay flat.
///
/// The platform is the test-taking bench's throwaway one (``TestTakingBenchPlatform``: PKI,
/// configuration, private cluster, `bilet serve`, vault initialised), filled by `bilet dev seed`
/// at a small scale (a school with its navigator, a venue with approved events, the methodologist)
/// and a compliance officer (`bilet accounts add`). The load client (``SoakClient``) sets up its
/// pupils through the routes (not measured), then runs one stream per operation at its own rate,
/// each request through the gateway with the caller's own certificate and session: card reads and
/// CSV imports by the school, answers saved by pupils on the pupils' listener, enrolments (each
/// followed by its cancellation) by the navigator, audit queries by the officer. Meanwhile
/// `--idle-connections` mTLS connections are held to the workstations' listener, each sending a
/// `GET /healthz` every 20–40 s (under the 60 s idle timeout); the open-file limit is raised for
/// them. Every `--sample-interval` seconds the resident set size and open descriptors of each
/// process of the serve are read from /proc.
///
/// Verdict: any non-2xx answer, connection failure or dropped idle connection is an error; after
/// the warm-up, a process's descriptors grew if the mean of the last third of the samples exceeds
/// the first third's by more than `--fd-tolerance`, its memory if by more than
/// `--rss-tolerance-percent`. Errors or descriptor growth end the command with a failure (CI runs a
/// short soak in `scripts/test`); memory growth is reported.
struct SoakBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Mixed roles at a steady rate with idle TLS connections held: latency, errors, memory and file descriptors over time.")

    @Option(help: "Seconds measured after the warm-up.")
    var seconds: Int = 1_800

    @Option(help: "Seconds of load before the measurement starts (errors count from the start).")
    var warmup: Int = 60

    @Option(help: "Idle mTLS connections held to the workstations' listener during the run.")
    var idleConnections: Int = 10_000

    @Option(help: "Processes holding the idle connections.")
    var idleClients: Int = 4

    @Option(help: "Card reads a second (the school, GET /v1/pupils/{token}).")
    var cardReads: Double = 10

    @Option(help: "Answers saved a second (pupils, PUT …/answers/{question}).")
    var answers: Double = 10

    @Option(help: "CSV imports a second (the school, POST /v1/pupils/import).")
    var imports: Double = 0.5

    @Option(help: "Rows of each CSV import.")
    var importRows: Int = 3

    @Option(help: "Enrolments a second, each followed by its cancellation (the navigator).")
    var enrolments: Double = 1

    @Option(help: "Audit queries a second (the compliance officer, GET /v1/audit/entries).")
    var auditQueries: Double = 0.5

    @Option(help: "Pupils the school imports for the run (card reads and enrolments pick among them).")
    var pupils: Int = 200

    @Option(help: "Pupils among them with an open test session (answers rotate over them; each under the per-session limit).")
    var testTakers: Int = 20

    @Option(help: "Seconds between samples of memory and open files.")
    var sampleInterval: Int = 30

    @Option(help: "Open descriptors a process may gain (last third against first third, means) before it counts as growth.")
    var fdTolerance: Double = 16

    @Option(help: "Percent a process's resident memory may gain (last third against first third) before it counts as growth.")
    var rssTolerancePercent: Double = 10

    @Option(help: "database.pool_size of the serve (connections per component).")
    var poolSize: Int = 10

    @Option(help: "Work directory (default: a new temporary one).")
    var directory: String?

    @Flag(help: "Keep the work directory (and its cluster) afterwards.")
    var keep = false

    func validate() throws {
        guard seconds > 0, warmup >= 0, idleConnections >= 0, idleClients > 0, importRows > 0, pupils >= 10, testTakers > 0,
            testTakers <= pupils, sampleInterval > 0, [cardReads, answers, imports, enrolments, auditQueries].allSatisfy({ $0 >= 0 }),
            (1...500).contains(poolSize)
        else { throw ValidationError("durations and counts positive, rates not negative, test takers at most the pupils, at least 10 pupils") }
    }

    func run() async throws {
        #if DEBUG
            print("warning: debug build; measure with `swift build -c release --product bilet-bench` (and `--product bilet`) for real numbers")
        #endif
        // the gateway (a child of the serve) inherits the limit: the idle connections, the load's and its own files
        try IdleConnectionsBench.raiseFileLimit(to: idleConnections + 2_000)
        let started = ContinuousClock.now
        let platform = try TestTakingBenchPlatform(directory: directory, poolSize: poolSize)
        defer { if !keep { platform.remove() } else { print("kept \(platform.directory.path)") } }
        try platform.prepare()
        try await platform.serve()
        defer { platform.stop() }
        try platform.initialiseVault()
        let officer = "soak.officer"
        try platform.bilet(
            ["accounts", "add", "--config", platform.config, "--login", officer, "--role", "compliance_officer",
             "--organisation", "bilet://operator/op-1", "--password-stdin"],
            input: TestTakingBenchPlatform.staffPassword + "\n")
        let manifest = platform.file("seed-manifest.json").path
        try platform.bilet(
            ["dev", "seed", "--config", platform.config, "--schools", "1", "--pupils-per-school", "10", "--venues", "1",
             "--mentors-per-venue", "1", "--events", "6", "--enrolments-per-event", "2", "--test-takers-per-school", "1",
             "--workstations-port", "\(platform.ports["workstations"] ?? 0)", "--pupils-port", "\(platform.ports["pupils"] ?? 0)",
             "--write-manifest", manifest])

        var random = SplitMix64(seed: 15)
        let definition = ScoringBenchCommand.definition(questions: 40, random: &random)
        try JSONEncoder().encode(definition).write(to: platform.file("definition.json"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let answerSets = try (0..<16).map { _ -> [[String]] in
            try ScoringBenchCommand.answers(to: definition, random: &random).sorted {
                TestTakingBenchCommand.order($0.key) < TestTakingBenchCommand.order($1.key)
            }.map { [$0.key, String(decoding: try encoder.encode($0.value), as: UTF8.self)] }
        }
        try JSONSerialization.data(withJSONObject: answerSets).write(to: platform.file("answers.json"))
        let config: [String: Any] = [
            "ca": platform.certs + "/gateway/ca-bundle.pem", "certs": platform.certs, "workstations": platform.ports["workstations"] ?? 0,
            "pupils": platform.ports["pupils"] ?? 0, "manifest": manifest, "officer": officer, "officer_password": TestTakingBenchPlatform.staffPassword,
            "pupil_password": "synthetic soak pupil 1", "definition": platform.file("definition.json").path, "code": definition.code ?? "bench",
            "pupils_count": pupils, "test_takers": testTakers, "state": platform.file("state.json").path,
            "answers": platform.file("answers.json").path, "seconds": seconds, "warmup": warmup, "import_rows": importRows,
            "rates": ["card": cardReads, "import": imports, "answer": answers, "enrol": enrolments, "audit": auditQueries],
            "result": platform.file("result.json").path,
        ]
        try JSONSerialization.data(withJSONObject: config).write(to: platform.file("client.json"))
        try SoakClient.script.write(to: platform.file("client.py"), atomically: true, encoding: .utf8)
        try await platform.python(["setup", platform.file("client.json").path])

        let holders = try await SoakIdleHolders.start(platform: platform, connections: idleConnections, clients: idleClients)
        print("\(holders.held) idle connections held (\(holders.failed) failed to open)")
        let readyAt = ContinuousClock.now
        print("set-up done in \(TestTakingBenchCommand.format(readyAt - started)); load for \(warmup) + \(seconds) s")

        let load = Process()
        load.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        load.arguments = [platform.file("client.py").path, "load", platform.file("client.json").path]
        load.standardInput = FileHandle.nullDevice
        try load.run()
        var samples: [SoakSample] = []
        var nextSample = ContinuousClock.now
        while load.isRunning {
            if ContinuousClock.now >= nextSample {
                samples.append(SoakSample.take(roots: platform.measuredRoots, at: TestTakingBenchCommand.secondsOf(ContinuousClock.now - readyAt)))
                nextSample = nextSample + .seconds(sampleInterval)
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        samples.append(SoakSample.take(roots: platform.measuredRoots, at: TestTakingBenchCommand.secondsOf(ContinuousClock.now - readyAt)))
        let idle = await holders.stop()
        guard load.terminationStatus == 0, let data = FileManager.default.contents(atPath: platform.file("result.json").path),
            let result = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw ValidationError("the load client failed") }

        let report = SoakReport(
            result: result, idle: idle, idleHeld: holders.held, idleFailed: holders.failed,
            targets: ["card": cardReads, "import": imports, "answer": answers, "enrol": enrolments, "cancel": enrolments, "audit": auditQueries],
            samples: samples, warmup: Double(warmup), fdTolerance: fdTolerance, rssTolerancePercent: rssTolerancePercent)
        print(report.render(command: CommandLine.arguments.dropFirst().joined(separator: " ")))
        guard report.errorCount == 0, report.descriptorsFlat else {
            FileHandle.standardError.write(Data("soak failed: \(report.errorCount) errors, descriptors \(report.descriptorsFlat ? "flat" : "grew")\n".utf8))
            throw ExitCode.failure
        }
    }
}
