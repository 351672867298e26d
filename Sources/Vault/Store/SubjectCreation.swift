import Foundation
import GnuTLS
import Policy
import PostgreSQL
import Tokens

/// A registration checked and normalised, ready to be written.
struct PreparedRegistration: Sendable {
    let id: UUID
    let token: SubjectToken
    let kind: SubjectKind
    let organisationType: String?
    let organisation: String?
    let region: String?
    let user: String?
    let pupil: SubjectRecord?
    let values: [FieldName: PersonalValue]
    let moduleTokens: [Module: ModuleToken]
    let retentionUntil: Date?
    let allowNamesake: Bool

    /// The resource the policy decides the creation on (the new token as its id).
    var policyResource: Resource {
        kind.policyResource(
            token: token, organisationType: organisationType, organisation: organisation, region: region, user: user,
            pupil: pupil?.token)
    }
}

extension Vault {
    /// Checks a registration (fields of the kind, required values, value forms) and mints its
    /// token and pairwise tokens. A guardian's pupil is looked up (and must not be erased).
    func prepare(_ registration: SubjectRegistration, on connection: PostgresConnection) async throws(VaultError) -> PreparedRegistration {
        let kind = registration.kind
        let allowed = Set(kind.fields)
        var values: [FieldName: PersonalValue] = [:]
        for (field, value) in registration.values {
            guard allowed.contains(field) else {
                throw VaultError(.unknownField, field: field, reason: "a \(kind) has no such field")
            }
            values[field] = try FieldRules.normalise(value, for: field)
        }
        for field in SubjectRegistration.requiredFields(for: kind) where values[field] == nil {
            throw VaultError(.missingValue, field: field, reason: "required for a \(kind)")
        }
        var organisationType = registration.organisation?.type
        var organisation = registration.organisation?.id
        var region = registration.region
        var pupil: SubjectRecord?
        switch kind {
        case .pupil:
            guard organisationType == "school", organisation != nil, region != nil else {
                throw VaultError(.missingValue, reason: "a pupil needs a school and a region")
            }
        case .staff:
            guard let type = organisationType, ["school", "venue", "organisation"].contains(type), organisation != nil,
                  region != nil, registration.user != nil
            else { throw VaultError(.missingValue, reason: "a staff member needs an organisation, a region and a user") }
        case .guardian:
            guard let pupilToken = registration.pupil else {
                throw VaultError(.missingValue, reason: "a guardian needs the pupil they represent")
            }
            let found: [SubjectRecord]
            do {
                found = try await SubjectQueries.byTokens([pupilToken], on: connection)
            } catch {
                throw VaultError.wrapping(error)
            }
            guard let record = found.first, record.kind == .pupil else {
                throw VaultError(.unknownSubject, reason: "no pupil has this token")
            }
            guard !record.isErased else { throw VaultError(.subjectErased, reason: "the pupil's data was erased") }
            pupil = record
            organisationType = record.organisationType
            organisation = record.organisation
            region = record.region
        }
        var moduleTokens: [Module: ModuleToken] = [:]
        if kind == .pupil {
            for module in Module.allCases {
                moduleTokens[module] = try Self.mint { (entropy) throws(TokenError) in try ModuleToken(module: module, entropy: entropy) }
            }
        }
        return PreparedRegistration(
            id: UUID(), token: try Self.mint { (entropy) throws(TokenError) in try SubjectToken(entropy: entropy) },
            kind: kind, organisationType: organisationType, organisation: organisation, region: region,
            user: kind == .staff ? registration.user : nil, pupil: pupil, values: values, moduleTokens: moduleTokens,
            retentionUntil: registration.retentionUntil, allowNamesake: registration.allowNamesake)
    }

    static func mint<T>(_ make: ([UInt8]) throws(TokenError) -> T) throws(VaultError) -> T {
        do {
            return try make(try Minting.entropy())
        } catch let error as VaultError {
            throw error
        } catch {
            throw VaultError(.crypto, reason: "minting a token failed")
        }
    }

