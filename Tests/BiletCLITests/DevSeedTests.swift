import Foundation
import Storage
import Testing
import ServeTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Issue 11: "After `bilet dev seed`, the modules' schemas hold none of the seeded names, birth
/// dates or SNILS values (scan a `pg_dump` of them)." A real `bilet serve` (development PKI,
/// migrated database, initialised vault), the built `bilet dev seed` run against it at a small
/// scale as a separate process, the summary's counts checked against what the API answers (the
/// venue's approved events, the coordinator's KPI, a navigator's seats), then a `pg_dump` of the
/// assessment, trials and recommendations schemas searched for every seeded pupil's and
/// guardian's names, birth dates (ISO and ДД.ММ.ГГГГ) and SNILS (with and without separators), in
/// every form SchoolDoorEndToEndTests looks for. The dump must hold the seeded module rows
/// (enrolments, attendance, results, recommendations), so the search cannot pass on an empty dump.
/// A second seed run refuses (exit 3, "already seeded"); a configuration that is not the
/// development one is refused before anything is written.
///
/// Starts a real `bilet serve` and loads both cores: runs in the heavy pass of scripts/test.
@Suite("bilet dev seed (real bilet serve)", .serialized)
struct DevSeedTests {
    /// Runs `bilet` with `arguments` until it ends (bounded by `timeout`): status and output.
    static func runLong(_ run: ServeCommandTests.GatewayRun, _ arguments: [String], timeout: TimeInterval = 900) throws -> (status: Int32, output: String) {
        let log = run.directory.appendingPathComponent("seed-\(UUID().uuidString).log")
        let child = try BiletProcess.start(arguments, environment: run.environment, log: log)
        let deadline = Date().addingTimeInterval(timeout)
        while child.process.isRunning && Date() < deadline { usleep(100_000) }
        if child.process.isRunning {
            child.process.terminate()
            throw BiletProcess.Failure(description: "bilet \(arguments.joined(separator: " ")) did not finish in \(Int(timeout)) s")
        }
        return (child.process.terminationStatus, try String(contentsOf: log, encoding: .utf8))
    }

    /// The seeded data the manifest lists.
    struct Manifest: Decodable {
        struct Counts: Decodable {
            let schools, venues, staff, pupils, pupilsWithoutFullConsent, navigatorAssignments, events, eventsApproved: Int
            let enrolmentsSeated, enrolmentsWaiting, attendanceMarked, testsPublished, assignments, pupilsActivated, testsSubmitted: Int
            let recommendationsGenerated, recommendationsPublished, opportunities: Int
        }
        struct Pupil: Decodable {
            let surname, firstName, patronymic, birthDate, snils, guardianFirstName, guardianSurname, guardianPhone: String
            let consentPurposes: [String]
        }
        struct Staff: Decodable {
            let login, role, organisation, certificate: String
        }
        let region: String
        let counts: Counts
        let staffPassword: String
        let staff: [Staff]
        let schools: [String]
        let pupils: [Pupil]
    }

