public import Accounts
import Audit
public import Foundation
public import Gateway
import HTTPTypes
public import Hummingbird
public import Policy
public import PostgreSQL

/// The security administrator's certificate routes, behind a staff session (docs/CERTIFICATES.md):
///
/// - `GET /v1/certificates?expiring_within_days=N&state=active|expired|revoked`: the CA's
///   inventory, soonest expiry first (`expiring_within_days` 1–365: only active certificates that
///   expire within as many days).
/// - `POST /v1/certificates/{serial}/revoke` `{"reason": "key_compromise"}`: revokes a leaf
///   certificate (and what was renewed from it), publishes the CRL; `200` with the records.
///
/// Both ask the policy first (`certificate`, actions `read` and `revoke`, purpose
/// `certificate_management`, rule `security.certificates.manage`); a refusal is audited
/// (`policy.decided`, deny) and `403`. The CA process does the rest over its socket (``Desk``):
/// it audits the listing (`certificate.listed`) and the revocation (`certificate.revoked`) with
/// the staff member as actor. The pages call ``list(_:as:_:)`` and ``revoke(serial:reason:as:_:)``,
/// never the CA directly.
public enum CertificateInventoryRoutes {
    /// One certificate of the inventory, as the API answers it (no key, no certificate body).
    public struct Certificate: Codable, Sendable, Hashable {
        public let serial: String
        public let hierarchy: String
        public let profile: String
        public let organisation: String?
        public let identity: String
        public let keyType: String
        public let notBefore: Date
        public let notAfter: Date
        /// `active`, `expired` or `revoked`.
        public let state: String
        public let revokedAt: Date?
        public let revocationReason: String?

        public init(
            serial: String, hierarchy: String, profile: String, organisation: String?, identity: String, keyType: String, notBefore: Date,
            notAfter: Date, state: String, revokedAt: Date?, revocationReason: String?
        ) {
            self.serial = serial
            self.hierarchy = hierarchy
            self.profile = profile
            self.organisation = organisation
            self.identity = identity
            self.keyType = keyType
            self.notBefore = notBefore
            self.notAfter = notAfter
            self.state = state
            self.revokedAt = revokedAt
            self.revocationReason = revocationReason
        }

        enum CodingKeys: String, CodingKey {
            case serial, hierarchy, profile, organisation, identity, state
            case keyType = "key_type"
            case notBefore = "not_before"
            case notAfter = "not_after"
            case revokedAt = "revoked_at"
            case revocationReason = "revocation_reason"
        }
    }

    /// What the inventory is asked for, and by whom.
    public struct Query: Codable, Sendable, Hashable {
        /// Only active certificates expiring within this many days (1–365).
        public var expiringWithinDays: Int?
        /// Only certificates in this state (`active`, `expired`, `revoked`).
        public var state: String?
        /// The staff member asking (`user:usr_…`), for the CA's audit record.
        public var actor: String
        /// Only the certificate with this serial (hex), whatever its place in the inventory's order:
        /// the revocation form's lookup.
        public var serial: String?

        public init(expiringWithinDays: Int? = nil, state: String? = nil, actor: String, serial: String? = nil) {
            self.expiringWithinDays = expiringWithinDays
            self.state = state
            self.actor = actor
            self.serial = serial
        }
    }

    /// A revocation's outcome: the certificate and those renewed from it, revoked with it.
    public struct Revocation: Codable, Sendable, Hashable {
        public let certificate: Certificate
        public let successors: [Certificate]

        public init(certificate: Certificate, successors: [Certificate]) {
            self.certificate = certificate
            self.successors = successors
        }
    }

    /// The CA's side, over its socket (the `bilet serve` wiring, or a test).
    public struct Desk: Sendable {
        public let list: @Sendable (Query) async throws(Problem) -> [Certificate]
        /// Revokes `serial` for `reason` (RFC 5280 name) on behalf of `actor`.
        public let revoke: @Sendable (_ serial: String, _ reason: String, _ actor: String) async throws(Problem) -> Revocation

        public init(
            list: @escaping @Sendable (Query) async throws(Problem) -> [Certificate],
            revoke: @escaping @Sendable (_ serial: String, _ reason: String, _ actor: String) async throws(Problem) -> Revocation
        ) {
            self.list = list
            self.revoke = revoke
        }
    }

