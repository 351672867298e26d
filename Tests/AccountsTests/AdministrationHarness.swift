import Accounts
import AccountsHTTP
import Argon2
import Audit
import DatabaseTestSupport
import Foundation
import Gateway
import GnuTLS
import Hummingbird
import Identity
import Logging
import Organisations
import OrganisationsHTTP
import Policy
import PostgreSQL
import ServiceLifecycle
import Storage
import Synchronization
import TLS
import TLSTestSupport

/// Workstation certificates of the operator, of the coordinators of regions 77 and 50 and of a
/// school of region 50, issued into the staff tests' PKI.
enum AdministrationPKI {
    static let ready = Task { () throws -> TestPKI in
        let pki = try await StaffPKI.ready.value
        for (name, uri) in [("operator-ws", "bilet://operator/op-1/ws/1"), ("region77-ws", "bilet://region/77/ws/1"),
                            ("region50-ws", "bilet://region/50/ws/1"), ("school50-ws", "bilet://school/50-0001/ws/1")] {
            try await pki.issue(name, by: "ca", template: TestPKI.clientTemplate(cn: name, uris: [uri]))
        }
        return pki
    }
}

/// A gateway on 127.0.0.1 with the staff login, the organisation registry, staff administration
/// and the pupils' account routes, on a throwaway migrated database with the repository's
/// policies; curl is the client. A client without a certificate stands for the pupils' listener.
final class AdministrationHarness: Sendable {
    static let password = "correct horse battery staple"
    /// Synthetic, check digits valid.
    static let inn = ["7700000016", "5000000024", "7700000030"]
    static let ogrn = ["1027700000008", "1055000000000", "1027700000019"]

    let pki: TestPKI
    let database: TestDatabase
    let accountsPool: PostgresConnectionPool
    let adminPool: PostgresConnectionPool
    let organisationsPool: PostgresConnectionPool
    let owner: PostgresConnectionPool
    let store: AccountStore
    let administration: StaffAdministration
    let pupils: PupilAccounts
    let throttle: PupilThrottle
    private let served: ServedGateway

    private init(
        pki: TestPKI, database: TestDatabase, accountsPool: PostgresConnectionPool, adminPool: PostgresConnectionPool,
        organisationsPool: PostgresConnectionPool, owner: PostgresConnectionPool, store: AccountStore,
        administration: StaffAdministration, pupils: PupilAccounts, throttle: PupilThrottle, served: ServedGateway
    ) {
        self.pki = pki
        self.database = database
        self.accountsPool = accountsPool
        self.adminPool = adminPool
        self.organisationsPool = organisationsPool
        self.owner = owner
        self.store = store
        self.administration = administration
        self.pupils = pupils
        self.throttle = throttle
        self.served = served
    }

    static func start(
        activationLifetime: Duration = .seconds(3600), throttle: PupilThrottle = PupilThrottle(baseDelay: .milliseconds(300))
    ) async throws -> AdministrationHarness {
        try GnuTLSLibrary.ensureInitialized()
        let pki = try await AdministrationPKI.ready.value
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let components = database.components(maxConnectionsPerComponent: 4)
        let accountsPool = components.makePool(for: .accounts)
        let adminPool = components.makePool(for: .accountAdmin)
        let organisationsPool = components.makePool(for: .organisations)
        let owner = PostgresConnectionPool(configuration: database.configuration, maxConnections: 2)
        let hasher = try PasswordHasher(parameters: StaffHarness.fastArgon2)
        let hashKey = try AuditHashKey(sourceKey: SymmetricKey(bytes: try SecureRandom.bytes(count: 32)), version: 1)
        let sessions = StaffSessions(pool: accountsPool)
        let login = StaffLogin(pool: accountsPool, hasher: hasher, hashKey: hashKey)
        let policies = try PolicyStore(
            directory: StaffHarness.repository.appendingPathComponent("policies").path, hasher: SHA256VersionHasher())
        let registry = OrganisationRegistry(pool: organisationsPool)
        let administration = StaffAdministration(pool: accountsPool, hasher: hasher, activationLifetime: activationLifetime)
        let pupils = PupilAccounts(
            pool: accountsPool, hasher: hasher,
            attemptedAccountHash: { login in try? hashKey.hash(login, field: StaffLogin.attemptedAccountField).description },
            throttle: throttle, activationLifetime: activationLifetime)

        let router = Gateway.makeRouter()
        SessionRoutes.add(to: router, login: login, sessions: sessions)
        OrganisationRoutes.add(to: router, .init(sessions: sessions, policies: policies, registry: registry))
        StaffRoutes.add(to: router, .init(sessions: sessions, policies: policies, administration: administration, registry: registry))
        PupilSessionRoutes.add(to: router, accounts: pupils)

        let served = try await ServedGateway.start(router, pki: pki, label: "admin")
        return AdministrationHarness(
            pki: pki, database: database, accountsPool: accountsPool, adminPool: adminPool, organisationsPool: organisationsPool,
            owner: owner, store: AccountStore(pool: adminPool, hasher: hasher), administration: administration, pupils: pupils,
            throttle: throttle, served: served)
    }

