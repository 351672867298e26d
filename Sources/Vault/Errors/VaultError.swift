/// Every refusal and failure of the vault, with a stable ``Code``.
///
/// The description carries the code, a field name where one applies, and a fixed explanation
/// written by bilet: never a value, a token's personal data, key bytes, a passphrase or a raw
/// server message.
public struct VaultError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong. Raw values never change; the gateway maps them to problem documents and
    /// the audit log records them as reasons.
    public enum Code: String, Hashable, Sendable, CaseIterable {
        // Seal and keys
        /// The vault is sealed: every personal-data operation is refused until it is unsealed.
        case sealed = "vault.sealed"
        /// The database has no vault key hierarchy yet (`bilet vault init`).
        case notInitialised = "vault.not_initialised"
        /// The vault was initialised already; initialising twice would orphan every key.
        case alreadyInitialised = "vault.already_initialised"
        /// The passphrase or key file does not open this vault.
        case wrongSecret = "vault.wrong_secret"
        /// The key file is missing, unreadable, not a regular file, readable by group or others,
        /// or not 32 bytes (raw or 64 hex digits).
        case keyFileRejected = "vault.key_file_rejected"
        /// The passphrase is empty or longer than Argon2id accepts.
        case passphraseRejected = "vault.passphrase_rejected"
        /// A ciphertext or wrapped key names a key version the key ring does not hold (never
        /// existed, or retired and destroyed).
        case unknownKeyVersion = "vault.unknown_key_version"
        /// A ciphertext or wrapped key failed authentication: it was altered, or moved to another
        /// subject, field or key version.
        case integrityFailure = "vault.integrity_failure"
        /// A cryptographic primitive failed (random generator, key derivation).
        case crypto = "vault.crypto"

        // Subjects and fields
        /// No subject has this token.
        case unknownSubject = "vault.unknown_subject"
        /// The subject's data was erased (its data key destroyed); the token stays, answering this.
        case subjectErased = "vault.subject_erased"
        /// A field name the subject's kind does not have.
        case unknownField = "vault.unknown_field"
        /// A value does not have the form its field requires (a date, a SNILS with a valid
        /// checksum, an e-mail address …). The value itself is never repeated.
        case invalidValue = "vault.invalid_value"
        /// A required registration value or attribute is missing.
        case missingValue = "vault.missing_value"
        /// A subject with the same SNILS, or the same normalised surname, first name and birth date,
        /// is already registered (blind-index match).
        case duplicateSubject = "vault.duplicate_subject"
        /// The request is malformed (empty field list, too many tokens, a token of the wrong kind).
        case invalidRequest = "vault.invalid_request"

        // The one door
        /// The policy engine denied the request.
        case policyDenied = "vault.policy_denied"
        /// No active consent covers the purpose.
        case consentMissing = "vault.consent_missing"
        /// The consent for the purpose was withdrawn.
        case consentWithdrawn = "vault.consent_withdrawn"
        /// The consent for the purpose expired.
        case consentExpired = "vault.consent_expired"
        /// Health data (a special category) was asked for without its explicit consent.
        case healthConsentMissing = "vault.health_consent_missing"
        /// The token of this module cannot be released for this purpose.
        case purposeNotServed = "vault.purpose_not_served"
        /// The audit record could not be written, so nothing was done or returned.
        case auditFailed = "vault.audit_failed"
        /// The audit store did not answer within the bound (a lock held on it, a stalled statement)
        /// or cannot be reached, so nothing was done or returned. Transient: answer 503 and retry
        /// later, unlike ``auditFailed``.
        case auditUnavailable = "vault.audit_unavailable"

        /// A read for `parent_request` cited no subject-access request: register the request
        /// first and cite its reference.
        case accessRequestRequired = "vault.access_request_required"
        /// No subject-access request with this reference is registered for this subject.
        case accessRequestUnknown = "vault.access_request_unknown"
        /// The subject-access request was answered already (closed): it can no longer be cited,
        /// or answered again.
        case accessRequestAnswered = "vault.access_request_answered"

        // Consents
        /// The consent record is incomplete or contradicts the rules (a minor without a
        /// representative, a pupil aged 14 or more without their own consent, health data in a
        /// consent that is not explicit about it …).
        case invalidConsent = "vault.invalid_consent"
        /// No consent has this token.
        case unknownConsent = "vault.unknown_consent"
        /// The consent is not active (already withdrawn, expired or superseded).
        case consentNotActive = "vault.consent_not_active"
        /// A consent scan is not a PDF or JPEG, does not match its declared type, or is too large.
        case documentRejected = "vault.document_rejected"

        // The duplicate register
        /// No duplicate case of the requester's region has this reference.
        case unknownCase = "vault.unknown_case"
        /// The duplicate case was resolved already.
        case caseResolved = "vault.case_resolved"

        // Erasure, retention, rotation
        /// The subject is under legal hold: erasure and retention actions are refused.
        case legalHold = "vault.legal_hold"
        /// A key rotation is still re-wrapping data keys; start the next one when it has finished.
        case rotationInProgress = "vault.rotation_in_progress"

        // School records
        /// No transfer with this reference is waiting for the caller's school.
        case unknownTransfer = "vault.unknown_transfer"
        /// The pupil has a transfer waiting already, or the transfer was accepted already.
        case transferConflict = "vault.transfer_conflict"

        // Navigator assignment
        /// No live navigator account of the caller's school has this id.
        case unknownNavigator = "vault.unknown_navigator"
        /// The navigator holds no current assignment to the pupil.
        case unknownAssignment = "vault.unknown_assignment"

        /// The local control socket cannot be set up or reached.
        case controlSocket = "vault.control_socket"

        /// The database failed or refused.
        case storage = "vault.storage"
    }

    /// The stable code.
    public let code: Code
    /// The field concerned, when there is one (a field name, never a value).
    public let field: FieldName?
    /// A fixed explanation (no values).
    public let reason: String?

    /// Creates an error.
    public init(_ code: Code, field: FieldName? = nil, reason: String? = nil) {
        self.code = code
        self.field = field
        self.reason = reason
    }

    public var description: String {
        var text = code.rawValue
        if let field { text += " (field \(field.rawValue))" }
        if let reason { text += ": " + reason }
        return text
    }
}