    /// What the routes need.
    public struct Dependencies: Sendable {
        public let sessions: StaffSessions
        public let policies: PolicyStore
        /// A pool as `bilet_gateway`, for the policy's denial records.
        public let recorder: PostgresConnectionPool
        public let desk: Desk

        public init(sessions: StaffSessions, policies: PolicyStore, recorder: PostgresConnectionPool, desk: Desk) {
            self.sessions = sessions
            self.policies = policies
            self.recorder = recorder
            self.desk = desk
        }
    }

    /// The purpose of every request here.
    static let purpose = "certificate_management"
    /// The reasons a security administrator may give (RFC 5280 names; `certificate_hold`, the CA
    /// and attribute-authority compromises and `remove_from_crl` are not for leaf revocations here).
    public static let reasons = [
        "key_compromise", "affiliation_changed", "superseded", "cessation_of_operation", "privilege_withdrawn", "unspecified",
    ]
    /// The widest expiry window asked, in days.
    public static let maximumDays = 365
    /// The states a listing may select.
    public static let states = ["active", "expired", "revoked"]

    /// The inventory `query` selects, once the policy permits `staff` to `read` certificates.
    public static func list(_ query: Query, as staff: StaffSession, _ dependencies: Dependencies) async throws -> [Certificate] {
        try await authorise(staff, "read", serial: nil, dependencies)
        var asked = query
        asked.actor = staff.actor
        return try await dependencies.desk.list(asked)
    }

    /// Revokes `serial` for `reason` once the policy permits `staff` to `revoke` it.
    ///
    /// - Throws: `422 invalid-reason` for a reason not in ``reasons``; the CA's refusals
    ///   (`404 certificate-unknown`, `409 already-revoked`, …); `403` from the policy.
    public static func revoke(serial: String, reason: String, as staff: StaffSession, _ dependencies: Dependencies) async throws -> Revocation {
        try await authorise(staff, "revoke", serial: serial, dependencies)
        guard reasons.contains(reason) else {
            throw Problem(.unprocessableContent, code: "invalid-reason", title: "The reason is not one of the revocation reasons accepted.")
        }
        return try await dependencies.desk.revoke(serial, reason, staff.actor)
    }

    /// Adds the routes to `router`.
    public static func add(to router: Router<BiletRequestContext>, _ dependencies: Dependencies) {
        let group = router.group("/v1/certificates").add(middleware: StaffSessionMiddleware(sessions: dependencies.sessions))
        group.get { request, context -> Response in
            let staff = try context.requireStaff()
            let parameters = request.uri.queryParameters
            var query = Query(actor: staff.actor)
            if let days = parameters["expiring_within_days"].map(String.init) {
                guard let number = Int(days), (1...maximumDays).contains(number) else {
                    throw Problem(.badRequest, code: "invalid-query", title: "expiring_within_days is a number from 1 to 365.")
                }
                query.expiringWithinDays = number
            }
            if let state = parameters["state"].map(String.init) {
                guard states.contains(state) else { throw Problem(.badRequest, code: "invalid-query", title: "state is active, expired or revoked.") }
                query.state = state
            }
            return JSONBody.response(.ok, ["certificates": try await list(query, as: staff, dependencies)])
        }
        group.post(":serial/revoke") { request, context -> Response in
            let staff = try context.requireStaff()
            let serial = try context.parameters.require("serial")
            struct Body: Decodable { let reason: String }
            try JSONBody.requireMediaType(request, "application/json")
            let body = try await JSONBody.decode(Body.self, from: request, limit: 4096)
            return JSONBody.response(.ok, try await revoke(serial: serial, reason: body.reason, as: staff, dependencies))
        }
    }

    /// The policy's permit for `staff` on certificates; a denial is audited and thrown as `403`.
    static func authorise(_ staff: StaffSession, _ action: String, serial: String?, _ dependencies: Dependencies) async throws {
        guard
            try await staff.permit(
                action, on: Resource(type: "certificate", id: serial ?? "inventory", attributes: [:]), purpose: purpose,
                policies: dependencies.policies,
                recordDenial: { denial in
                    do {
                        try await AuditLog().append(denial, using: dependencies.recorder)
                    } catch {
                        throw Problem.auditUnavailable
                    }
                }) != nil
        else { throw Problem.forbidden }
    }
}
