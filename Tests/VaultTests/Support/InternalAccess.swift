import Foundation
import PostgreSQL
import Tokens
@testable import Vault

/// Below the one door, for the tests of the key hierarchy itself: create a subject and decrypt its
/// fields without policy, consent or audit. Nothing outside the vault target can call these.
extension Vault {
    func createDirectly(_ registration: SubjectRegistration) async throws -> SubjectToken {
        let ring = try keys()
        return try await withTransaction { connection in
            let prepared = try await self.prepare(registration, on: connection)
            try await self.create(prepared, createdBy: "test:fixture", ring: ring, on: connection)
            return prepared.token
        }
    }

    func decryptDirectly(_ token: SubjectToken, fields: [FieldName]) async throws -> [FieldName: PersonalValue] {
        let ring = try keys()
        return try await withConnection { connection in
            guard let subject = try await SubjectQueries.byTokens([token], on: connection).first else {
                throw VaultError(.unknownSubject)
            }
            return try await self.decrypt(fields, of: [subject], ring: ring, on: connection)[subject.id] ?? [:]
        }
    }

    func subjectID(of token: SubjectToken) async throws -> UUID {
        try await withConnection { connection in
            try await connection.query("SELECT id FROM vault.subjects WHERE token = \(token.rawValue)").singleValue(UUID.self)
        }
    }
}