    func stop() async {
        await served.stop()
        await accountsPool.shutdown()
        await adminPool.shutdown()
        await organisationsPool.shutdown()
        await owner.shutdown()
    }

    /// curl with the workstation certificate `certificate` (a PKI file name without `.pem`; nil: none).
    func curl(
        _ method: String, _ path: String, certificate: String? = "school", token: String? = nil, json: String? = nil,
        contentType: String = "application/json"
    ) async throws -> (status: Int, body: String) {
        try await served.curl(method, path, certificate: certificate, token: token, json: json, contentType: contentType)
    }

    /// The JSON object of `body`.
    static func object(_ body: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:]
    }

    /// Signs in on `certificate`; with `consent`, records the staff consent too. Returns the token.
    func signIn(_ login: String, certificate: String, password: String = AdministrationHarness.password, consent: Bool = true) async throws -> String {
        let answer = try await curl(
            "POST", "/v1/sessions", certificate: certificate, json: #"{"login":"\#(login)","password":"\#(password)"}"#)
        guard answer.status == 201, let token = Self.object(answer.body)["token"] as? String else {
            throw HarnessError("sign-in of \(login) answered \(answer.status)")
        }
        if consent {
            let recorded = try await curl(
                "POST", "/v1/staff/me/consent", certificate: certificate, token: token, json: #"{"version":"\#(StaffConsent.currentVersion)"}"#)
            guard recorded.status == 204 else { throw HarnessError("consent answered \(recorded.status)") }
        }
        return token
    }

    /// The operator's bootstrap account (`bilet accounts add`), signed in with consent.
    func operatorToken() async throws -> String {
        _ = try await store.add(
            login: "operator.one", role: "operator", organisation: "bilet://operator/op-1", region: nil, password: Self.password,
            actor: "test:harness")
        return try await signIn("operator.one", certificate: "operator-ws")
    }

    /// Creates an account over HTTP with `token`, activates it on `certificate` and signs it in.
    func makeStaff(
        _ login: String, role: String, organisation: String?, by token: String, adminCertificate: String, certificate: String,
        consent: Bool = true
    ) async throws -> String {
        let organisationField = organisation.map { #","organisation":"\#($0)""# } ?? ""
        let created = try await curl(
            "POST", "/v1/staff", certificate: adminCertificate, token: token,
            json: #"{"login":"\#(login)","role":"\#(role)"\#(organisationField)}"#)
        guard created.status == 201, let code = Self.object(created.body)["activation_code"] as? String else {
            throw HarnessError("creating \(login) answered \(created.status) \(created.body)")
        }
        let activated = try await curl(
            "POST", "/v1/staff/activate", certificate: certificate,
            json: #"{"login":"\#(login)","activation_code":"\#(code)","password":"\#(Self.password)"}"#)
        guard activated.status == 204 else { throw HarnessError("activating \(login) answered \(activated.status)") }
        return try await signIn(login, certificate: certificate, consent: consent)
    }

    /// Registers an organisation with `token` on `certificate`; returns the answer.
    func register(
        kind: String, id: String, region: String, token: String, certificate: String, inn: String = AdministrationHarness.inn[0],
        ogrn: String = AdministrationHarness.ogrn[0]
    ) async throws -> (status: Int, body: String) {
        try await curl(
            "POST", "/v1/organisations", certificate: certificate, token: token,
            json: """
                {"kind":"\(kind)","id":"\(id)","region":"\(region)","name":"Тестовая организация \(id)","address":"г. Тестов, ул. Примерная, 1",\
                "inn":"\(inn)","ogrn":"\(ogrn)","agreement":{"number":"ДОП-\(id)","signed_on":"2026-09-01","signatory":"Тестова Анна"}}
                """)
    }

    /// Inserts an organisation directly (as the owner), for tests that need one in place.
    func insertOrganisation(kind: String, id: String, region: String) async throws {
        _ = try await owner.execute(
            """
            INSERT INTO organisations.organisations (kind, id, region, name, address, inn, ogrn, agreement_number, agreement_signed_on,
                agreement_signatory, registered_by)
            VALUES (\(kind), \(id), \(region), 'Тестовая организация', 'г. Тестов', \(Self.inn[0]), \(Self.ogrn[0]), 'ДОП-1',
                    DATE '2026-09-01', 'Тестова Анна', 'test:harness')
            """)
    }

    /// Audit events of `type`: actor and payload text, oldest first (read as the owner).
    func auditEvents(_ type: String) async throws -> [(actor: String?, decision: String?, payload: String)] {
        try await owner.query(
            "SELECT actor, decision, CAST(payload AS text) FROM audit.events WHERE kind = \(type) ORDER BY id"
        ).map { (try $0.decode(String?.self, at: 0), try $0.decode(String?.self, at: 1), try $0.decode(String.self, at: 2)) }
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
