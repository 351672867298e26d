import ArgumentParser
import Assessment
import Foundation

/// `bilet-bench test-taking`: the pupil's test-taking path end to end over TLS (issue #11): answers
/// saved per second with 1,000 concurrent pupils on the pupils' listener of a real `bilet serve`.
///
/// Runs in a throwaway directory with its own private PostgreSQL cluster (the serve's own, as
/// `./scripts/run` runs it; removed afterwards unless `--keep`): `bilet certs dev-setup`, `bilet db
/// migrate`, three staff accounts (`bilet accounts add`), `bilet serve` (gateway, vault, sequencer
/// and CA processes), `bilet vault init`. Set-up goes through the real routes (not measured): a
/// methodologist publishes a synthetic test of `--questions` questions; the school registers
/// `--pupils` pupils with consent to assessment, assigns each to the navigator, who assigns the
/// test; each pupil is activated and signs in. Then one keep-alive TLS connection per pupil (a
/// Python asyncio client, a separate process): all start their sessions at once and save answers
/// one by one for `--seconds` after `--warmup`, each pupil at most `--pace` requests a second.
///
/// Rate limits: the per-address limit is switched off for the run (every client is 127.0.0.1, as
/// a school's NAT would be, and the default 1,000/s would cap the whole run); the per-session
/// limit stays at its default (10/s, burst 30) and each pupil stays under it (`--pace`, 8/s).
/// Reported: answers saved per second, p50/p90/p99 latency, errors, and the CPU seconds of each
/// process of the serve (gateway, vault, PostgreSQL, …) and of the client during the run.
struct TestTakingBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test-taking",
        abstract: "Measures answers saved per second with concurrent pupils over TLS through a real `bilet serve`.")

    @Option(help: "Concurrent pupils (each with an activated account, a session and one TLS connection).")
    var pupils: Int = 1_000

    @Option(help: "Questions of the test.")
    var questions: Int = 40

    @Option(help: "Seconds measured.")
    var seconds: Int = 60

    @Option(help: "Seconds of load before the measurement starts.")
    var warmup: Int = 5

    @Option(help: "Most requests a second of one pupil (under the per-session limit); 0: as fast as answered.")
    var pace: Double = 8

    @Option(help: "Concurrent set-up clients.")
    var setupConcurrency: Int = 6

    @Option(help: "database.pool_size of the serve (connections per component).")
    var poolSize: Int = 20

    @Option(help: "Work directory (default: a new temporary one).")
    var directory: String?

    @Flag(help: "Keep the work directory (and its cluster) afterwards.")
    var keep = false

    func validate() throws {
        guard pupils > 0, (4...DefinitionValidator.maximumQuestions).contains(questions), seconds > 0, warmup >= 0, pace >= 0,
            setupConcurrency > 0, (1...500).contains(poolSize)
        else { throw ValidationError("pupils, seconds and set-up concurrency positive; questions 4 to \(DefinitionValidator.maximumQuestions)") }
    }

    func run() async throws {
        #if DEBUG
            print("warning: debug build; measure with `swift build -c release --product bilet-bench` (and `--product bilet`) for real numbers")
        #endif
        let platform = try TestTakingBenchPlatform(directory: directory, poolSize: poolSize)
        defer { if !keep { platform.remove() } else { print("kept \(platform.directory.path)") } }
        try platform.prepare()
        try await platform.serve()
        defer { platform.stop() }
        try platform.addAccounts()
        try platform.initialiseVault()

        var random = SplitMix64(seed: 11)
        let definition = ScoringBenchCommand.definition(questions: questions, random: &random)
        try JSONEncoder().encode(definition).write(to: platform.file("definition.json"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let answerSets = try (0..<64).map { _ -> [[String]] in
            try ScoringBenchCommand.answers(to: definition, random: &random).sorted { Self.order($0.key) < Self.order($1.key) }.map {
                [$0.key, String(decoding: try encoder.encode($0.value), as: UTF8.self)]
            }
        }
        try JSONSerialization.data(withJSONObject: answerSets).write(to: platform.file("answers.json"))
        let config: [String: Any] = [
            "ca": platform.certs + "/gateway/ca-bundle.pem", "certs": platform.certs, "workstations": platform.ports["workstations"] ?? 0,
            "pupils": platform.ports["pupils"] ?? 0, "password": TestTakingBenchPlatform.staffPassword, "school": "bench.school",
            "navigator": "bench.navigator", "navigator_id": platform.accounts["bench.navigator"] ?? "", "methodologist": "bench.methodologist",
            "pupil_password": "synthetic bench pupil 1", "definition": platform.file("definition.json").path, "code": definition.code ?? "bench",
            "pupils_count": pupils, "setup_concurrency": setupConcurrency, "sessions": platform.file("sessions.json").path,
            "answers": platform.file("answers.json").path, "seconds": seconds, "warmup": warmup, "pace": pace,
            "result": platform.file("result.json").path,
        ]
        try JSONSerialization.data(withJSONObject: config).write(to: platform.file("client.json"))
        try TestTakingBenchClient.script.write(to: platform.file("client.py"), atomically: true, encoding: .utf8)

        print("setting up \(pupils) pupils through the routes (not measured)…")
        let setupStart = ContinuousClock.now
        try await platform.python(["setup", platform.file("client.json").path])
        print("set-up done in \(Self.format(ContinuousClock.now - setupStart))")

        let resolvedBefore = try await platform.count("SELECT count(*) FROM audit.events WHERE kind = 'token.resolved'")
        let before = ProcessCPU.tree(of: platform.measuredRoots)
        let loadStart = ContinuousClock.now
        try await platform.python(["load", platform.file("client.json").path])
        let elapsed = ContinuousClock.now - loadStart
        let after = ProcessCPU.tree(of: platform.measuredRoots)
        guard let data = FileManager.default.contents(atPath: platform.file("result.json").path),
            let result = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw ValidationError("the load client wrote no result") }
        print(
            String(
                format: "pupils %d  questions %d  seconds %d  answers %d  answers/s %.0f  p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms",
                pupils, questions, seconds, result["answers"] as? Int ?? 0, result["rate"] as? Double ?? 0, result["p50_ms"] as? Double ?? 0,
                result["p90_ms"] as? Double ?? 0, result["p99_ms"] as? Double ?? 0, result["max_ms"] as? Double ?? 0))
        print(
            String(
                format: "session starts %d (p50 %.1f ms, p99 %.1f ms); connect failures %d", result["starts"] as? Int ?? 0,
                result["start_p50_ms"] as? Double ?? 0, result["start_p99_ms"] as? Double ?? 0, result["connect_failures"] as? Int ?? 0)
                + "; errors \((result["errors"] as? [String: Any]).map { $0.isEmpty ? "none" : "\($0)" } ?? "?")")
        let wall = Self.secondsOf(elapsed)
        print(String(format: "CPU seconds during the load phase (%.0f s wall, incl. connecting and warm-up):", wall))
        for (label, cpu) in ProcessCPU.difference(after, before).sorted(by: { $0.value > $1.value }) where cpu > 0.05 {
            print("  " + label.padding(toLength: 24, withPad: " ", startingAt: 0) + String(format: "%8.1f s  (%.0f%% of one core)", cpu, cpu / wall * 100))
        }
        print("  " + "load client (python)".padding(toLength: 24, withPad: " ", startingAt: 0)
            + String(format: "%8.1f s (measured phase)", result["client_cpu_s"] as? Double ?? 0))
        if let load = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) {
            print("load average after the run: \(load.trimmingCharacters(in: .whitespacesAndNewlines)) (\(ProcessInfo.processInfo.activeProcessorCount) cores)")
        }
        let resolvedAfter = try await platform.count("SELECT count(*) FROM audit.events WHERE kind = 'token.resolved'")
        let answered = try await platform.count("SELECT count(*) FROM assessment.answers")
        print(
            "token.resolved records written during the load phase: \(resolvedAfter - resolvedBefore) (one per pupil session per "
                + "gateway.pupil_token_ttl_seconds, 60 s); answers stored: \(answered)")
    }

    static func order(_ question: String) -> Int { Int(question.dropFirst()) ?? 0 }

    static func secondsOf(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func format(_ duration: Duration) -> String { String(format: "%.0f s", secondsOf(duration)) }
}
