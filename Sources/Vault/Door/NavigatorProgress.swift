import Foundation
import PostgreSQL
public import Tokens

/// One page of the pupils a navigator is assigned to now, ordered by vault token.
public struct AssignedPupilsPage: Sendable, Hashable {
    /// The pupils' vault tokens, ascending.
    public var pupils: [SubjectToken]
    /// The cursor of the next page (the last token of this one) when more pupils follow.
    public var next: SubjectToken?

    public init(pupils: [SubjectToken], next: SubjectToken?) {
        self.pupils = pupils
        self.next = next
    }
}

extension Vault {
    /// The most pupils of one page of ``assignedPupils(after:limit:by:)``.
    public static let assignedPupilsPageLimit = 100

    /// The pupils whose `assigned_navigator` fact to the requester (a navigator, `user:<account>`)
    /// holds now, after `after` (a vault token; exclusive), at most `limit`, ordered by token.
    ///
    /// Least privilege: only the requester's own assignments are listed (the account comes from
    /// the verified requester, never from the request), and only tokens come back. Reading the
    /// pupils' names or module tokens is separate and goes through the door's checks
    /// (``readBatch(_:fields:purpose:request:by:)``, ``moduleToken(for:in:purpose:by:)``), each
    /// decided by the policy (`navigator.pupils.assigned`), the consent, and audited.
    ///
    /// - Throws: ``VaultError/Code/invalidRequest`` (not a navigator, a limit outside
    ///   1…``assignedPupilsPageLimit``), ``VaultError/Code/sealed``, ``VaultError/Code/storage``.
    public func assignedPupils(after: SubjectToken?, limit: Int, by requester: Requester) async throws(VaultError) -> AssignedPupilsPage {
        _ = try keys()
        guard requester.principal.role == "navigator", requester.actor.hasPrefix("user:usr_") else {
            throw VaultError(.invalidRequest, reason: "only a navigator lists their assigned pupils")
        }
        guard (1...Self.assignedPupilsPageLimit).contains(limit) else {
            throw VaultError(.invalidRequest, reason: "between 1 and \(Self.assignedPupilsPageLimit) pupils per page")
        }
        let account = String(requester.actor.dropFirst("user:".count))
        let now = clock.now
        let cursor = after?.rawValue ?? ""
        // Byte order ("C"), whatever the database's collation: the cursor and Swift's order agree.
        let tokens: [SubjectToken] = try await withTransaction { connection in
            let rows = try await connection.query(
                """
                SELECT DISTINCT subject_id COLLATE "C" AS pupil FROM policy.relationships
                WHERE kind = \(Self.assignedNavigator) AND subject_type = 'pupil' AND object_type = 'user' AND object_id = \(account)
                  AND subject_id COLLATE "C" > \(cursor)
                  AND (valid_from IS NULL OR valid_from <= \(now)) AND (valid_until IS NULL OR \(now) < valid_until)
                  AND (expired_at IS NULL OR \(now) < expired_at)
                ORDER BY pupil LIMIT \(limit + 1)
                """)
            return try rows.map { try SubjectToken(parsing: try $0.decode(String.self, at: 0)) }
        }
        let page = Array(tokens.prefix(limit))
        return AssignedPupilsPage(pupils: page, next: tokens.count > limit ? page.last : nil)
    }
}
