import Foundation
import Policy
import PostgreSQL
import Synchronization
import Testing
import Tokens
@testable import Vault

/// A clock tests can move.
final class MovableClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date()) {
        current = Mutex(start)
    }

    var now: Date { current.withLock { $0 } }

    func advance(days: Double) {
        current.withLock { $0 = $0.addingTimeInterval(days * 86_400) }
    }

    var vaultClock: VaultClock { VaultClock { self.now } }
}

/// Principals as the identity layer would build them.
enum Principals {
    static func school(_ code: String = Synthetic.school) -> Requester {
        Requester(
            principal: Principal(
                role: "school", user: EntityRef("user", "usr_school_\(code)"), organisation: EntityRef("school", code),
                region: EntityRef("region", Synthetic.region)),
            actor: "bilet://school/\(code)/ws/1")
    }

    static func navigator(_ user: String, school: String = Synthetic.school) -> Requester {
        Requester(
            principal: Principal(
                role: "navigator", user: EntityRef("user", user), organisation: EntityRef("school", school),
                region: EntityRef("region", Synthetic.region)),
            actor: "user:\(user)")
    }

    static func mentor(_ user: String) -> Requester {
        Requester(
            principal: Principal(
                role: "mentor", user: EntityRef("user", user), organisation: EntityRef("venue", "77-0042"),
                region: EntityRef("region", Synthetic.region)),
            actor: "user:\(user)")
    }

    static func service(_ module: Module) -> Requester {
        Requester(principal: Principal(role: "service", service: module.rawValue), actor: "service:\(module.rawValue)")
    }

    static func pupil(_ token: SubjectToken, user: String) -> Requester {
        Requester(
            principal: Principal(
                role: "pupil", user: EntityRef("user", user), organisation: EntityRef("school", Synthetic.school),
                region: EntityRef("region", Synthetic.region), pupil: EntityRef("pupil", token.rawValue)),
            actor: "user:\(user)")
    }

    static func staffMember(_ user: String) -> Requester {
        Requester(
            principal: Principal(
                role: "navigator", user: EntityRef("user", user), organisation: EntityRef("school", Synthetic.school),
                region: EntityRef("region", Synthetic.region)),
            actor: "user:\(user)")
    }

    static func operatorAdmin() -> Requester {
        Requester(principal: Principal(role: "operator", user: EntityRef("user", "usr_operator")), actor: "user:usr_operator")
    }
}

/// One audit record as a compliance officer would read it.
struct AuditRow: Sendable, Equatable {
    let kind: String
    let actor: String?
    let subject: String?
    let decision: String?
    let purpose: String?
    let payload: String
}

struct Family: Sendable {
    let pupil: RegisteredSubject
    let guardian: SubjectToken
}

extension VaultFixture {
    /// The audit records, oldest first (as the superuser).
    func auditRows(subject: String? = nil, kind: String? = nil) async throws -> [AuditRow] {
        try await asSuperuser { pool in
            try await pool.query(
                """
                SELECT kind, actor, subject, decision, purpose, coalesce(payload::text, '') FROM audit.events
                WHERE (\(subject)::text IS NULL OR subject = \(subject)) AND (\(kind)::text IS NULL OR kind = \(kind))
                ORDER BY id
                """
            ).map {
                AuditRow(
                    kind: try $0.decode(String.self, at: 0), actor: try $0.decode(String?.self, at: 1),
                    subject: try $0.decode(String?.self, at: 2), decision: try $0.decode(String?.self, at: 3),
                    purpose: try $0.decode(String?.self, at: 4), payload: try $0.decode(String.self, at: 5))
            }
        }
    }

    /// Registers a pupil (school, purpose enrolment) and a parent (consent_management), and records
    /// the parent's paper consents for `purposes` (all non-health pupil fields), plus an explicit
    /// health consent for each of `healthPurposes`.
    func family(
        _ seed: Int, age: Int = 12, school: String = Synthetic.school, purposes: [String] = ["enrolment"],
        healthPurposes: [String] = [], now: Date = Date()
    ) async throws -> Family {
        let requester = Principals.school(school)
        let pupil = try await vault.register(
            .pupil(school: school, region: Synthetic.region, values: Synthetic.pupilValues(seed, birthDate: ConsentFixtures.birthDate(age: age, now: now))),
            by: requester, purpose: "enrolment")
        let guardian = try await vault.register(.guardian(of: pupil.token, values: Synthetic.guardianValues(seed)), by: requester, purpose: "consent_management")
        for purpose in purposes {
            _ = try await vault.recordConsent(
                ConsentFixtures.parental(pupil: pupil.token, guardian: guardian.token, purpose: purpose, pupilAlso: age >= 14, now: now),
                scan: ConsentFixtures.scan(seed), by: requester)
        }
        for purpose in healthPurposes {
            _ = try await vault.recordConsent(
                ConsentFixtures.parental(pupil: pupil.token, guardian: guardian.token, purpose: purpose, health: true, pupilAlso: age >= 14, now: now),
                scan: ConsentFixtures.scan(seed), by: requester)
        }
        return Family(pupil: pupil, guardian: guardian.token)
    }

    /// Adds a relationship fact (as the superuser; the policy component owns them).
    func relate(_ kind: String, _ subjectType: String, _ subjectID: String, _ objectType: String, _ objectID: String) async throws {
        try await asSuperuser { pool in
            try await pool.execute(
                """
                INSERT INTO policy.relationships (kind, subject_type, subject_id, object_type, object_id)
                VALUES (\(kind), \(subjectType), \(subjectID), \(objectType), \(objectID))
                """)
        }
    }
}
