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

extension Vault {
    func recordConsentDirectly(_ terms: ConsentTerms, scan: ConsentScan? = nil) async throws -> ConsentRecord {
        let ring = try keys()
        return try await withTransaction { connection in
            let prepared = try await self.prepareConsent(terms, scan: scan, ring: ring, on: connection)
            return try await self.insertConsent(prepared, scan: scan, series: nil, recordedBy: "test:fixture", ring: ring, on: connection)
        }
    }

    func endConsentDirectly(_ token: ConsentToken, as state: ConsentState = .withdrawn) async throws -> DestructionDeadline? {
        let now = clock.now
        return try await withTransaction { connection in
            let consent = try await self.lockedConsent(token, on: connection)
            return try await self.endConsent(
                id: consent.id, subject: consent.subject, fields: consent.fields, state: state, by: "test:fixture", at: now,
                on: connection)
        }
    }

    func consentsDirectly(_ token: SubjectToken) async throws -> [ConsentRecord] {
        try await withConnection { connection in
            let subject = try await self.liveSubject(token, on: connection)
            return try await self.consentRecords(of: subject, on: connection)
        }
    }
}
