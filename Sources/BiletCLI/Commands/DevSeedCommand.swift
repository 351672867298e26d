import Accounts
import ArgumentParser
import Assessment
import CertificateAuthority
import DevSeed
import Foundation
import Identity
import Settings

/// `bilet dev seed`: a synthetic region on a RUNNING development platform, written through the
/// same doors as real data (docs/DEV-SEED.md).
///
/// Talks to `bilet serve` as its clients do: mutual TLS with workstation certificates, staff
/// sign-in as the second factor, the pupils' listener for pupils. The only steps not taken over
/// HTTP are the ones a real operator takes on the server with this command line: the first
/// operator and methodologist accounts (`bilet accounts add`) and a workstation certificate per
/// new region, school and venue (`bilet certs request` + `bilet certs sign`, the same code).
/// Refuses to run unless the configuration is the development one: the private local cluster
/// (no `database.url`), listeners on loopback only, and the development PKI of `bilet certs
/// dev-setup` (a root CA whose passphrase lies in a file beside it, which no production CA has).
struct DevSeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Seeds a running development platform with a synthetic region (schools, venues, events, pupils, tests, recommendations).",
        discussion: """
            Start the platform first (`./scripts/run`, or `bilet serve --config config/dev.json` with the vault \
            unsealed), then run `bilet dev seed --config config/dev.json`. Every name, birth date and SNILS is \
            synthetic and made from --seed-value. A second run on the same database refuses (the region's \
            operator account exists); give another --region for a second region. Prints the seeded staff \
            logins and their development password.
            """)

    @OptionGroup var database: AdministratorOptions

    @Option(help: "The synthetic region's code (schools are <region>-0001…, venues <region>-0901…).") var region = "99"
    @Option(name: .customLong("seed-value"), help: "The PRNG seed: the same value makes the same region.") var seedValue: UInt64 = 1
    @Option(help: "Schools.") var schools = 20
    @Option(name: .customLong("pupils-per-school"), help: "Pupils per school.") var pupilsPerSchool = 100
    @Option(name: .customLong("navigators-per-school"), help: "Navigators per school.") var navigatorsPerSchool = 1
    @Option(help: "Venues.") var venues = 5
    @Option(name: .customLong("mentors-per-venue"), help: "Mentors per venue.") var mentorsPerVenue = 2
    @Option(help: "Events (trials and mass events).") var events = 30
    @Option(name: .customLong("enrolments-per-event"), help: "Pupils offered to each event.") var enrolmentsPerEvent = 12
    @Option(name: .customLong("test-takers-per-school"), help: "Pupils per school who activate their account and take the test.")
    var testTakersPerSchool = 3
    @Option(name: .customLong("without-consent-percent"), help: "Percent of pupils whose consent covers enrolment only.")
    var withoutConsentPercent = 8
    @Option(name: .customLong("workstations-port"), help: "The workstations' listener port (default: the configuration's).")
    var workstationsPort: Int?
    @Option(name: .customLong("pupils-port"), help: "The pupils' listener port (default: the configuration's).") var pupilsPort: Int?
    @Option(
        name: .customLong("write-manifest"),
        help: ArgumentHelp("Also write what was seeded, the synthetic pupils' data included, as JSON to this file (mode 0600; for tests).", valueName: "file"))
    var manifestPath: String?

    func run() async throws {
        // a gateway that closes a kept-alive connection must fail a write, not kill the seed
        signal(SIGPIPE, SIG_IGN)
        var scale = SeedScale()
        scale.schools = schools
        scale.pupilsPerSchool = pupilsPerSchool
        scale.navigatorsPerSchool = navigatorsPerSchool
        scale.venues = venues
        scale.mentorsPerVenue = mentorsPerVenue
        scale.events = events
        scale.enrolmentsPerEvent = enrolmentsPerEvent
        scale.testTakersPerSchool = testTakersPerSchool
        scale.withoutConsentPercent = withoutConsentPercent
        try scale.validate()
        guard OrganisationID(region) != nil, region.allSatisfy(\.isNumber), region.count <= 3 else {
            throw ValidationError("--region is a region code of one to three digits")
        }

        let settings = try await database.configuration.load()
        let development = try Self.developmentSetup(settings, databaseURL: database.databaseURL)
        let listeners = settings.gateway.listeners
        let workstations = workstationsPort ?? listeners.first { $0.authentication == .required && $0.profile != .gost }?.port ?? 0
        let pupils = pupilsPort ?? listeners.first { $0.authentication == ListenerSetting.Authentication.none }?.port ?? 0
        guard workstations > 0, pupils > 0 else {
            throw ValidationError("the configuration's listeners have no fixed ports: give --workstations-port and --pupils-port")
        }
        let target = SeedTarget(
            host: "127.0.0.1", workstationsPort: workstations, pupilsPort: pupils, trustBundle: development.bundle,
            operatorCertificate: development.certs + "/clients/operator.pem", operatorKey: development.certs + "/clients/operator.key")
        let issuers = try AuthorityDirectory(path: development.ca).issuingAuthorities(passphrase: try Passphrase.file(development.passphrase))
        let actor = database.actorIdentifier
        let hasher = try PasswordHasher()
        let started = Date()
        let manifest: SeedManifest
        do {
            manifest = try await database.withPool(for: .accountAdmin) { pool in
                try await database.withAuthority(issuers) { authority in
                    let steps = OperatorSteps(
                        accounts: AccountStore(pool: pool, hasher: hasher), authority: authority, directory: development.certs + "/clients/seed",
                        actor: actor)
                    let seeder = DevSeeder(
                        target: target, steps: steps, test: try Self.test(), region: region, scale: scale, seedValue: seedValue,
                        log: { Self.say("seed: \($0)") })
                    return try await seeder.run()
                }
            }
        } catch let error as DevSeedError where error.code == .alreadySeeded {
            Self.say(error.message)
            throw ExitCode(3)
        }
        if let manifestPath {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try ProtectedFile.writeSecret(Array(try encoder.encode(manifest)), to: manifestPath, replacing: true)
        }
        Self.printSummary(manifest, seconds: Date().timeIntervalSince(started))
    }

    /// The development setup's files, or a refusal: the seed runs only on the private local
    /// cluster, with loopback listeners and the development PKI of `bilet certs dev-setup`.
    static func developmentSetup(_ settings: BiletSettings, databaseURL: String?) throws -> (certs: String, bundle: String, ca: String, passphrase: String) {
        func refuse(_ why: String) -> DevSeedError {
            DevSeedError(.notDevelopment, "refused: this is not the development configuration (\(why)); `bilet dev seed` writes synthetic people and runs only there")
        }
        guard databaseURL == nil, settings.database.url == nil else { throw refuse("database.url names a database server") }
        let loopback: Set<String> = ["127.0.0.1", "::1", "localhost", "[::1]"]
        guard !settings.gateway.listeners.isEmpty, settings.gateway.listeners.allSatisfy({ loopback.contains($0.host) }) else {
            throw refuse("a gateway listener is not on loopback")
        }
        guard let bundle = settings.gateway.clientCABundle, let ca = settings.ca.directory, let passphrase = settings.ca.issuingPassphraseFile
        else { throw refuse("no gateway.client_ca_bundle, ca.directory or ca.issuing_passphrase_file") }
        let certs = ((bundle as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        guard FileManager.default.fileExists(atPath: ca + "/root.passphrase"), FileManager.default.fileExists(atPath: certs + "/clients/operator.pem")
        else { throw refuse("not the PKI of `bilet certs dev-setup`") }
        return (certs, bundle, ca, passphrase)
    }

    /// The example test of docs/ASSESSMENT.md and the answers the seeded pupils pick from.
    static func test() throws -> SeedTest {
        let definition = String(decoding: try JSONEncoder().encode(ExampleTest.definition()), as: UTF8.self)
        return SeedTest(
            code: "career-interests-7", version: 1, definitionJSON: definition,
            answers: [
                ("q1", [#"{"choice":"a"}"#, #"{"choice":"b"}"#, #"{"choice":"c"}"#]),
                ("q2", [#"{"choices":["a"]}"#, #"{"choices":["b","c"]}"#, #"{"choices":["a","c"]}"#]),
                ("q3", (1...5).map { #"{"value":\#($0)}"# }),
                ("q4", (1...5).map { #"{"value":\#($0)}"# }),
                ("q5", [#"{"order":["x","y","z"]}"#, #"{"order":["y","z","x"]}"#, #"{"order":["z","x","y"]}"#]),
                ("q6", [#"{"choice":"a"}"#, #"{"choice":"b"}"#]),
            ])
    }

    /// Writes `line` to standard output at once (not buffered: progress reaches a log file as it happens).
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func printSummary(_ manifest: SeedManifest, seconds: Double) {
        let counts = manifest.counts
        var lines = ["""
            seeded the synthetic region \(manifest.region) (seed value \(manifest.seedValue)) in \(Int(seconds)) s:
              \(counts.schools) schools, \(counts.venues) venues with \(counts.places) places, \(counts.staff) staff accounts
              \(counts.pupils) pupils (\(counts.pupilsWithoutFullConsent) with a consent for enrolment only), \(counts.navigatorAssignments) navigator assignments
              \(counts.events) events approved, \(counts.enrolmentsSeated) enrolments seated, \(counts.enrolmentsWaiting) waiting, \(counts.attendanceMarked) attendance marks
              \(counts.testsPublished > 0 ? "1 test published" : "the test was published already"), \(counts.assignments) assignments, \(counts.pupilsActivated) pupils activated, \(counts.testsSubmitted) tests submitted
              \(counts.recommendationsGenerated) recommendations generated, \(counts.recommendationsPublished) published, \(counts.opportunities) opportunity
            staff sign-ins (development only; password '\(manifest.staffPassword)', at the workstation certificate shown):
            """]
        for staff in manifest.staff.prefix(12) {
            lines.append("  \(staff.login) (\(staff.role), \(staff.organisation)): \(staff.certificate)")
        }
        if manifest.staff.count > 12 {
            lines.append("  … and \(manifest.staff.count - 12) more, one school, navigator, venue and mentor per organisation (seed.<role>.<id>)")
        }
        if let pupil = manifest.pupilLogins.first {
            lines.append("pupils' sign-ins (pupils' listener; password '\(manifest.pupilPassword)'): \(pupil.login) … (\(manifest.pupilLogins.count) in all)")
        }
        say(lines.joined(separator: "\n"))
    }
}

/// The operator's steps, in process, with the code `bilet accounts add` and `bilet certs
/// request` + `bilet certs sign` run.
struct OperatorSteps: SeedOperatorSteps {
    let accounts: AccountStore
    let authority: CertificateAuthority
    let directory: String
    let actor: String

    func addAccount(login: String, role: String, organisation: String, region: String?, password: String) async throws -> Bool {
        do {
            _ = try await accounts.add(login: login, role: role, organisation: organisation, region: region, password: password, actor: actor)
            return true
        } catch where error.code == .loginTaken {
            return false
        } catch {
            throw DevSeedError(.operatorStep, "bilet accounts add \(login): \(error.code.rawValue)")
        }
    }

    func workstation(organisation: String) async throws -> (certificate: String, key: String) {
        let name = organisation.replacingOccurrences(of: "/", with: "-")
        let certificate = "\(directory)/\(name).pem"
        let key = "\(directory)/\(name).key"
        try ProtectedFile.makeDirectory(directory, mode: 0o700)
        let principal = try IdentityURI.parse("bilet://\(organisation)/ws/1")
        let request = try CertificateRequester.request(identity: principal, keyType: .ecdsaP256, keyPath: key, replacingKey: true)
        let issued = try await authority.sign(request.request, for: principal, actor: actor)
        try ProtectedFile.writePublic(issued.chainPEM, to: certificate)
        return (certificate, key)
    }
}
