import Audit
import Foundation
import Policy
import PostgreSQL

extension Vault {
    /// What the compliance officer reads of the vault's erasure bookkeeping.
    public enum ErasureView: String, Sendable, Hashable, CaseIterable {
        /// The pending destruction deadlines and retention ends (``deadlines(dueBefore:)``).
        case deadlines
        /// The destruction register (``destructionRegister(limit:)``).
        case register
    }

    /// The most deadlines or register entries ``erasureDeadlines(by:)`` and
    /// ``destructionRegister(by:)`` return at once.
    public static let erasureOversightLimit = 1_000

    /// The purpose the compliance officer oversees erasure with (the same as the audit log's).
    public static let erasureOversightPurpose = "audit_review"

    /// The pending erasure deadlines, soonest first, as ``deadlines(dueBefore:)`` lists them for
    /// the control socket, for a requester the policy allows to `read` the `erasure_register` for
    /// ``erasureOversightPurpose`` (the compliance officer, rule `compliance.erasure-register.oversee`).
    /// At most ``erasureOversightLimit``. Tokens, field names, reasons and dates only.
    ///
    /// The read is audited before anything is returned: `erasure_register.read` (`view`
    /// `deadlines`, the count), or a refusal as `policy.decided` (`deny`) and
    /// ``VaultError/Code/policyDenied``.
    ///
    /// - Throws: ``VaultError/Code/invalidRequest``, ``VaultError/Code/policyDenied``,
    ///   ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``, ``VaultError/Code/storage``.
    public func erasureDeadlines(by requester: Requester) async throws(VaultError) -> [DestructionDeadline] {
        try await overseeErasure(.deadlines, by: requester) { connection in
            Array(try await Self.deadlines(dueBefore: nil, on: connection).prefix(Self.erasureOversightLimit))
        }
    }

    /// The destruction register, newest first, for the requester ``erasureDeadlines(by:)``
    /// allows, audited as it is (`view` `register`). At most ``erasureOversightLimit``.
    ///
    /// - Throws: as ``erasureDeadlines(by:)``.
    public func destructionRegister(by requester: Requester) async throws(VaultError) -> [DestructionRecord] {
        try await overseeErasure(.register, by: requester) { connection in
            try await Self.destructionRegister(limit: Self.erasureOversightLimit, on: connection)
        }
    }

    /// The policy's decision, the read, and its audit record, in one transaction.
    private func overseeErasure<Item: Sendable>(
        _ view: ErasureView, by requester: Requester, read: (PostgresConnection) async throws -> [Item]
    ) async throws(VaultError) -> [Item] {
        let purpose = Self.erasureOversightPurpose
        try checkRequest(requester: requester, purpose: purpose)
        let policySet = policies.current
        let outcome: Result<[Item], VaultError> = try await withTransaction { connection in
            let access = self.accessGuard(requester, policySet: policySet, at: self.clock.now, on: connection)
            if let refusal = try await access.permitOrAuditDenial(
                "read", Resource(type: "erasure_register", id: "vault"), subject: nil, purpose: purpose)
            {
                return .failure(refusal)
            }
            let items = try await read(connection)
            try await access.audit(
                ErasureRegisterRead(
                    actor: requester.actor, decision: .permit, purpose: purpose, view: view.rawValue, resultCount: items.count,
                    policyVersion: Self.auditDigest(of: policySet.version)))
            return .success(items)
        }
        return try outcome.get()
    }
}
