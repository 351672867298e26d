import Audit
import Foundation
public import Policy
import PostgreSQL
public import Tokens

/// The scan of a signed paper consent, as ``Vault/consentScan(of:by:)`` releases it.
public struct ConsentScanDownload: Sendable {
    /// The consent the scan belongs to.
    public let consent: ConsentToken
    /// The pupil (or guardian) the consent is about.
    public let subject: SubjectToken
    /// The declared type.
    public let mediaType: ConsentScan.MediaType
    /// The file's bytes, exactly as uploaded (their SHA-256 was checked against the stored one).
    public let content: [UInt8]
    /// SHA-256 of `content`, as recorded at upload.
    public let sha256: [UInt8]
    /// The policy set that allowed the download.
    public let policyVersion: PolicyVersion
}

extension Vault {
    /// Downloads the scan of a signed paper consent through the one door: in one transaction the
    /// policy decides `read` of the consent's `document` for `consent_management` (school staff
    /// of the pupil's school), `consent.scan_downloaded` (permit, with the policy version) is
    /// appended, and only then is the scan decrypted and its SHA-256 checked against the one
    /// recorded at upload. A policy refusal is audited as `policy.decided` (deny); a consent
    /// without a scan as `consent.scan_downloaded` (deny); a scan that fails to open or to match
    /// its digest as `consent.scan_downloaded` (error), and nothing is returned.
    ///
    /// - Throws: ``VaultError/Code/sealed``, ``VaultError/Code/invalidRequest``,
    ///   ``VaultError/Code/unknownConsent``, ``VaultError/Code/subjectErased``,
    ///   ``VaultError/Code/policyDenied``, ``VaultError/Code/documentRejected`` (no scan),
    ///   ``VaultError/Code/integrityFailure``, ``VaultError/Code/unknownKeyVersion``,
    ///   ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``, ``VaultError/Code/storage``.
    public func consentScan(of consent: ConsentToken, by requester: Requester) async throws(VaultError) -> ConsentScanDownload {
        let ring = try keys()
        try checkRequest(requester: requester, purpose: Self.consentPurpose)
        let now = clock.now
        let policySet = policies.current
        let outcome: Result<ConsentScanDownload, VaultError> = try await withTransaction { connection in
            let rows = try await connection.query(
                """
                SELECT c.subject_id, d.id, d.media_type, d.sha256, d.content, d.data_key_version
                FROM vault.consents c
                LEFT JOIN LATERAL (
                    SELECT id, media_type, sha256, content, data_key_version FROM vault.consent_documents
                    WHERE consent_id = c.id ORDER BY uploaded_at DESC LIMIT 1
                ) d ON true
                WHERE c.token = \(consent.rawValue)
                """)
            guard let row = rows.first else { throw VaultError(.unknownConsent, reason: "no consent has this token") }
            guard let subject = try await SubjectQueries.byID(try row.decode(UUID.self, at: 0), on: connection) else {
                throw VaultError(.unknownSubject)
            }
            guard !subject.isErased else { throw VaultError(.subjectErased, reason: "the subject's data was erased") }
            if let refusal = try await self.consentPolicy(
                subject, action: "read", fields: ["document"], requester: requester, policySet: policySet, at: now, on: connection)
            {
                return .failure(refusal)
            }
            let audit = ScanAudit(requester: requester, consent: consent, subject: subject.token, policyVersion: policySet.version)
            guard let documentID = try row.decode(UUID?.self, at: 1),
                  let mediaType = ConsentScan.MediaType(rawValue: try row.decode(String.self, at: 2))
            else {
                let refusal = VaultError(.documentRejected, reason: "the consent has no scan")
                try await self.appendAudit(audit.event(refusal: refusal), on: connection)
                return .failure(refusal)
            }
            let stored = try row.decode([UInt8].self, at: 3)
            let ciphertext = try row.decode([UInt8].self, at: 4)
            let storedVersion = try row.decode(Int.self, at: 5)
            try await self.appendAudit(audit.event(format: mediaType), on: connection)
            // Only now, with the record appended, decrypt.
            do throws(VaultError) {
                let content = try await self.openScan(
                    ciphertext, document: documentID, storedVersion: storedVersion, of: subject, ring: ring, on: connection)
                guard try ScanCheck.sha256(of: content) == stored else {
                    throw VaultError(.integrityFailure, reason: "the scan does not match the SHA-256 recorded at upload")
                }
                return .success(
                    ConsentScanDownload(
                        consent: consent, subject: subject.token, mediaType: mediaType, content: content, sha256: stored,
                        policyVersion: policySet.version))
            } catch {
                try await self.appendAudit(audit.event(refusal: error, decision: "error"), on: connection)
                return .failure(error)
            }
        }
        return try outcome.get()
    }

    /// Opens a sealed scan under the subject's data key and the document's associated data.
    private func openScan(
        _ ciphertext: [UInt8], document: UUID, storedVersion: Int, of subject: SubjectRecord, ring: KeyRing,
        on connection: PostgresConnection
    ) async throws(VaultError) -> [UInt8] {
        guard storedVersion == subject.dataKeyVersion else {
            throw VaultError(.unknownKeyVersion, reason: "sealed under data-key version \(storedVersion)")
        }
        let key = try await dataKey(of: subject, ring: ring, on: connection)
        return try Envelope.open(
            ciphertext, key: key,
            context: Envelope.documentContext(subject: subject.id, document: document, part: "content", dataKeyVersion: storedVersion))
    }

    /// Builds the `consent.scan_downloaded` records of one download.
    private struct ScanAudit {
        let requester: Requester
        let consent: ConsentToken
        let subject: SubjectToken
        let policyVersion: PolicyVersion

        func event(format: ConsentScan.MediaType? = nil, refusal: VaultError? = nil, decision: String? = nil) -> AuditEvent {
            ConsentScanDownloaded(
                actor: requester.actor, subject: subject.rawValue,
                decision: decision.flatMap(AuditDecision.init(rawValue:)) ?? (refusal == nil ? .permit : .deny),
                purpose: Vault.consentPurpose, consent: consent.rawValue, format: format.map(Vault.format(of:)),
                reason: refusal?.code.rawValue, policyVersion: Vault.auditDigest(of: policyVersion)
            ).event
        }
    }
}
