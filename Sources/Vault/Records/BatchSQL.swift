import Foundation
import PostgreSQL
import Tokens

/// The statements of a batch registration: each inserts a whole chunk with one round trip, its rows
/// sent as one JSON array parameter (`jsonb_to_recordset`), byte strings as hex, and the one free
/// text (the consent form's number) as its UTF-8 bytes in hex, so no value needs JSON escaping.
/// Nothing in the JSON is plaintext personal data: ids, tokens, codes, ciphertexts, digests, dates,
/// and the consent form's number.
enum BatchSQL {
    /// Rows per chunk: each chunk is sealed, audited and inserted before the next, so no statement
    /// runs long and the transaction never sits idle for long (both bounded by the vault's
    /// transaction timeout).
    static let chunkSize = 250

    /// What every row of one batch shares.
    struct Context: Sendable {
        let school: String
        let region: String
        let actor: String
        let kekVersion: Int
        let operatorIdentifier: String
        let now: Date
    }

    /// The data a registered paper consent lists: as a single registration's (every pupil field
    /// but health data).
    static let consentFields: [FieldName] = Vault.enrolmentConsentFields
    /// The actions a registered paper consent allows: as a single registration's.
    static let consentActions: [ProcessingAction] = [
        .collection, .recording, .systematisation, .accumulation, .storage, .clarification, .extraction, .use,
    ]

    /// `77-1234`: a region code, a hyphen, digits.
    static func isSchoolID(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 2 && isRegionCode(String(parts[0])) && (1...8).contains(parts[1].count)
            && parts[1].allSatisfy(\.isASCIIDigit)
    }

    /// `77`: two or three digits.
    static func isRegionCode(_ text: String) -> Bool {
        (2...3).contains(text.count) && text.allSatisfy(\.isASCIIDigit)
    }