    @Test func seedsThroughTheDoorsAndTheModulesHoldNoPersonalData() async throws {
        let run = try ServeCommandTests.GatewayRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        try run.prepare()
        let (serve, _, ports) = try await run.serve()
        defer { serve.stopIfRunning() }
        let workstations = try #require(ports["workstations"])
        let pupilsPort = try #require(ports["pupils"])
        try run.initialiseVault()

        let manifestFile = run.directory.appendingPathComponent("seed-manifest.json")
        let arguments = [
            "dev", "seed", "--config", run.config, "--workstations-port", String(workstations), "--pupils-port", String(pupilsPort),
            "--seed-value", "7", "--schools", "3", "--pupils-per-school", "20", "--venues", "1", "--mentors-per-venue", "1",
            "--events", "3", "--enrolments-per-event", "8", "--test-takers-per-school", "2", "--without-consent-percent", "15",
        ]
        let seeded = try Self.runLong(run, arguments + ["--write-manifest", manifestFile.path])
        try #require(seeded.status == 0, "\(seeded.output)")
        #expect(seeded.output.contains("seeded the synthetic region 99 (seed value 7)"), "\(seeded.output)")
        #expect(seeded.output.contains("seed.coordinator.99 (regional_coordinator, region/99)"), "\(seeded.output)")
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: manifestFile))
        let counts = manifest.counts
        #expect(counts.schools == 3 && counts.venues == 1 && counts.pupils == 60 && manifest.pupils.count == 60)
        #expect(counts.navigatorAssignments == 60)
        #expect(counts.events == 3 && counts.eventsApproved == 3)
        #expect(counts.enrolmentsSeated + counts.enrolmentsWaiting == 24, "\(counts)")
        #expect(counts.enrolmentsSeated > 0 && counts.attendanceMarked > 0, "\(counts)")
        #expect(counts.testsPublished == 1 && counts.assignments == 6 && counts.pupilsActivated == 6 && counts.testsSubmitted == 6)
        #expect(counts.recommendationsPublished > 0 && counts.opportunities == 1, "\(counts)")
        #expect(counts.pupilsWithoutFullConsent == manifest.pupils.filter { $0.consentPurposes.isEmpty }.count)
        #expect(Set(manifest.pupils.map(\.snils)).count == 60, "every SNILS differs")
        #expect(manifest.pupils.allSatisfy { !seeded.output.contains($0.snils) && !seeded.output.contains($0.surname) },
                "the summary prints no pupil's data")
        // The manifest is written for this test only, readable by its owner only.
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: manifestFile.path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)

        // The counts against what the API answers, as the seeded coordinator and a navigator see them.
        func staff(_ role: String, _ organisation: String? = nil) throws -> Manifest.Staff {
            try #require(manifest.staff.first { $0.role == role && (organisation == nil || $0.organisation == organisation) })
        }
        func client(_ certificate: String) -> String {
            String(certificate.dropFirst(run.certs.count + "/clients/".count).dropLast(".pem".count))
        }
        let coordinatorAccount = try staff("regional_coordinator")
        let coordinatorClient = client(coordinatorAccount.certificate)
        let coordinator = try run.signIn(port: workstations, coordinatorAccount.login, client: coordinatorClient, password: manifest.staffPassword)
        // Nothing waits for the coordinator's decision; the venue's events are all approved.
        let submitted = try run.call(port: workstations, client: coordinatorClient, token: coordinator, "/v1/trials/events?status=submitted")
        #expect(submitted.http == "200" && submitted.body == #"{"events":[]}"#, "\(submitted)")
        let venueAccount = try staff("venue")
        let venueClient = client(venueAccount.certificate)
        let venue = try run.signIn(port: workstations, venueAccount.login, client: venueClient, password: manifest.staffPassword)
        let listed = try run.call(port: workstations, client: venueClient, token: venue, "/v1/trials/events")
        #expect(listed.http == "200", "\(listed)")
        let events = (ServeCommandTests.json(listed.body)["events"] as? [[String: Any]]) ?? []
        #expect(events.count == counts.events, "\(listed.body)")
        #expect(events.allSatisfy { $0["status"] as? String == "approved" }, "\(listed.body)")
        let month = String(ISO8601DateFormatter().string(from: Date()).prefix(7))
        let kpi = try run.call(port: workstations, client: coordinatorClient, token: coordinator, "/v1/kpi?scope=region&id=99")
        #expect(kpi.http == "200", "\(kpi)")
        let figures = ((ServeCommandTests.json(kpi.body)["months"] as? [[String: Any]]) ?? []).first { $0["month"] as? String == month } ?? [:]
        #expect(figures["pupilsRegistered"] as? Int == counts.pupils, "\(figures)")
        #expect(figures["testsCompleted"] as? Int == counts.testsSubmitted, "\(figures)")
        #expect(figures["recommendationsDelivered"] as? Int == counts.testsSubmitted, "every test taker got a published one: \(figures)")
        let navigatorAccount = try staff("navigator", "school/\(manifest.schools[0])")
        let navigatorClient = client(navigatorAccount.certificate)
        let navigator = try run.signIn(port: workstations, navigatorAccount.login, client: navigatorClient, password: manifest.staffPassword)
        var seated = 0, waiting = 0
        for event in events {
            let id = try #require(event["id"] as? Int)
            let seats = try run.call(port: workstations, client: navigatorClient, token: navigator, "/v1/trials/events/\(id)/seats")
            #expect(seats.http == "200", "\(seats)")
            seated += ServeCommandTests.json(seats.body)["seated"] as? Int ?? -1000
            waiting += ServeCommandTests.json(seats.body)["waiting"] as? Int ?? -1000
        }
        #expect(seated == counts.enrolmentsSeated && waiting == counts.enrolmentsWaiting, "seated \(seated), waiting \(waiting): \(counts)")

        // A second run on the same platform refuses clearly and writes nothing.
        let again = try Self.runLong(run, arguments)
        #expect(again.status == 3, "\(again.output)")
        #expect(again.output.contains("holds the synthetic region 99 already"), "\(again.output)")

        // The modules' schemas: their rows are there, and no seeded personal data.
        let dump = try Self.modulesDump(run)
        let rows = Self.copyRows(dump)
        #expect((rows["trials.enrolments"] ?? 0) == counts.enrolmentsSeated + counts.enrolmentsWaiting, "\(rows)")
        #expect((rows["trials.attendance"] ?? 0) == counts.attendanceMarked, "\(rows)")
        #expect((rows["assessment.results"] ?? 0) == counts.testsSubmitted, "\(rows)")
        #expect((rows["assessment.answers"] ?? 0) >= counts.testsSubmitted * 6, "\(rows)")
        #expect((rows["recommendations.items"] ?? 0) == counts.recommendationsGenerated, "\(rows)")
        #expect((rows["recommendations.opportunities"] ?? 0) == 1, "\(rows)")
        #expect(dump.contains("trl_") && dump.contains("asm_") && dump.contains("rec_"), "the modules' tokens are in the dump")
        let texts = Set(manifest.pupils.flatMap { [$0.surname, $0.firstName, $0.patronymic, $0.guardianSurname, $0.guardianFirstName] })
        let numbers = Set(manifest.pupils.flatMap { [$0.snils, $0.guardianPhone] })
        let dates = Set(manifest.pupils.flatMap { pupil -> [String] in
            let parts = pupil.birthDate.split(separator: "-").map(String.init)
            return [pupil.birthDate, "\(parts[2]).\(parts[1]).\(parts[0])", "\(parts[2])/\(parts[1])/\(parts[0])"]
        })
        let needles = texts.flatMap(SchoolDoorEndToEndTests.textForms) + numbers.flatMap(SchoolDoorEndToEndTests.numberForms) + dates
        #expect(needles.count > 500, "\(needles.count) forms")
        let found = needles.filter { dump.contains($0) }
        #expect(found.isEmpty, "the modules' schemas hold seeded personal data: \(found.prefix(10).map { SchoolDoorEndToEndTests.excerpt(of: $0, in: dump) })")
        // Controls: the search finds what the modules do keep in clear (the seeded places' city,
        // the seeded event title's words, the seeded opportunity), so it would find a name.
        for control in ["Синтетград", "Проба", "Региональная олимпиада по программированию"] {
            #expect(dump.contains(control), "control \(control) is in the dump")
        }

        #expect(try serve.terminate() == 0)
    }

    /// Outside the development configuration (a gateway listener not on loopback) the seed
    /// refuses before it writes anything.
    @Test func refusesOutsideTheDevelopmentConfiguration() throws {
        let run = try ServeCommandTests.GatewayRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        try FileManager.default.createDirectory(atPath: run.certs, withIntermediateDirectories: true)
        try run.writeConfiguration()
        let config = try String(contentsOfFile: run.config, encoding: .utf8)
        try config.replacingOccurrences(of: "workstations@127.0.0.1:0", with: "workstations@0.0.0.0:8443")
            .write(toFile: run.config, atomically: true, encoding: .utf8)
        let refused = try run.bilet(["dev", "seed", "--config", run.config, "--pupils-port", "8444"])
        #expect(refused.status != 0)
        #expect(refused.output.contains("dev seed not-development: refused: this is not the development configuration (a gateway listener is not on loopback)"), "\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: run.directory.path + "/pg"), "no database was started")
    }

    /// `pg_dump` (schema and data) of the three module schemas, as the private cluster's owner.
    static func modulesDump(_ run: ServeCommandTests.GatewayRun) throws -> String {
        let cluster = try LocalCluster(directory: run.directory.path + "/pg", authentication: .scram)
        let password = try DatabaseCredentials(directory: cluster.directory).password(forRole: "owner")
        let file = run.directory.appendingPathComponent("modules.sql")
        let dumped = try BiletProcess.run(
            ["--format=plain", "--schema=assessment", "--schema=trials", "--schema=recommendations", "--file=\(file.path)",
             "--dbname=\(cluster.connectionString(database: "bilet"))"],
            environment: ["PGPASSWORD": password], executable: URL(fileURLWithPath: try PostgresBinaries.locate().directory + "/pg_dump"))
        try #require(dumped.status == 0, "pg_dump: \(dumped.output)")
        return try String(contentsOf: file, encoding: .utf8)
    }

    /// The number of data rows of each table's `COPY … FROM stdin;` block in a plain dump.
    static func copyRows(_ dump: String) -> [String: Int] {
        var rows: [String: Int] = [:]
        var table: String?
        for line in dump.split(separator: "\n", omittingEmptySubsequences: false) {
            if let current = table {
                if line == "\\." { table = nil } else { rows[current, default: 0] += 1 }
            } else if line.hasPrefix("COPY "), line.hasSuffix("FROM stdin;") {
                let name = line.dropFirst(5).prefix { $0 != " " }
                table = String(name)
                rows[String(name)] = rows[String(name)] ?? 0
            }
        }
        return rows
    }
}
