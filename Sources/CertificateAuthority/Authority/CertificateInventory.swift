import Foundation
import GnuTLS
import PostgreSQL

/// The SQL of the inventory (`ca.certificates`) and the published CRLs (`ca.revocation_lists`).
/// Every function runs on the caller's connection, inside the caller's transaction.
enum CertificateInventory {
    static func insert(
        _ certificate: X509Certificate, hierarchy: Hierarchy, profile: CertificateProfile, organisation: String?, identity: String,
        keyType: KeyType, renewedFrom: String?, issuedBy: String, on connection: PostgresConnection
    ) async throws -> CertificateRecord {
        let serial = SerialNumber.hex(certificate.serialNumber)
        let notBefore = Date(timeIntervalSince1970: TimeInterval(certificate.notBefore))
        let notAfter = Date(timeIntervalSince1970: TimeInterval(certificate.notAfter))
        let rows = try await connection.query(
            """
            INSERT INTO ca.certificates (serial, hierarchy, profile, organisation, identity, key_type, not_before, not_after,
                                         renewed_from, issued_by, certificate)
            VALUES (\(serial), \(hierarchy.rawValue), \(profile.rawValue), \(organisation), \(identity), \(keyType.rawValue),
                    \(notBefore), \(notAfter), \(renewedFrom), \(issuedBy), \(certificate.der))
            RETURNING serial, hierarchy, profile, organisation, identity, key_type, not_before, not_after, status, revoked_at,
                      revocation_reason, renewed_from, issued_at, issued_by
            """)
        return try record(rows[0])
    }

    static func find(serial: String, on connection: PostgresConnection, forUpdate: Bool = false) async throws -> (CertificateRecord, [UInt8])? {
        let rows =
            forUpdate
            ? try await connection.query(
                """
                SELECT serial, hierarchy, profile, organisation, identity, key_type, not_before, not_after, status, revoked_at,
                       revocation_reason, renewed_from, issued_at, issued_by, certificate
                FROM ca.certificates WHERE serial = \(serial) FOR UPDATE
                """)
            : try await connection.query(
                """
                SELECT serial, hierarchy, profile, organisation, identity, key_type, not_before, not_after, status, revoked_at,
                       revocation_reason, renewed_from, issued_at, issued_by, certificate
                FROM ca.certificates WHERE serial = \(serial)
                """)
        guard let row = rows.first else { return nil }
        return (try record(row), try row.decode([UInt8].self, at: 14))
    }

    static func list(_ filter: InventoryFilter, now: Date, on connection: PostgresConnection) async throws -> [CertificateRecord] {
        let organisation = filter.organisation
        let state = filter.state?.rawValue
        let days = filter.expiringWithinDays.map { Int32(clamping: $0) }
        let profile = filter.profile?.rawValue
        let identity = filter.identity
        let kind = filter.kind?.rawValue
        let rows = try await connection.query(
            """
            SELECT serial, hierarchy, profile, organisation, identity, key_type, not_before, not_after, status, revoked_at,
                   revocation_reason, renewed_from, issued_at, issued_by
            FROM ca.certificates
            WHERE (\(organisation)::text IS NULL OR organisation = \(organisation) OR split_part(organisation, '/', 2) = \(organisation))
              AND (\(state)::text IS NULL
                   OR (\(state) = 'revoked' AND status = 'revoked')
                   OR (\(state) = 'active' AND status = 'active' AND not_after > \(now))
                   OR (\(state) = 'expired' AND status = 'active' AND not_after <= \(now)))
              AND (\(days)::int IS NULL
                   OR (status = 'active' AND not_after > \(now) AND not_after <= \(now) + make_interval(days => \(days))))
              AND (\(profile)::text IS NULL OR profile = \(profile))
              AND (\(identity)::text IS NULL OR identity = \(identity))
              AND (\(kind)::text IS NULL OR profile = \(kind)
                   OR (\(kind) = 'leaf' AND profile NOT IN ('root', 'intermediate')))
            ORDER BY not_after, serial
            """)
        var records: [CertificateRecord] = []
        for row in rows { records.append(try record(row)) }
        return records
    }

