import ArgumentParser
import Platform
import Policy

/// `bilet-bench policy`: decisions per second and latency percentiles of the policy engine.
struct PolicyBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Measures policy decisions per second and p50/p99 latency.",
        discussion: """
            Loads the full policy set and the relationship facts of policies/tests into memory, then \
            decides the test cases' requests (every role, allows and denies, relationship lookups) \
            round-robin on one task. Targets: p99 under 20 µs and at least 200,000 decisions/s per \
            core, in a release build (swift build -c release --product bilet-bench).
            """)

    @Option(name: .customLong("policies"), help: "The policy directory.")
    var directory: String = "policies"

    @Option(help: "Decisions to time.")
    var iterations: Int = 1_000_000

    @Option(help: "Decisions before timing starts.")
    var warmup: Int = 50_000

    @Option(help: "Synthetic relationship facts to add to the test facts, so lookups search a realistic store.")
    var facts: Int = 200_000

    func validate() throws {
        guard iterations > 0, warmup >= 0, facts >= 0 else {
            throw ValidationError("iterations must be positive; warmup and facts not negative")
        }
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    func run() async throws {
        let policies: PolicySet
        let suite: PolicyTestSuite
        do {
            policies = try PolicySet.load(directory: directory, hasher: PolicyLoading.hasher)
            suite = try PolicyTestSuite.load(directory: directory)
        } catch {
            throw PolicyLoading.fail(error)
        }
        let requests = suite.cases.map(\.request)
        guard !requests.isEmpty else {
            print("no test cases in \(directory)/tests to use as requests")
            throw ExitCode(1)
        }
        var relationships = suite.relationships
        // Filler facts: navigator assignments and enrolments of synthetic pupils, shaped like the
        // real ones, so the store holds far more than the test facts.
        for index in 0..<facts {
            let pupil = EntityRef("pupil", "bench-pupil-\(index / 2)")
            if index.isMultiple(of: 2) {
                relationships.add(
                    Relationship(
                        "assigned_navigator", subject: pupil, object: EntityRef("user", "bench-navigator-\(index % 997)"),
                        validFrom: Timestamp(iso8601: "2025-09-01"), validUntil: Timestamp(iso8601: "2026-06-01")))
            } else {
                relationships.add(
                    Relationship(
                        "enrolled_in", subject: pupil, object: EntityRef("event", "bench-event-\(index % 4_999)")))
            }
        }
        #if DEBUG
            print("warning: debug build; measure with `swift build -c release --product bilet-bench` for real numbers")
        #endif
        print(
            "policy \(policies.version): \(policies.rules.count) rules, \(relationships.all.count) relationship facts, "
                + "\(requests.count) distinct requests")

        var allowed = 0
        for index in 0..<warmup {
            if await policies.decide(requests[index % requests.count], relationships: relationships).isAllowed {
                allowed += 1
            }
        }

        // Throughput: back-to-back decisions, one clock read at each end.
        let clock = ContinuousClock()
        let start = clock.now
        for index in 0..<iterations {
            if await policies.decide(requests[index % requests.count], relationships: relationships).isAllowed {
                allowed += 1
            }
        }
        let elapsed = clock.now - start
        let perSecond = Double(iterations) / (Double(Self.nanoseconds(elapsed)) / 1e9)

        // Latency: each decision timed on its own.
        var latencies = [Int64](repeating: 0, count: iterations)
        for index in 0..<iterations {
            let request = requests[index % requests.count]
            let before = clock.now
            let decision = await policies.decide(request, relationships: relationships)
            latencies[index] = Self.nanoseconds(clock.now - before)
            if decision.isAllowed { allowed += 1 }
        }
        latencies.sort()
        func percentile(_ p: Double) -> String {
            let nanos = latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
            let hundredths = (nanos + 5) / 10
            let fraction = String(hundredths % 100)
            return "\(hundredths / 100).\(fraction.count == 1 ? "0" + fraction : fraction) µs"
        }
        print("decisions/s (one task): \(Int(perSecond))")
        print("latency p50 \(percentile(0.50)), p90 \(percentile(0.90)), p99 \(percentile(0.99)), p99.9 \(percentile(0.999)), max \(percentile(1.0))")
        print("allowed \(allowed) of \(warmup + 2 * iterations) decisions")
        let meetsTargets = perSecond >= 200_000 && latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.99))] < 20_000
        print("targets (p99 < 20 µs, >= 200,000/s): \(meetsTargets ? "met" : "NOT met")")
    }
}
