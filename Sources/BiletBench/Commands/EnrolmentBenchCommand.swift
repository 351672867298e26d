import Accounts
import ArgumentParser
import Audit
import Foundation
import Logging
import Platform
import Policy
import PostgreSQL
import Storage
import Tokens
import Trials
import TrialsHTTP

/// `bilet-bench enrolment`: enrolment throughput with many navigators enrolling into one event at
/// once, through the gateway's enrolment path (``TrialsDesk/enrol(_:_:in:now:)``): the event's row
/// lock, the seat count, the waiting list, and the audit record appended by `bilet_gateway` before
/// the enrolment commits. The vault's translation of each pupil (one door call) is not included.
struct EnrolmentBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enrolment",
        abstract: "Measures enrolments per second and p50/p99 latency with concurrent navigators on one event.",
        discussion: """
            Creates a throwaway database next to bilet's own (in the private cluster, or on the configured \
            server, which then needs CREATEDB), registers a venue's place and mentor and an approved event, then \
            runs `--navigators` concurrent navigators, each enrolling its share of `--pupils` synthetic trials \
            tokens into that one event (capacity `--capacity`; the rest wait). Checks that exactly `capacity` \
            pupils are seated and that every enrolment has its audit record, and reports enrolments per second \
            and the latency percentiles of one enrolment.
            """)

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .customLong("policies"), help: "The policy directory.")
    var policyDirectory: String = "policies"

    @Option(help: "Concurrent navigators.")
    var navigators: Int = 50

    @Option(help: "Enrolments in all (distinct pupils).")
    var pupils: Int = 5_000

    @Option(help: "Seats of the event.")
    var capacity: Int = 100

    @Option(help: "Database connections of the trials and the gateway pools each.")
    var connections: Int = 20

    @Flag(help: "Keep the benchmark database afterwards.")
    var keepDatabase = false

    func validate() throws {
        guard navigators > 0, pupils >= navigators, (1...100_000).contains(capacity), capacity <= pupils, connections > 0 else {
            throw ValidationError("navigators positive, pupils at least navigators, capacity 1 to min(100000, pupils), connections positive")
        }
    }

    func run() async throws {
        let settings = try await options.load()
        ProcessLogging.bootstrap(settings.log)
        let logger = Logger(label: "bilet.bench.enrolment")
        #if DEBUG
            print("warning: debug build; measure with `swift build -c release --product bilet-bench` for real numbers")
        #endif
        try await BenchDatabase.withThrowaway(settings.database, prefix: "bilet_bench_enrolment_", keep: keepDatabase, logger: logger) {
            try await measure(base: $0, passwords: $1)
        }
    }

    private func measure(base: PostgresConfiguration, passwords: [Component: String]) async throws {
        let components = ComponentDatabase(base: base, maxConnectionsPerComponent: connections, passwords: passwords)
        let trials = components.makePool(for: .trials)
        let recorder = components.makePool(for: .gateway)
        let policies = try PolicyStore(directory: policyDirectory, hasher: SHA256VersionHasher())
        let desk = TrialsDesk(store: TrialsStore(pool: trials), policies: policies, recorder: recorder)

        let venue = Self.caller("usr_benchvenue", .venue, "77-0042")
        let coordinator = Self.caller("usr_benchcoord", .regionalCoordinator, "77")
        let place = try await desk.addPlace(venue, name: "Bench hall", address: "Synthetic street 1", capacity: 100_000)
        try await desk.store.addMentor(venue: "77-0042", account: "usr_benchmentor", by: venue.actor)
        let start = Date().addingTimeInterval(86_400)
        let draft = try await desk.createEvent(
            venue,
            EventDetails(
                kind: .trial, title: "Bench trial", startsAt: start, endsAt: start.addingTimeInterval(7_200), place: place.id, capacity: capacity,
                sphere: "engineering", competencies: ["robotics"], format: .inPerson, mentor: "usr_benchmentor"))
        _ = try await desk.submit(venue, draft.id)
        let event = try await desk.decide(coordinator, draft.id, approve: true, reason: nil)

        let tokens = try (0..<pupils).map { index -> TrialsToken in
            var entropy = [UInt8](repeating: 0, count: 16)
            for byte in 0..<4 { entropy[byte] = UInt8((index >> (8 * byte)) & 0xFF) }
            entropy[15] = 0xB1
            return try TrialsToken(entropy: entropy)
        }
        let navigators = self.navigators
        print("navigators  pupils  capacity  seconds  enrolments/s  p50_ms  p99_ms  max_ms")
        let began = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for navigator in 0..<navigators {
                let caller = Self.caller("usr_benchnav\(navigator)", .navigator, "77-0001")
                let share = stride(from: navigator, to: tokens.count, by: navigators).map { tokens[$0] }
                group.addTask {
                    var own: [Double] = []
                    for pupil in share {
                        let before = ContinuousClock.now
                        _ = try await desk.enrol(caller, pupil, in: event)
                        own.append(Self.milliseconds(ContinuousClock.now - before))
                    }
                    return own
                }
            }
            var all: [Double] = []
            for try await own in group { all += own }
            return all.sorted()
        }
        let elapsed = Self.milliseconds(ContinuousClock.now - began) / 1000
        func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        print(
            String(
                format: "%10d  %6d  %8d  %7.2f  %12.0f  %6.2f  %6.2f  %6.2f", navigators, pupils, capacity, elapsed, Double(pupils) / elapsed,
                percentile(0.5), percentile(0.99), percentile(1.0)))

        let enrolments = try await desk.store.enrolments(in: event.id)
        let seated = enrolments.count { $0.state == .seated }
        let owner = PostgresConnectionPool(configuration: base, maxConnections: 1)
        let records = try await owner.query(
            "SELECT count(*) FROM audit.events WHERE kind = 'trials.enrolment_changed' AND payload->>'event' = \("event:\(event.id)")"
        ).singleValue(Int.self)
        await owner.shutdown()
        guard seated == capacity, enrolments.count == pupils, records == pupils else {
            throw ValidationError(
                "capacity or audit did not hold: \(seated) seated of \(capacity), \(enrolments.count) enrolments and \(records) audit records of \(pupils)")
        }
        print("check: \(seated) seated, \(enrolments.count - seated) waiting, \(records) audit records")
        await trials.shutdown()
        await recorder.shutdown()
    }

    static func caller(_ account: String, _ role: StaffRole, _ organisation: String) -> TrialsCaller {
        var attributes: [String: Value] = ["user": .entity(EntityRef("user", account)), "region": .entity(EntityRef("region", "77"))]
        if let kind = role.organisationKind { attributes["organisation"] = .entity(EntityRef(kind.rawValue, organisation)) }
        return TrialsCaller(account: account, role: role, organisation: organisation, region: "77", principal: Principal(role: role.rawValue, attributes: attributes))
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (whole, fraction) = duration.components
        return Double(whole) * 1000 + Double(fraction) / 1e15
    }
}
