import Audit
import Foundation
import Policy
import PostgreSQL
public import Tokens

extension Vault {
    /// Attaches the scan of a signed paper consent to the consent `consent` of pupil `pupil`,
    /// through the one door: in one transaction the consent must belong to the pupil (else
    /// ``VaultError/Code/unknownConsent``, as for a consent that does not exist), be active and on
    /// paper; the policy decides `update` of the consent's `document` for `consent_management`
    /// (a refusal is audited as `policy.decided`); the file must be of the declared type, checked
    /// from its bytes, and within ``VaultConfiguration/maximumDocumentByteCount`` (a refusal is
    /// audited as `consent.scan_uploaded`, deny); then `consent.scan_uploaded` (permit, with the
    /// SHA-256) is appended and the scan is sealed under the pupil's data key, with "kept at the
    /// school" as where the signed original is.
    ///
    /// - Returns: the SHA-256 of the scan.
    /// - Throws: ``VaultError/Code/sealed``, ``VaultError/Code/unknownConsent``,
    ///   ``VaultError/Code/subjectErased``, ``VaultError/Code/consentNotActive``,
    ///   ``VaultError/Code/invalidConsent`` (an electronic consent), ``VaultError/Code/policyDenied``,
    ///   ``VaultError/Code/documentRejected``, ``VaultError/Code/auditFailed``,
    ///   ``VaultError/Code/auditUnavailable``, ``VaultError/Code/storage``.
    public func attachConsentScan(
        _ consent: ConsentToken, of pupil: SubjectToken, mediaType: ConsentScan.MediaType, content: [UInt8], by requester: Requester
    ) async throws(VaultError) -> [UInt8] {
        let ring = try keys()
        try checkRequest(requester: requester, purpose: Self.consentPurpose)
        let now = clock.now
        let policySet = policies.current
        let outcome: Result<[UInt8], VaultError> = try await withTransaction { connection in
            let record = try await self.lockedConsent(consent, on: connection)
            guard record.subject.token == pupil else { throw VaultError(.unknownConsent, reason: "no consent has this token") }
            // Locked: the scan is sealed under this row's data-key version, which re-keying changes.
            let subject = try await self.liveSubject(pupil, lock: true, on: connection)
            if let refusal = try await self.consentPolicy(
                subject, action: "update", fields: ["document"], requester: requester, policySet: policySet, at: now,
                on: connection)
            {
                return .failure(refusal)
            }
            let access = self.accessGuard(requester, policySet: policySet, at: now, on: connection)
            let audit = ConsentScanUploaded(
                actor: requester.actor, subject: pupil.rawValue, decision: .permit, purpose: Self.consentPurpose,
                consent: consent.rawValue, policyVersion: Self.auditDigest(of: policySet.version))
            var refusal: VaultError?
            if record.state != "active" {
                refusal = VaultError(.consentNotActive, reason: "a scan is attached to an active consent")
            } else if try await Self.collection(of: record.id, on: connection) != "paper" {
                refusal = VaultError(.invalidConsent, reason: "an electronic consent has no scan")
            } else {
                let school = subject.organisation ?? "unknown"
                do throws(VaultError) {
                    try ScanCheck.check(
                        ConsentScan(mediaType: mediaType, content: content, originalLocation: PersonalValue("kept at school \(school)")),
                        maximumByteCount: self.configuration.maximumDocumentByteCount)
                } catch {
                    refusal = error
                }
            }
            if let refusal {
                var denied = audit
                denied.decision = .deny
                denied.reason = refusal.code.rawValue
                try await access.audit(denied)
                return .failure(refusal)
            }
            let digest = try ScanCheck.sha256(of: content)
            var permitted = audit
            permitted.format = Self.format(of: mediaType)
            permitted.sha256 = BatchSQL.hex(digest)
            permitted.byteCount = content.count
            try await access.audit(permitted)
            let school = subject.organisation ?? "unknown"
            _ = try await self.insertScan(
                ConsentScan(mediaType: mediaType, content: content, originalLocation: PersonalValue("kept at school \(school)")),
                consent: record.id, subject: subject, uploadedBy: requester.actor, ring: ring, on: connection)
            return .success(digest)
        }
        return try outcome.get()
    }

    /// The scan of consent `consent` of pupil `pupil`: ``consentScan(of:by:)`` once the consent is
    /// known to belong to the pupil (else ``VaultError/Code/unknownConsent``).
    public func consentScan(of consent: ConsentToken, pupil: SubjectToken, by requester: Requester) async throws(VaultError) -> ConsentScanDownload {
        try await requireConsent(consent, belongsTo: pupil)
        return try await consentScan(of: consent, by: requester)
    }

    /// Withdraws consent `consent` of pupil `pupil`: ``withdrawConsent(_:by:)`` once the consent is
    /// known to belong to the pupil (else ``VaultError/Code/unknownConsent``).
    ///
    /// - Returns: the destruction deadline the withdrawal started, if it started one.
    @discardableResult
    public func withdrawConsent(_ consent: ConsentToken, of pupil: SubjectToken, by requester: Requester) async throws(VaultError) -> DestructionDeadline? {
        try await requireConsent(consent, belongsTo: pupil)
        return try await withdrawConsent(consent, by: requester)
    }

    /// Refuses a consent that does not exist or is about another subject, alike.
    private func requireConsent(_ consent: ConsentToken, belongsTo pupil: SubjectToken) async throws(VaultError) {
        let belongs = try await withConnection { connection in
            try await connection.query(
                """
                SELECT count(*) FROM vault.consents c JOIN vault.subjects s ON s.id = c.subject_id
                WHERE c.token = \(consent.rawValue) AND s.token = \(pupil.rawValue)
                """
            ).singleValue(Int.self) == 1
        }
        guard belongs else { throw VaultError(.unknownConsent, reason: "no consent has this token") }
    }

    private static func collection(of consent: UUID, on connection: PostgresConnection) async throws(VaultError) -> String {
        do {
            return try await connection.query("SELECT collection FROM vault.consents WHERE id = \(consent)").singleValue(String.self)
        } catch {
            throw VaultError.wrapping(error)
        }
    }

    /// The audit catalogue's format code of a scan type.
    static func format(of mediaType: ConsentScan.MediaType) -> String {
        switch mediaType {
        case .pdf: "pdf"
        case .jpeg: "jpeg"
        case .png: "png"
        }
    }
}