    /// The key a blind index is compared by.
    static func key(_ kind: BlindIndex.Kind, _ digest: [UInt8]) -> String {
        kind.rawValue + ":" + hex(digest)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func hex(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A trivial statement: the transaction is not idle while the vault works between statements.
    static func touch(_ connection: PostgresConnection) async throws(VaultError) {
        do {
            _ = try await connection.query("SELECT 1")
        } catch {
            throw VaultError.wrapping(error)
        }
    }

    /// Turns PostgreSQL's JIT compilation off for the rest of the transaction.
    static func withoutJIT(_ connection: PostgresConnection) async throws(VaultError) {
        do {
            _ = try await connection.query("SELECT set_config('jit', 'off', true)")
        } catch {
            throw VaultError.wrapping(error)
        }
    }

    /// A live pupil holding one of the rows' blind indexes.
    struct Holder: Sendable {
        let id: UUID
        let school: String?
        let region: String?
    }

    /// Takes the transaction-scoped advisory lock (``BlindIndex/lockKey(_:)``) of every blind-index
    /// digest of the rows, before they are looked up: SNILS digests first, then surname, first name and birth date, each kind
    /// in ascending key order, the order a single registration takes its two (SNILS, then name),
    /// so neither a concurrent single registration nor another batch can miss a duplicate being
    /// written, and no two of them can wait on each other in a cycle. One statement; the locks
    /// last until the transaction ends (a 10,000-row batch holds up to 20,000: the cluster's
    /// `max_locks_per_transaction` is sized for it, see `LocalCluster`).
    static func lockDigests(_ rows: [BatchRow], on connection: PostgresConnection) async throws(VaultError) {
        var snils = Set<Int64>()
        var names = Set<Int64>()
        for row in rows {
            for (kind, digest) in row.indexes {
                if kind == .snils { snils.insert(BlindIndex.lockKey(digest)) } else { names.insert(BlindIndex.lockKey(digest)) }
            }
        }
        let ordered = (snils.sorted() + names.sorted()).map(String.init).joined(separator: ",")
        guard !ordered.isEmpty else { return }
        do {
            _ = try await connection.query(
                """
                SELECT count(pg_advisory_xact_lock(k)) FROM (
                    SELECT CAST(k AS bigint) AS k FROM unnest(string_to_array(\(ordered), ',')) WITH ORDINALITY AS t(k, n) ORDER BY n
                ) AS ordered_keys
                """)
        } catch {
            throw VaultError.wrapping(error)
        }
    }

    /// The live pupils holding each of the rows' blind indexes, by ``key(_:_:)``.
    static func registeredDigests(_ rows: [BatchRow], on connection: PostgresConnection) async throws(VaultError) -> [String: [Holder]] {
        // One digest list per kind, matched with `= ANY(array)`: the (kind, digest) index is used
        // whatever the planner thinks of the table's size (a join on a set-returning function was
        // planned as a nested loop over a sequential scan once the school had pupils).
        var lists: [BlindIndex.Kind: [String]] = [:]
        for row in rows {
            for (kind, digest) in row.indexes { lists[kind, default: []].append(hex(digest)) }
        }
        let snils = (lists[.snils] ?? []).joined(separator: ",")
        let names = (lists[.nameBirthDate] ?? []).joined(separator: ",")
        do {
            let result = try await connection.query(
                """
                SELECT b.kind, encode(b.digest, 'hex'), s.id, s.organisation, s.region
                FROM vault.blind_indexes b JOIN vault.subjects s ON s.id = b.subject_id AND s.erased_at IS NULL AND s.kind = 'pupil'
                WHERE (b.kind = 'snils'
                       AND b.digest = ANY(ARRAY(SELECT decode(x, 'hex') FROM unnest(string_to_array(\(snils), ',')) AS x)))
                   OR (b.kind = 'name_birth_date'
                       AND b.digest = ANY(ARRAY(SELECT decode(x, 'hex') FROM unnest(string_to_array(\(names), ',')) AS x)))
                ORDER BY s.created_at, s.id
                """)
            var matches: [String: [Holder]] = [:]
            for row in result {
                let key = try row.decode(String.self, at: 0) + ":" + row.decode(String.self, at: 1)
                matches[key, default: []].append(
                    Holder(id: try row.decode(UUID.self, at: 2), school: try row.decode(String?.self, at: 3), region: try row.decode(String?.self, at: 4)))
            }
            return matches
        } catch {
            throw VaultError.wrapping(error)
        }
    }

    /// A JSON array of objects, built by appending pre-escaped parts.
    struct JSONRows {
        private(set) var text = "["
        private var empty = true

        /// Appends one object made of `parts` (already JSON: `"key":value` pairs joined by commas).
        mutating func append(_ parts: [String]) {
            if !empty { text += "," }
            empty = false
            text += "{"
            text += parts.joined(separator: ",")
            text += "}"
        }

        var json: String { text + "]" }
    }

    /// `"key":"value"` (the value needs no escaping: ids, tokens, codes, hex, dates).
    static func pair(_ key: String, _ value: String) -> String {
        "\"" + key + "\":\"" + value + "\""
    }

    /// Inserts a sealed chunk: subjects (pupils, then their guardians), fields, pairwise tokens,
    /// blind indexes, consents. Five statements.
    static func insert(_ chunk: [SealedRow], context: Context, on connection: PostgresConnection) async throws(VaultError) {
        var subjects = JSONRows(), fields = JSONRows(), modules = JSONRows(), indexes = JSONRows(), consents = JSONRows()
        for sealed in chunk {
            let row = sealed.row
            let pupilID = sealed.pupil.id.uuidString
            let guardianID = sealed.guardian.id.uuidString
            subjects.append([
                pair("id", pupilID), pair("kind", "pupil"), pair("token", row.pupilToken.rawValue), "\"pupil_id\":null",
                pair("data_key", hex(sealed.pupil.wrappedKey)),
            ])
            for (subject, sealedSubject) in [(pupilID, sealed.pupil), (guardianID, sealed.guardian)] {
                for (name, ciphertext) in sealedSubject.fields {
                    fields.append([pair("s", subject), pair("n", name.rawValue), pair("c", hex(ciphertext))])
                }
            }
            for (module, token) in row.moduleTokens {
                modules.append([pair("s", pupilID), pair("m", module.rawValue), pair("t", token.rawValue)])
            }
            for (kind, digest) in row.indexes {
                indexes.append([
                    pair("s", pupilID), pair("k", kind.rawValue), pair("d", hex(digest)),
                    "\"shared\":" + (kind == .snils && row.sharedSnils ? "true" : "false"),
                ])
            }
            for (purpose, consent) in row.consents {
                // Each consent record is its own series (a single registration's are too).
                consents.append([
                    pair("id", UUID().uuidString), pair("token", consent.rawValue), pair("subject", pupilID),
                    pair("representative", guardianID), pair("given_by", row.givenBy),
                    "\"also\":" + (row.pupilAlsoConsented ? "true" : "false"), pair("authority", row.authorityDocument.rawValue),
                    pair("signed_on", row.signedOn), pair("number", hex(Array(row.consentNumber.utf8))), pair("purpose", purpose),
                ])
            }
        }
        // Guardians after all pupils of the chunk, so each pupil_id refers to a row inserted before.
        for sealed in chunk {
            subjects.append([
                pair("id", sealed.guardian.id.uuidString), pair("kind", "guardian"), pair("token", sealed.row.guardianToken.rawValue),
                pair("pupil_id", sealed.pupil.id.uuidString), pair("data_key", hex(sealed.guardian.wrappedKey)),
            ])
        }
        let subjectsJSON = subjects.json, fieldsJSON = fields.json, modulesJSON = modules.json
        let indexesJSON = indexes.json, consentsJSON = consents.json
        let consentFields = consentFields.map(\.rawValue).joined(separator: ",")
        let consentActions = consentActions.map(\.rawValue).joined(separator: ",")
        var step = "subjects"
        do {
            try await connection.execute(
                """
                INSERT INTO vault.subjects (id, kind, token, organisation_type, organisation, region, pupil_id, data_key,
                                            data_key_version, kek_version, created_by)
                SELECT r.id, r.kind, r.token, 'school', \(context.school), \(context.region), r.pupil_id, decode(r.data_key, 'hex'),
                       1, \(context.kekVersion), \(context.actor)
                FROM jsonb_to_recordset(CAST(\(subjectsJSON) AS jsonb))
                     AS r(id uuid, kind text, token text, pupil_id uuid, data_key text)
                """)
            step = "fields"
            try await connection.execute(
                """
                INSERT INTO vault.fields (subject_id, name, ciphertext, data_key_version)
                SELECT r.s, r.n, decode(r.c, 'hex'), 1 FROM jsonb_to_recordset(CAST(\(fieldsJSON) AS jsonb)) AS r(s uuid, n text, c text)
                """)
            step = "module_tokens"
            try await connection.execute(
                """
                INSERT INTO vault.module_tokens (subject_id, module, token)
                SELECT r.s, r.m, r.t FROM jsonb_to_recordset(CAST(\(modulesJSON) AS jsonb)) AS r(s uuid, m text, t text)
                """)
            step = "blind_indexes"
            try await connection.execute(
                """
                INSERT INTO vault.blind_indexes (subject_id, kind, digest, shared)
                SELECT r.s, r.k, decode(r.d, 'hex'), r.shared
                FROM jsonb_to_recordset(CAST(\(indexesJSON) AS jsonb)) AS r(s uuid, k text, d text, shared boolean)
                """)
            step = "consents"
            try await connection.execute(
                """
                INSERT INTO vault.consents (
                    id, token, series, version, subject_id, representative_id, given_by, subject_also_consented,
                    authority_document, operator, purpose, data_fields, actions, health_data, valid_from, valid_until,
                    withdrawal_method, signed_on, collection, state, recorded_by, paper_reference)
                SELECT r.id, r.token, r.id, 1, r.subject, r.representative, r.given_by, r.also, r.authority,
                       \(context.operatorIdentifier), r.purpose, string_to_array(\(consentFields), ','),
                       string_to_array(\(consentActions), ','), false, \(context.now), NULL,
                       'written_notice_to_school', CAST(r.signed_on AS date), 'paper', 'active', \(context.actor),
                       convert_from(decode(r.number, 'hex'), 'UTF8')
                FROM jsonb_to_recordset(CAST(\(consentsJSON) AS jsonb))
                     AS r(id uuid, token text, subject uuid, representative uuid, given_by text, also boolean, authority text,
                          signed_on text, number text, purpose text)
                """)
        } catch where error.sqlState == .uniqueViolation {
            throw VaultError(.duplicateSubject, reason: "a pupil of the batch was registered concurrently")
        } catch {
            throw VaultError(.storage, reason: "inserting \(step): " + error.description)
        }
    }
}