    /// How ``create(_:createdBy:ring:duplicates:on:)`` treats a blind-index match.
    enum DuplicateHandling: Sendable {
        /// Refuse any match (``VaultError/Code/duplicateSubject``).
        case refuse
        /// The caller probed and opened duplicate cases: register anyway; the SNILS index row is
        /// marked shared when the SNILS matched.
        case flagged(sharedSnils: Bool)
    }

    /// Writes a prepared subject: duplicate check by blind index (unless the caller probed and
    /// flagged the registration), a new data key wrapped by the current KEK, the sealed fields, the
    /// pairwise tokens and the blind indexes.
    ///
    /// - Throws: ``VaultError/Code/duplicateSubject``, ``VaultError/Code/storage``.
    func create(
        _ prepared: PreparedRegistration, createdBy actor: String, ring: KeyRing, duplicates: DuplicateHandling = .refuse,
        on connection: PostgresConnection
    ) async throws(VaultError) {
        let indexes = try BlindIndex.indexes(for: prepared.kind, values: prepared.values, key: ring.blindIndexKey)
        var sharedSnils = false
        if case .flagged(let shared) = duplicates { sharedSnils = shared }
        let checked: [(BlindIndex.Kind, [UInt8])]
        if case .refuse = duplicates { checked = indexes } else { checked = [] }
        for (kind, digest) in checked where kind == .snils || !prepared.allowNamesake {
            let matches: Int
            do {
                matches = try await connection.query(
                    """
                    SELECT count(*) FROM vault.blind_indexes b JOIN vault.subjects s ON s.id = b.subject_id
                    WHERE b.kind = \(kind.rawValue) AND b.digest = \(digest) AND s.erased_at IS NULL
                    """
                ).singleValue(Int.self)
            } catch {
                throw VaultError.wrapping(error)
            }
            if matches > 0 {
                throw VaultError(.duplicateSubject, reason: "a subject with the same \(kind.rawValue) is registered")
            }
        }
        let (kekVersion, kek) = try await currentKEK(ring: ring, on: connection)
        let dataKey = try Envelope.newKey()
        let dataKeyVersion = 1
        let wrapped = try Envelope.wrap(
            dataKey: dataKey, subject: prepared.id, dataKeyVersion: dataKeyVersion, kek: kek, kekVersion: kekVersion)
        var sealed: [(FieldName, [UInt8])] = []
        for (field, value) in prepared.values.sorted(by: { $0.key < $1.key }) {
            sealed.append(
                (field, try FieldCrypto.seal(value, field: field, subject: prepared.id, dataKey: dataKey, dataKeyVersion: dataKeyVersion)))
        }
        do {
            try await connection.execute(
                """
                INSERT INTO vault.subjects (id, kind, token, organisation_type, organisation, region, user_ref, pupil_id,
                                            data_key, data_key_version, kek_version, created_by, retention_until)
                VALUES (\(prepared.id), \(prepared.kind.rawValue), \(prepared.token.rawValue), \(prepared.organisationType),
                        \(prepared.organisation), \(prepared.region), \(prepared.user), \(prepared.pupil?.id),
                        \(wrapped), \(dataKeyVersion), \(kekVersion), \(actor), CAST(\(prepared.retentionUntil.map { CivilDate($0).iso }) AS date))
                """)
            for (field, ciphertext) in sealed {
                try await connection.execute(
                    """
                    INSERT INTO vault.fields (subject_id, name, ciphertext, data_key_version)
                    VALUES (\(prepared.id), \(field.rawValue), \(ciphertext), \(dataKeyVersion))
                    """)
            }
            for (module, token) in prepared.moduleTokens.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                try await connection.execute(
                    "INSERT INTO vault.module_tokens (subject_id, module, token) VALUES (\(prepared.id), \(module.rawValue), \(token.rawValue))")
            }
            for (kind, digest) in indexes {
                try await connection.execute(
                    """
                    INSERT INTO vault.blind_indexes (subject_id, kind, digest, shared)
                    VALUES (\(prepared.id), \(kind.rawValue), \(digest), \(kind == .snils && sharedSnils))
                    """)
            }
        } catch where error.sqlState == .uniqueViolation && error.constraint == "blind_indexes_one_snils" {
            throw VaultError(.duplicateSubject, reason: "a subject with the same snils is registered")
        } catch {
            throw VaultError.wrapping(error)
        }
    }
}
