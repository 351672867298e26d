import Foundation
import Policy
import PostgreSQL
import Tokens

/// A subject's row as the vault works with it: identity, the attributes the policy decides on,
/// and the wrapped data key. Never holds plaintext.
struct SubjectRecord: Sendable {
    let id: UUID
    let kind: SubjectKind
    let token: SubjectToken
    let organisationType: String?
    let organisation: String?
    let region: String?
    let userRef: String?
    let pupilID: UUID?
    let pupilToken: SubjectToken?
    let wrappedDataKey: [UInt8]?
    let dataKeyVersion: Int
    let kekVersion: Int?
    let erasedAt: Date?
    let legalHold: Bool

    var isErased: Bool { erasedAt != nil }

    /// The resource the policy engine decides on: the schema's entity type for the kind, the
    /// subject token as id, and the attributes the schema declares.
    var policyResource: Resource {
        kind.policyResource(
            token: token, organisationType: organisationType, organisation: organisation, region: region, user: userRef,
            pupil: pupilToken)
    }

    /// Decodes the columns of ``SubjectQueries`` in their order.
    init(row: Row) throws {
        id = try row.decode(UUID.self, at: 0)
        guard let kind = SubjectKind(rawValue: try row.decode(String.self, at: 1)) else {
            throw VaultError(.storage, reason: "unknown subject kind in vault.subjects")
        }
        self.kind = kind
        token = try SubjectToken(parsing: try row.decode(String.self, at: 2))
        organisationType = try row.decode(String?.self, at: 3)
        organisation = try row.decode(String?.self, at: 4)
        region = try row.decode(String?.self, at: 5)
        userRef = try row.decode(String?.self, at: 6)
        pupilID = try row.decode(UUID?.self, at: 7)
        pupilToken = try row.decode(String?.self, at: 8).map { (text: String) throws in try SubjectToken(parsing: text) }
        wrappedDataKey = try row.decode([UInt8]?.self, at: 9)
        dataKeyVersion = try row.decode(Int.self, at: 10)
        kekVersion = try row.decode(Int?.self, at: 11)
        erasedAt = try row.decode(Date?.self, at: 12)
        legalHold = try row.decode(Bool.self, at: 13)
    }
}

/// The queries that load ``SubjectRecord``s. Token lists travel as one comma-separated text
/// parameter (tokens never contain commas).
enum SubjectQueries {
    static func byTokens(_ tokens: [SubjectToken], on connection: PostgresConnection, lock: Bool = false) async throws -> [SubjectRecord] {
        let list = tokens.map(\.rawValue).joined(separator: ",")
        let rows: QueryResult
        if lock {
            rows = try await connection.query(
                """
                SELECT s.id, s.kind, s.token, s.organisation_type, s.organisation, s.region, s.user_ref, s.pupil_id,
                       p.token, s.data_key, s.data_key_version, s.kek_version, s.erased_at, s.legal_hold
                FROM vault.subjects s LEFT JOIN vault.subjects p ON p.id = s.pupil_id
                WHERE s.token = ANY(string_to_array(\(list), ','))
                FOR UPDATE OF s
                """)
        } else {
            rows = try await connection.query(
                """
                SELECT s.id, s.kind, s.token, s.organisation_type, s.organisation, s.region, s.user_ref, s.pupil_id,
                       p.token, s.data_key, s.data_key_version, s.kek_version, s.erased_at, s.legal_hold
                FROM vault.subjects s LEFT JOIN vault.subjects p ON p.id = s.pupil_id
                WHERE s.token = ANY(string_to_array(\(list), ','))
                """)
        }
        return try rows.map(SubjectRecord.init(row:))
    }

    /// Subjects by pairwise token; returns each record with the module token it was found by.
    static func byModuleTokens(_ tokens: [ModuleToken], on connection: PostgresConnection) async throws -> [(ModuleToken, SubjectRecord)] {
        let list = tokens.map(\.rawValue).joined(separator: ",")
        let rows = try await connection.query(
            """
            SELECT s.id, s.kind, s.token, s.organisation_type, s.organisation, s.region, s.user_ref, s.pupil_id,
                   p.token, s.data_key, s.data_key_version, s.kek_version, s.erased_at, s.legal_hold, m.token
            FROM vault.module_tokens m
            JOIN vault.subjects s ON s.id = m.subject_id
            LEFT JOIN vault.subjects p ON p.id = s.pupil_id
            WHERE m.token = ANY(string_to_array(\(list), ','))
            """)
        return try rows.map { row in
            (try ModuleToken(parsing: try row.decode(String.self, at: 14)), try SubjectRecord(row: row))
        }
    }

    static func byID(_ id: UUID, on connection: PostgresConnection) async throws -> SubjectRecord? {
        let rows = try await connection.query(
            """
            SELECT s.id, s.kind, s.token, s.organisation_type, s.organisation, s.region, s.user_ref, s.pupil_id,
                   p.token, s.data_key, s.data_key_version, s.kek_version, s.erased_at, s.legal_hold
            FROM vault.subjects s LEFT JOIN vault.subjects p ON p.id = s.pupil_id
            WHERE s.id = \(id)
            """)
        return try rows.first.map(SubjectRecord.init(row:))
    }
}