    /// Marks an active leaf certificate revoked; `nil` when there is no active leaf certificate of
    /// that serial (CA certificates are never revoked here).
    static func markRevoked(
        serial: String, at date: Date, reason: RevocationReason, on connection: PostgresConnection
    ) async throws -> CertificateRecord? {
        let rows = try await connection.query(
            """
            UPDATE ca.certificates SET status = 'revoked', revoked_at = \(date), revocation_reason = \(reason.name)
            WHERE serial = \(serial) AND status = 'active' AND profile NOT IN ('root', 'intermediate')
            RETURNING serial, hierarchy, profile, organisation, identity, key_type, not_before, not_after, status, revoked_at,
                      revocation_reason, renewed_from, issued_at, issued_by
            """)
        return try rows.first.map(record)
    }

    /// Whether a certificate renewed from `serial` exists (whatever its state).
    static func hasSuccessor(of serial: String, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query("SELECT 1 FROM ca.certificates WHERE renewed_from = \(serial)")
        return !rows.isEmpty
    }

    /// Marks revoked every active certificate renewed, directly or through further renewals, from
    /// `serial`; answers their records.
    static func revokeSuccessors(
        of serial: String, at date: Date, reason: RevocationReason, on connection: PostgresConnection
    ) async throws -> [CertificateRecord] {
        let rows = try await connection.query(
            """
            WITH RECURSIVE successors(serial) AS (
                SELECT serial FROM ca.certificates WHERE renewed_from = \(serial)
                UNION
                SELECT c.serial FROM ca.certificates c JOIN successors s ON c.renewed_from = s.serial
            )
            UPDATE ca.certificates SET status = 'revoked', revoked_at = \(date), revocation_reason = \(reason.name)
            WHERE serial IN (SELECT serial FROM successors) AND status = 'active' AND profile NOT IN ('root', 'intermediate')
            RETURNING serial, hierarchy, profile, organisation, identity, key_type, not_before, not_after, status, revoked_at,
                      revocation_reason, renewed_from, issued_at, issued_by
            """)
        return try rows.map(record)
    }

    /// Marks revoked, as `superseded`, every active certificate of `hierarchies` whose successor was
    /// issued at least `overlapSeconds` ago by the database's clock (which stamped `issued_at`);
    /// answers their records.
    static func supersedeRenewed(
        overlapSeconds: Int, hierarchies: [Hierarchy], at date: Date, on connection: PostgresConnection
    ) async throws -> [CertificateRecord] {
        let reason = RevocationReason.superseded.name
        let overlap = Double(overlapSeconds)
        let ecdsa = hierarchies.contains(.ecdsa) ? Hierarchy.ecdsa.rawValue : nil
        let gost = hierarchies.contains(.gost) ? Hierarchy.gost.rawValue : nil
        let rows = try await connection.query(
            """
            UPDATE ca.certificates SET status = 'revoked', revoked_at = \(date), revocation_reason = \(reason)
            WHERE status = 'active' AND profile NOT IN ('root', 'intermediate') AND (hierarchy = \(ecdsa) OR hierarchy = \(gost))
              AND serial IN (SELECT renewed_from FROM ca.certificates
                             WHERE renewed_from IS NOT NULL AND issued_at + make_interval(secs => \(overlap)) <= clock_timestamp())
            RETURNING serial, hierarchy, profile, organisation, identity, key_type, not_before, not_after, status, revoked_at,
                      revocation_reason, renewed_from, issued_at, issued_by
            """)
        return try rows.map(record)
    }

