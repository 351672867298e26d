import Accounts
import ArgumentParser
import Assessment
import Audit
import Foundation
import GnuTLS
import Identity
import LocalSocket
import Logging
import Platform
import Policy
import PostgreSQL
import Recommendations
import RecommendationsHTTP
import Storage
import Tokens
import Trials
import TrialsHTTP
import Vault
import VaultDoor

/// `bilet-bench recommendations-path`: a navigator generating pupils' recommendations through
/// the whole path the route takes (``RecommendationsDesk/generate(_:pupil:now:)``): the vault's
/// door for the pupil's recommendations token (policy, relationship, consent, audit), two
/// translations for the recommendations service (into the assessment and trials tokens, each
/// audited), the modules' reads, the engine, and the drafts written with their audit record.
///
/// ``RecommendationsBenchCommand`` times the engine alone; this one times what surrounds it, on
/// a population small enough to register in minutes, and projects the time for 100,000 pupils.
struct RecommendationsPathBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recommendations-path",
        abstract: "Measures generating recommendations through the door, the modules and the engine (the navigator's path).",
        discussion: """
            Creates a throwaway database next to bilet's own (in the private cluster, or on the configured \
            server, which then needs CREATEDB), initialises a vault with a temporary key file and serves its door \
            on a temporary socket in this process, registers `--pupils` synthetic pupils (consents to assessment \
            and recommendation) assigned to one navigator, gives each a footprint and enrols them in the region's \
            events, then has `--concurrency` navigator requests at once generate every pupil's recommendations. \
            Reports pupils per second, the latency of one generation, the CPU of this process per pupil, the \
            door calls and audit records per pupil, and the time 100,000 pupils would take at that rate.
            """)

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .customLong("policies"), help: "The policy directory.")
    var policyDirectory: String = "policies"

    @Option(help: "Synthetic pupils to register and generate for.")
    var pupils: Int = 2_000

    @Option(help: "Generations running at once.")
    var concurrency: Int = 8

    @Option(help: "Approved upcoming events of the region (the offers).")
    var events: Int = 20

    @Flag(help: "Keep the benchmark database afterwards.")
    var keepDatabase = false

    static let school = "77-0001"
    static let venue = "77-0042"
    static let region = "77"
    static let password = "bench-navigator-password-1"

    func validate() throws {
        guard pupils > 0, concurrency > 0, (1...500).contains(events) else {
            throw ValidationError("pupils and concurrency positive; events 1 to 500")
        }
    }

    func run() async throws {
        let settings = try await options.load()
        ProcessLogging.bootstrap(settings.log)
        let logger = Logger(label: "bilet.bench.recommendations-path")
        try GnuTLSLibrary.ensureInitialized()
        #if DEBUG
            print("warning: debug build; measure with `swift build -c release --product bilet-bench` for real numbers")
        #endif
        try await BenchDatabase.withThrowaway(settings.database, prefix: "bilet_bench_recpath_", keep: keepDatabase, logger: logger) {
            try await measure(base: $0, passwords: $1, logger: logger)
        }
    }

    private func measure(base: PostgresConfiguration, passwords: [Component: String], logger: Logger) async throws {
        let components = ComponentDatabase(base: base, maxConnectionsPerComponent: concurrency + 4, passwords: passwords)
        let vaultPool = components.makePool(for: .vault)
        let accounts = components.makePool(for: .accounts)
        let accountAdmin = components.makePool(for: .accountAdmin)
        let recommendations = components.makePool(for: .recommendations)
        let assessment = components.makePool(for: .assessment)
        let trials = components.makePool(for: .trials)
        let recorder = components.makePool(for: .gateway)
        let owner = PostgresConnectionPool(configuration: base, maxConnections: 2)
        let pools = [vaultPool, accounts, accountAdmin, recommendations, assessment, trials, recorder, owner]
        defer { Task { for pool in pools { await pool.shutdown() } } }

        let policies = try PolicyStore(directory: policyDirectory, hasher: SHA256VersionHasher())
        let bench = try await BenchVault.make(pool: vaultPool, policies: policies)
        defer { bench.remove() }
        let vault = bench.vault

        // The vault's door, as the vault process serves it (the areas this path uses).
        let socket = bench.doorSocket
        let server = LocalSocketServer<VaultDoorRequest, VaultDoorResponse>(
            name: "bench-door", socketPath: socket, maximumRequestBytes: VaultDoorClient.maximumRequestBytes, logger: logger,
            invalidRequest: { .refused(code: "invalid-request") }
        ) { request, _ in
            switch request {
            case .attemptedAccountHash(let login):
                guard let hash = try? vault.auditHashKey()?.hash(login, field: StaffLogin.attemptedAccountField) else {
                    return .refused(code: "sealed")
                }
                return .keyedHash(hash.description)
            case .recommendations(let request, let caller): return await RecommendationsDoorHandler.answer(request, caller: caller, vault: vault)
            case .modules(let request, let service): return await ModuleDoorHandler.answer(request, service: service, vault: vault)
            default: return .refused(code: "invalid-request")
            }
        }
        let door = VaultDoorClient(socketPath: socket)
        let serving = Task { try await server.run() }
        defer { serving.cancel() }
        while !(await LocalSocketClient.isAnswering(socketPath: socket)) { try await Task.sleep(for: .milliseconds(20)) }

        // The navigator, signed in on a workstation of the school.
        let hasher = try PasswordHasher()
        let navigator = try await AccountStore(pool: accountAdmin, hasher: hasher).add(
            login: "bench.navigator", role: StaffRole.navigator.rawValue, organisation: "bilet://school/\(Self.school)", region: Self.region,
            password: Self.password, actor: "service:bench")
        let login = StaffLogin(
            pool: accounts, hasher: hasher,
            attemptedAccountHash: { typed in
                guard case .keyedHash(let hash) = try? await door.call(.attemptedAccountHash(login: typed)) else { return nil }
                return hash
            })
        let certificate = PresentedCertificate(
            principal: try IdentityURI.parse("bilet://school/\(Self.school)/ws/1"), serial: [0x0B, 0xE1])
        let opened = try await login.login("bench.navigator", password: Self.password, certificate: certificate)
        let session = try await StaffSessions(pool: accounts).resolve(token: opened.token.text, certificate: certificate)

        // Population: pupils with consents, assigned to the navigator; a footprint each; seats in the events.
        let setupStart = ContinuousClock.now
        let school = Requester(
            principal: Principal(
                role: "school", user: EntityRef("user", "bench-school-user"), organisation: EntityRef("school", Self.school),
                region: EntityRef("region", Self.region)),
            actor: "bilet://school/\(Self.school)/ws/1")
        let pupils = self.pupils
        let registered = try await withThrowingTaskGroup(of: [SubjectToken].self) { group in
            let workers = 4
            for worker in 0..<workers {
                group.addTask {
                    var made: [SubjectToken] = []
                    for index in stride(from: worker, to: pupils, by: workers) {
                        let pupil = try await vault.enrol(Self.enrolment(index), school: Self.school, region: Self.region, by: school).pupil.token
                        _ = try await vault.assignNavigator(navigator.id, to: pupil, by: school)
                        made.append(pupil)
                    }
                    return made
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let trialsDesk = TrialsDesk(store: TrialsStore(pool: trials), policies: policies, recorder: recorder)
        let offered = try await Self.approvedEvents(events, desk: trialsDesk)
        try await Self.signals(for: registered, vault: vaultPool, assessment: assessment, trials: trialsDesk, events: offered)
        print("set up \(registered.count) pupils (consents, navigator, footprint, seats) and \(offered.count) events in \(ContinuousClock.now - setupStart)")

        let desk = RecommendationsDesk(
            store: RecommendationsStore(pool: recommendations), assessment: AssessmentStore(pool: assessment), trials: TrialsStore(pool: trials),
            door: door, policies: policies, recorder: recorder)
        let auditBefore = try await owner.query("SELECT count(*) FROM audit.events").singleValue(Int.self)
        let cpuBefore = VaultBenchCommand.cpuSeconds()
        let start = ContinuousClock.now
        let width = concurrency
        let (latencies, drafts) = try await withThrowingTaskGroup(of: ([Int64], Int).self) { group in
            for worker in 0..<width {
                group.addTask {
                    var latencies: [Int64] = []
                    var drafts = 0
                    for index in stride(from: worker, to: registered.count, by: width) {
                        let began = ContinuousClock.now
                        drafts += try await desk.generate(session, pupil: registered[index].rawValue).count
                        latencies.append(VaultBenchCommand.nanoseconds(ContinuousClock.now - began))
                    }
                    return (latencies, drafts)
                }
            }
            return try await group.reduce(into: ([Int64](), 0)) { $0.0 += $1.0; $0.1 += $1.1 }
        }
        let wall = Double(VaultBenchCommand.nanoseconds(ContinuousClock.now - start)) / 1e9
        let cpu = VaultBenchCommand.cpuSeconds() - cpuBefore
        let audited = try await owner.query("SELECT count(*) FROM audit.events").singleValue(Int.self) - auditBefore
        let rate = Double(registered.count) / wall
        print("generated \(registered.count) pupils' recommendations (\(drafts) drafts), concurrency \(width):")
        print(String(format: "  %.0f pupils/s wall; %.2f ms of this process's CPU per pupil (vault, door, modules and engine in one process)", rate, cpu * 1000 / Double(registered.count)))
        print("  latency of one generation \(VaultBenchCommand.percentiles(latencies))")
        print(String(format: "  door calls per pupil: 3; audit records per pupil: %.2f", Double(audited) / Double(registered.count)))
        print(String(format: "  100,000 pupils at this rate: %.0f s (target 60 s: %@)", 100_000 / rate, 100_000 / rate <= 60 ? "met" : "NOT met"))
    }

    /// A synthetic pupil's enrolment: invented names, consents to assessment and recommendation.
    static func enrolment(_ index: Int) -> PupilEnrolment {
        let letters = Array("абвгдежзик")
        let marker = String(String(index + 1).compactMap(\.wholeNumberValue).map { letters[$0] })
        return PupilEnrolment(
            pupil: [
                .surname: PersonalValue("Рекомендова\(marker)"), .firstName: PersonalValue("Синтетика"), .patronymic: "Тестовна",
                .birthDate: PersonalValue(VaultBenchCommand.birthDate), .sex: "female", .grade: "8", .schoolClass: "В",
            ],
            guardian: [.name: PersonalValue("Рекомендов Родитель \(marker)"), .relation: "father"], guardianIsParent: true,
            consentNumber: "B-\(index + 1)", consentSignedOn: "2026-09-01", pupilAlsoSigned: false,
            purposes: [Vault.enrolmentPurpose, "assessment", "recommendation"])
    }

    /// `count` approved events of the venue, a day apart from tomorrow, over the spheres.
    static func approvedEvents(_ count: Int, desk: TrialsDesk) async throws -> [TrialEvent] {
        let venue = EnrolmentBenchCommand.caller("usr_benchvenue", .venue, Self.venue)
        let coordinator = EnrolmentBenchCommand.caller("usr_benchcoord", .regionalCoordinator, Self.region)
        let place = try await desk.addPlace(venue, name: "Мастерская", address: "Москва, Синтетическая 1", capacity: 100_000)
        try await desk.store.addMentor(venue: Self.venue, account: "usr_benchmentor", by: "user:usr_benchvenue")
        let spheres = RecommendationsBenchCommand.spheres
        let competencies = RecommendationsBenchCommand.competencies
        var made: [TrialEvent] = []
        for index in 0..<count {
            let starts = Date().addingTimeInterval(Double(index + 1) * 86_400)
            let event = try await desk.createEvent(
                venue,
                EventDetails(
                    kind: .trial, title: "Профпроба \(index + 1)", startsAt: starts, endsAt: starts.addingTimeInterval(7_200), place: place.id,
                    capacity: 100_000, sphere: spheres[index % spheres.count],
                    competencies: [competencies[index % competencies.count], competencies[(index + 7) % competencies.count]],
                    format: .inPerson, mentor: "usr_benchmentor"))
            _ = try await desk.submit(venue, event.id)
            made.append(try await desk.decide(coordinator, event.id, approve: true, reason: nil))
        }
        return made
    }

    /// Each pupil's footprint (15 spheres, 20 competencies) in the assessment module, written by the
    /// module's role, and a seat in two of the region's events, through the enrolment path (set-up;
    /// not timed). The pupils' module tokens are read from the vault's table, as the vault's door
    /// would release them.
    static func signals(
        for pupils: [SubjectToken], vault: PostgresConnectionPool, assessment: PostgresConnectionPool, trials: TrialsDesk,
        events: [TrialEvent]
    ) async throws {
        let navigator = EnrolmentBenchCommand.caller("usr_benchnavigator", .navigator, Self.school)
        let dimensions = RecommendationsBenchCommand.spheres.map { "sphere.\($0)" } + RecommendationsBenchCommand.competencies.map { "competency.\($0)" }
        var random = SplitMix64(seed: 7)
        for pupil in pupils {
            let tokens = try await vault.query(
                """
                SELECT m.module, m.token FROM vault.module_tokens m JOIN vault.subjects s ON s.id = m.subject_id
                WHERE s.token = \(pupil.rawValue)
                """
            ).reduce(into: [String: String]()) { $0[try $1.decode(String.self, at: 0)] = try $1.decode(String.self, at: 1) }
            guard let assessmentToken = tokens["assessment"], let trialsToken = tokens["trials"].flatMap(TrialsToken.init) else {
                throw ValidationError("a benchmark pupil has no module tokens")
            }
            let values = dimensions.map { _ in String(random.next() % 101) }.joined(separator: ",")
            _ = try await assessment.execute(
                """
                INSERT INTO assessment.footprint (pupil_token, dimension, value, updated_at)
                SELECT \(assessmentToken), d, v, now()
                FROM unnest(string_to_array(\(dimensions.joined(separator: ",")), ','), CAST(string_to_array(\(values), ',') AS int[])) AS f (d, v)
                """)
            for _ in 0..<2 {
                _ = try await trials.enrol(navigator, trialsToken, in: events[Int(random.next() % UInt64(events.count))])
            }
        }
    }
}
