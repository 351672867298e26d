import Accounts
import AccountsHTTP
import Argon2
import Audit
import DatabaseTestSupport
import Foundation
import AuditHTTP
import Gateway
import GnuTLS
import Hummingbird
import Incidents
import IncidentsHTTP
import Logging
import Policy
import PostgreSQL
import ServiceLifecycle
import Storage
import Synchronization
import TLS
import TLSTestSupport

/// One PKI for the whole test process, with two extra workstation certificates of school 77-1234
/// (ws/21 and ws/22) and one of school 77-9999; deleted at exit.
enum StaffPKI {
    static let ready = Task { () throws -> TestPKI in
        let pki = try await TestPKI()
        for (name, uri) in [("school-ws21", "bilet://school/77-1234/ws/21"), ("school-ws22", "bilet://school/77-1234/ws/22"),
                            ("other-school", "bilet://school/77-9999/ws/1")] {
            try await pki.issue(name, by: "ca", template: TestPKI.clientTemplate(cn: name, uris: [uri]))
        }
        let path = pki.directory.path
        Cleanup.paths.withLock { $0.append(path) }
        atexit { Cleanup.paths.withLock { for path in $0 { try? FileManager.default.removeItem(atPath: path) } } }
        return pki
    }

    enum Cleanup {
        static let paths = Mutex<[String]>([])
    }
}

/// A gateway on 127.0.0.1 with the staff routes (sessions, the audit API, the incident register), on
/// a throwaway migrated database, with the repository's policies; curl is the client.
final class StaffHarness: Sendable {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let fastArgon2 = try! Argon2id.Parameters(iterations: 1, memoryKiB: 1024, parallelism: 1)
    static let password = "correct horse battery staple"

    let pki: TestPKI
    let database: TestDatabase
    /// The gateway's `bilet_accounts`: logins and sessions.
    let accountsPool: PostgresConnectionPool
    /// The administrator's `bilet_account_admin`, behind ``store``: creates and disables accounts.
    let adminPool: PostgresConnectionPool
    let auditPool: PostgresConnectionPool
    let gatewayPool: PostgresConnectionPool
    let owner: PostgresConnectionPool
    let store: AccountStore
    let sessions: StaffSessions
    let signer: NoteSigner
    private let served: ServedGateway

    private init(
        pki: TestPKI, database: TestDatabase, accountsPool: PostgresConnectionPool, adminPool: PostgresConnectionPool,
        auditPool: PostgresConnectionPool,
        gatewayPool: PostgresConnectionPool, owner: PostgresConnectionPool, store: AccountStore, sessions: StaffSessions,
        signer: NoteSigner, served: ServedGateway
    ) {
        self.pki = pki
        self.database = database
        self.accountsPool = accountsPool
        self.adminPool = adminPool
        self.auditPool = auditPool
        self.gatewayPool = gatewayPool
        self.owner = owner
        self.store = store
        self.sessions = sessions
        self.signer = signer
        self.served = served
    }