    /// The entries of the next CRL of `hierarchy`: every revoked certificate not yet expired.
    static func revokedEntries(hierarchy: Hierarchy, now: Date, on connection: PostgresConnection) async throws -> [RevokedCertificateEntry] {
        let rows = try await connection.query(
            """
            SELECT serial, revoked_at, revocation_reason FROM ca.certificates
            WHERE hierarchy = \(hierarchy.rawValue) AND status = 'revoked' AND not_after > \(now)
              AND profile NOT IN ('root', 'intermediate')
            ORDER BY revoked_at, serial
            """)
        var entries: [RevokedCertificateEntry] = []
        for row in rows {
            let serial = SerialNumber.parse(try row.decode(String.self, at: 0)) ?? []
            let revokedAt = try row.decode(Date.self, at: 1)
            let reason = RevocationReason(name: try row.decode(String.self, at: 2)) ?? .unspecified
            entries.append(RevokedCertificateEntry(serialNumber: serial, revocationDate: Int(revokedAt.timeIntervalSince1970), reason: reason))
        }
        return entries
    }

    static func nextRevocationListNumber(on connection: PostgresConnection) async throws -> Int64 {
        try await connection.query("SELECT nextval('ca.crl_number')").singleValue(Int64.self)
    }

    /// Stores a CRL signed with the number this session just drew (``nextRevocationListNumber(on:)``).
    /// The database assigns the row's number (the session's `currval`, migration 0500); a row whose
    /// number is not the one signed into the CRL is refused, which rolls the caller's transaction back.
    static func storeRevocationList(_ list: PublishedRevocationList, on connection: PostgresConnection) async throws {
        let stored = try await connection.query(
            """
            INSERT INTO ca.revocation_lists (hierarchy, this_update, next_update, revoked_count, pem)
            VALUES (\(list.hierarchy.rawValue), \(list.thisUpdate), \(list.nextUpdate), \(Int32(clamping: list.revokedCount)), \(list.pem))
            RETURNING crl_number
            """
        ).singleValue(Int64.self)
        guard stored == list.number else {
            throw CertificateAuthorityError(.storage, "the database numbered the CRL differently from its signed number")
        }
    }

    /// The newest CRL of every hierarchy.
    static func latestRevocationLists(on connection: PostgresConnection) async throws -> [PublishedRevocationList] {
        let rows = try await connection.query(
            """
            SELECT DISTINCT ON (hierarchy) crl_number, hierarchy, this_update, next_update, revoked_count, pem
            FROM ca.revocation_lists ORDER BY hierarchy, crl_number DESC
            """)
        var lists: [PublishedRevocationList] = []
        for row in rows {
            guard let hierarchy = Hierarchy(rawValue: try row.decode(String.self, at: 1)) else { continue }
            lists.append(
                PublishedRevocationList(
                    number: try row.decode(Int64.self, at: 0), hierarchy: hierarchy, thisUpdate: try row.decode(Date.self, at: 2),
                    nextUpdate: try row.decode(Date.self, at: 3), revokedCount: Int(try row.decode(Int32.self, at: 4)),
                    pem: try row.decode(String.self, at: 5)))
        }
        return lists
    }

    static func record(_ row: Row) throws -> CertificateRecord {
        func parse<T: RawRepresentable>(_ type: T.Type, _ column: Int) throws -> T where T.RawValue == String {
            guard let value = T(rawValue: try row.decode(String.self, at: column)) else {
                throw CertificateAuthorityError(.storage, "ca.certificates holds an unknown \(T.self)")
            }
            return value
        }
        return CertificateRecord(
            serial: try row.decode(String.self, at: 0),
            hierarchy: try parse(Hierarchy.self, 1),
            profile: try parse(CertificateProfile.self, 2),
            organisation: try row.decode(String?.self, at: 3),
            identity: try row.decode(String.self, at: 4),
            keyType: try parse(KeyType.self, 5),
            notBefore: try row.decode(Date.self, at: 6),
            notAfter: try row.decode(Date.self, at: 7),
            status: try parse(CertificateRecord.Status.self, 8),
            revokedAt: try row.decode(Date?.self, at: 9),
            revocationReason: try row.decode(String?.self, at: 10),
            renewedFrom: try row.decode(String?.self, at: 11),
            issuedAt: try row.decode(Date.self, at: 12),
            issuedBy: try row.decode(String.self, at: 13))
    }
}
