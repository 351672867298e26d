import Foundation
import GnuTLS
import PostgreSQL

/// Makes, stores and announces CRLs: signs the CRL of a hierarchy from the inventory's revoked
/// certificates, stores it in `ca.revocation_lists` and sends its number on ``channel``, all on
/// the caller's connection and transaction (the notification is delivered on commit).
public struct RevocationPublisher: Sendable {
    /// The PostgreSQL notification channel gateways listen on; the payload is the CRL number.
    public static let channel = "bilet_ca_crl"
    /// A CRL's default lifetime (its nextUpdate): 7 days. Republish daily (`bilet certs crl`).
    public static let defaultLifetimeSeconds = 7 * 86_400
    /// The advisory lock that serialises CRL publication, so CRL numbers and contents grow together.
    static let lockKey: Int64 = 0x6269_6c65_7443_4131  // "biletCA1"

    let issuers: [Hierarchy: CertificateIssuer]
    let lifetime: Int

    init(issuers: [Hierarchy: CertificateIssuer], lifetime: Int) {
        self.issuers = issuers
        self.lifetime = lifetime
    }

    /// Takes the publication lock for the rest of the caller's transaction.
    static func lock(on connection: PostgresConnection) async throws {
        try await connection.execute("SELECT pg_advisory_xact_lock(\(Self.lockKey))")
    }

    /// Signs, stores and announces the CRL of `hierarchy` as of `now`.
    func publish(_ hierarchy: Hierarchy, now: Int, on connection: PostgresConnection) async throws -> PublishedRevocationList {
        guard let issuer = self.issuers[hierarchy] else { throw CertificateAuthorityError(.hierarchyUnavailable, hierarchy.rawValue) }
        let entries = try await CertificateInventory.revokedEntries(
            hierarchy: hierarchy, now: Date(timeIntervalSince1970: TimeInterval(now)), on: connection)
        let number = try await CertificateInventory.nextRevocationListNumber(on: connection)
        let crl: CertificateRevocationList
        do {
            crl = try issuer.revocationList(entries: entries, number: UInt64(number), thisUpdate: now, nextUpdate: now + self.lifetime)
        } catch {
            throw CertificateAuthorityError(.issuingFailed, error.code.rawValue)
        }
        let published = PublishedRevocationList(
            number: number, hierarchy: hierarchy, thisUpdate: Date(timeIntervalSince1970: TimeInterval(now)),
            nextUpdate: Date(timeIntervalSince1970: TimeInterval(now + self.lifetime)), revokedCount: entries.count,
            pem: crl.pemRepresentation)
        try await CertificateInventory.storeRevocationList(published, on: connection)
        try await connection.notify(Self.channel, payload: String(number))
        return published
    }
}