    static func start(limits: SessionLimits = SessionLimits()) async throws -> StaffHarness {
        try GnuTLSLibrary.ensureInitialized()
        let pki = try await StaffPKI.ready.value
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let components = database.components(maxConnectionsPerComponent: 4)
        let accountsPool = components.makePool(for: .accounts)
        let adminPool = components.makePool(for: .accountAdmin)
        let auditPool = components.makePool(for: .audit)
        let gatewayPool = components.makePool(for: .gateway)
        let owner = PostgresConnectionPool(configuration: database.configuration, maxConnections: 2)
        let hasher = try PasswordHasher(parameters: fastArgon2)
        let hashKey = try AuditHashKey(sourceKey: SymmetricKey(bytes: try SecureRandom.bytes(count: 32)), version: 1)
        let sessions = StaffSessions(pool: accountsPool)
        let login = StaffLogin(pool: accountsPool, hasher: hasher, hashKey: hashKey, limits: limits)
        let policies = try PolicyStore(directory: repository.appendingPathComponent("policies").path, hasher: SHA256VersionHasher())

        let router = Gateway.makeRouter()
        SessionRoutes.add(to: router, login: login, sessions: sessions)
        AuditRoutes.add(
            to: router,
            AuditRoutes.Dependencies(sessions: sessions, policies: policies, reader: auditPool, recorder: gatewayPool, hostname: "gw-test"))
        IncidentRoutes.add(to: router, .init(sessions: sessions, policies: policies, register: IncidentRegister(pool: gatewayPool)))

        // optional client certificates: workstations present one; a client without one stands for the pupils' listener
        let served = try await ServedGateway.start(router, pki: pki, label: "staff")
        let signer = try NoteSigner(name: "bilet.test/audit", privateKey: try PrivateKey.generate(algorithm: .ed25519))
        return StaffHarness(
            pki: pki, database: database, accountsPool: accountsPool, adminPool: adminPool, auditPool: auditPool,
            gatewayPool: gatewayPool, owner: owner, store: AccountStore(pool: adminPool, hasher: hasher), sessions: sessions, signer: signer,
            served: served)
    }

    func stop() async {
        await served.stop()
        await accountsPool.shutdown()
        await adminPool.shutdown()
        await auditPool.shutdown()
        await gatewayPool.shutdown()
        await owner.shutdown()
    }

    /// Creates an account with ``password`` whose holder has recorded the staff consent (so the
    /// session middleware's consent gate lets it through; AdministrationHarness tests the gate).
    @discardableResult
    func addAccount(
        _ login: String, role: String = "school", organisation: String = "bilet://school/77-1234", region: String? = "77"
    ) async throws -> Account {
        let account = try await store.add(
            login: login, role: role, organisation: organisation, region: region, password: Self.password, actor: "test:harness")
        _ = try await owner.execute(
            "INSERT INTO accounts.staff_consents (account_id, version) VALUES (\(account.id), \(StaffConsent.currentVersion))")
        return account
    }

    /// curl with the workstation certificate `certificate` (a PKI file name without `.pem`).
    func curl(
        _ method: String, _ path: String, certificate: String? = "school", token: String? = nil, json: String? = nil,
        contentType: String = "application/json"
    ) async throws -> (status: Int, body: String) {
        try await served.curl(method, path, certificate: certificate, token: token, json: json, contentType: contentType)
    }

    /// Signs in over curl; returns the token.
    func login(_ login: String, password: String = StaffHarness.password, certificate: String = "school") async throws -> (status: Int, body: String, token: String?) {
        let body = #"{"login":"\#(login)","password":"\#(password)"}"#
        let answer = try await curl("POST", "/v1/sessions", certificate: certificate, json: body)
        let token = (try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])?["token"] as? String
        return (answer.status, answer.body, token)
    }

    /// Audit events of `type`, payload as text, oldest first (read as the database owner).
    func auditEvents(_ type: String) async throws -> [(actor: String?, payload: String)] {
        try await owner.query(
            "SELECT actor, CAST(payload AS text) FROM audit.events WHERE kind = \(type) ORDER BY id"
        ).map { (try $0.decode(String?.self, at: 0), try $0.decode(String.self, at: 1)) }
    }

    /// The serial (hex) of a PKI certificate.
    func serial(_ certificate: String) throws -> String {
        let pem = try Data(contentsOf: URL(fileURLWithPath: pki.path("\(certificate).pem")))
        return SerialNumber.hex(try X509Certificate.list(pem: Array(pem))[0].serialNumber)
    }

    func revocationKey(_ certificate: String) throws -> RevocationKey {
        let pem = try Data(contentsOf: URL(fileURLWithPath: pki.path("\(certificate).pem")))
        return RevocationKey(try X509Certificate.list(pem: Array(pem))[0])
    }
}

