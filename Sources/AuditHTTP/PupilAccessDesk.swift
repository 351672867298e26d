public import Accounts
public import Audit
public import Foundation
import Gateway
import Identity
import Policy

/// "Who has accessed my data" (152-FZ art. 14) for a signed-in pupil: every access to the pupil's
/// personal data the audit log holds (reads, writes and token resolutions through the vault's
/// door, permitted or refused), each with who made it as an organisation and a role, never a
/// person; and an offline-checkable inclusion proof of one of them against the newest signed
/// checkpoint (the ``ProofBundle`` of `GET /v1/audit/proofs/inclusion`, which
/// `bilet audit verify-proof` checks).
///
/// The JSON route (`GET /v1/pupil/me/accesses…`, ``PupilAccessRoutes``) and the pupil's page call
/// this one desk. Each call asks the policy first: principal the pupil, action `read` (the list)
/// or `verify` (a proof), resource the `audit_log` with `subject` the session's own vault token,
/// purpose `parent_request` (rule `pupil.audit.own-accesses`); a denial is audited
/// (`policy.decided`) and answered `403 forbidden`. A permitted read goes through the same
/// ``AuditQueryService`` as the compliance officers' routes, which records it (`audit.read` with
/// the pupil as actor and subject) before anything is returned. Nothing in a request can name
/// another pupil: the subject is always the session's, and a proof of a leaf about anyone else is
/// the same `404` as a leaf no checkpoint covers yet.
public struct PupilAccessDesk: Sendable {
    /// The purpose of a pupil's reads of the log about themselves.
    public static let purpose = "parent_request"
    /// The audit event types that are accesses to a pupil's personal data.
    public static let accessTypes: Set<String> = ["pii.read", "pii.written", "token.resolved"]

    /// Who made an access, as the pupil is shown it: never a person's name, login or account id.
    public enum Accessor: Sendable, Hashable {
        /// The pupil, through their own account.
        case pupil
        /// A staff member: the account's role (`StaffRole` raw value) and organisation URI.
        case staff(role: String, organisation: String)
        /// A backend module of the platform (`assessment`, `trials`, `recommendations`).
        case module(String)
        /// The platform itself (the vault's jobs, a workstation, an account no longer on record).
        case platform
    }

    /// One access to the pupil's data.
    public struct Access: Sendable, Hashable {
        /// The leaf index in the log; nil while the sequencer has not integrated it (no proof yet).
        public let leafIndex: UInt64?
        public let recordedAt: Date
        /// `pii.read`, `pii.written` or `token.resolved`.
        public let type: String
        /// `permit`, `deny` or `error`.
        public let decision: String?
        public let purpose: String?
        public let accessor: Accessor
        /// The field names read, written or released (names only, never values).
        public let fields: [String]
        /// The consent the access relied on (`con_…`), if the record names one.
        public let consent: String?
    }

    private let audit: AuditRoutes.Dependencies
    private let administration: StaffAdministration

    /// A desk reading the log with `audit`'s pools and policy, naming staff accessors' roles and
    /// organisations from `administration`.
    public init(audit: AuditRoutes.Dependencies, administration: StaffAdministration) {
        self.audit = audit
        self.administration = administration
    }

    /// Every access to `session`'s pupil's data, newest first.
    ///
    /// - Throws: ``Problem`` `403 forbidden` (audited) or `503 audit-unavailable`; ``AuditError``;
    ///   ``AccountsError`` when an accessor's account cannot be read.
    public func accesses(_ session: PupilSession) async throws -> [Access] {
        let report = try await service(session, action: "read").report(subject: session.pupil)
        var accessors: [String: Accessor] = [:]
        var accesses: [Access] = []
        for entry in report.entries where Self.accessTypes.contains(entry.type) {
            let actor = entry.actor ?? ""
            let accessor: Accessor
            if let known = accessors[actor] {
                accessor = known
            } else {
                accessor = try await self.accessor(actor, session: session)
                accessors[actor] = accessor
            }
            let fields = entry.fields ?? [:]
            let named = fields["fields_returned"] ?? fields["fields_written"] ?? fields["fields_requested"]
            accesses.append(
                Access(
                    leafIndex: entry.leafIndex, recordedAt: entry.recordedAt, type: entry.type, decision: entry.decision,
                    purpose: entry.purpose, accessor: accessor, fields: named.map(Self.names) ?? [],
                    consent: fields["consent"].flatMap(Self.text)))
        }
        return accesses.reversed()
    }

    /// The inclusion proof of the access at leaf `leaf` against the newest signed checkpoint.
    ///
    /// Only a leaf of ``accessTypes`` is proved. The proof must carry the leaf's input to be checked,
    /// and that input holds the record's actor (`user:usr_…`, an account id, not a name or login):
    /// the one place the pupil can see it.
    ///
    /// - Throws: ``AuditError`` `notFound` (`404`) when the leaf is not an access to the pupil's data
    ///   or no checkpoint covers it yet; as ``accesses(_:)`` otherwise.
    public func proof(_ session: PupilSession, leaf: UInt64) async throws -> ProofBundle {
        try await service(session, action: "verify").prove(leafIndex: leaf, aboutSubject: session.pupil, ofKinds: Self.accessTypes)
    }

    /// The query service for the pupil, once the policy permits `action` on their own entries.
    private func service(_ session: PupilSession, action: String) async throws -> AuditQueryService {
        let principal = session.principal
        guard
            let decision = try await audit.policies.permit(
                action, on: Resource(type: "audit_log", id: "log", attributes: ["subject": .entity(EntityRef("pupil", session.pupil))]),
                purpose: Self.purpose, principal: principal, actor: session.actor, subject: session.pupil,
                recordDenial: { denial in
                    do {
                        try await audit.log.append(denial, using: audit.recorder)
                    } catch {
                        throw Problem.auditUnavailable
                    }
                })
        else { throw Problem.forbidden }
        return AuditQueryService(
            reader: audit.reader, recorder: audit.recorder, officer: session.actor, purpose: Self.purpose,
            policyVersion: decision.policyVersion.digest, log: audit.log)
    }

    /// Who `actor` (an audit actor identifier) is, as the pupil is shown it.
    private func accessor(_ actor: String, session: PupilSession) async throws -> Accessor {
        if actor == session.actor { return .pupil }
        if actor.hasPrefix("service:") { return .module(String(actor.dropFirst("service:".count))) }
        guard actor.hasPrefix("user:"), let account = try await administration.account(id: String(actor.dropFirst("user:".count))) else {
            return .platform
        }
        return .staff(role: account.role.rawValue, organisation: OrganisationURI.string(account.organisation))
    }

    private static func names(_ value: AuditValue) -> [String] {
        if case .list(let names) = value { return names }
        return text(value).map { [$0] } ?? []
    }

    private static func text(_ value: AuditValue) -> String? {
        if case .string(let text) = value { return text }
        return nil
    }
}
