import Accounts
import Assessment
import AccountsHTTP
import CertificateAuthority
import Foundation
import AuditHTTP
import Gateway
import Incidents
import IncidentsHTTP
import Logging
import Organisations
import OrganisationsHTTP
import Policy
import PostgreSQL
import Recommendations
import Storage
import Trials
import TrialsHTTP

/// Staff sessions in `bilet serve`: the login (password plus a workstation certificate of the
/// account's organisation), the session store every gateway shares through PostgreSQL, the audit
/// API that needs a session, and the observer that ends sessions bound to a revoked certificate.
///
/// Typed logins reach the audit log only as keyed hashes under the vault's audit-hash key, computed by
/// the vault process (its door): while the vault is sealed or unreachable no login can be audited and
/// every login is refused with 503.
struct StaffServices {
    let routes: PlatformRoutes.Staff
    let revocationObserver: SessionRevocationObserver
    /// Aggregates repeated authentication failures (bad logins, bad bearer tokens, refused client
    /// certificates) into one audit record per principal and minute beyond a threshold.
    let failures: AuthFailureAggregator
    /// The pools the caller shuts down after the services stopped.
    let pools: [PostgresConnectionPool]

    /// - Parameter attemptedAccountHash: the vault's door: the audit keyed hash of a typed login (`nil`
    ///   while sealed or unreachable).
    static func make(
        attemptedAccountHash: @escaping @Sendable (String) async -> String?, policies: PolicyStore, database: ComponentDatabase,
        logger: Logger
    ) throws -> StaffServices {
        let accounts = database.makePool(for: .accounts, logger: logger)
        let auditReader = database.makePool(for: .auditor, logger: logger)
        let auditRecorder = database.makePool(for: .gateway, logger: logger)
        let organisations = database.makePool(for: .organisations, logger: logger)
        let trials = database.makePool(for: .trials, logger: logger)
        let assessment = database.makePool(for: .assessment, logger: logger)
        let recommendations = database.makePool(for: .recommendations, logger: logger)
        let failures = AuthFailureAggregator(pool: accounts)
        let sessions = StaffSessions(pool: accounts, failures: failures)
        // One hasher, so staff logins, activations and pupils' sign-ins share one Argon2id gate.
        let hasher = try PasswordHasher()
        let login = StaffLogin(pool: accounts, hasher: hasher, attemptedAccountHash: attemptedAccountHash, failures: failures)
        let registry = OrganisationRegistry(pool: organisations)
        let pupils = PupilAccounts(pool: accounts, hasher: hasher, attemptedAccountHash: attemptedAccountHash, failures: failures)
        let administration = StaffAdministration(pool: accounts, hasher: hasher)
        let audit = AuditRoutes.Dependencies(
            sessions: sessions, policies: policies, reader: auditReader, recorder: auditRecorder,
            hostname: ProcessInfo.processInfo.hostName)
        return StaffServices(
            routes: PlatformRoutes.Staff(
                login: login, sessions: sessions, audit: audit,
                organisations: OrganisationRoutes.Dependencies(sessions: sessions, policies: policies, registry: registry),
                incidents: IncidentRoutes.Dependencies(sessions: sessions, policies: policies, register: IncidentRegister(pool: auditRecorder)),
                administration: StaffRoutes.Dependencies(
                    sessions: sessions, policies: policies, administration: administration, registry: registry),
                pupils: pupils,
                trials: TrialsDesk(store: TrialsStore(pool: trials), policies: policies, recorder: auditRecorder),
                isMentor: { account, venue in try await administration.isLiveMentor(account, ofVenue: venue) },
                assessment: AssessmentStore(pool: assessment), recommendations: RecommendationsStore(pool: recommendations)),
            revocationObserver: SessionRevocationObserver(sessions: sessions, logger: logger), failures: failures,
            pools: [accounts, auditReader, auditRecorder, organisations, trials, assessment, recommendations])
    }
}
