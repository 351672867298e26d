/// Every failure of the audit log, with a stable ``Code`` a caller (the gateway's problem
/// documents, the CLI's exit status) can match on.
///
/// ``description`` carries the code and a fixed explanation written by bilet: event indices,
/// sizes and key names, never payload values, personal data, key bytes or raw server messages.
public struct AuditError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong. Raw values never change.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The audit store did not answer within the bound, or cannot be reached: the action
        /// that needed the record must fail (HTTP 503).
        case unavailable = "audit.unavailable"
        /// The database refused the operation for lack of privilege.
        case refused = "audit.refused"
        /// Any other database failure.
        case storage = "audit.storage"
        /// The event does not match its catalogue entry (unknown type, missing or unknown field,
        /// a value of the wrong kind, anything that might be personal data).
        case invalidEvent = "audit.invalid_event"
        /// The record is larger than the audit store accepts (a payload above
        /// ``AuditLog/maximumPayloadBytes``, an attribute above 512 bytes): refused at append,
        /// nothing written (SQLSTATE 54000 from the database).
        case tooLarge = "audit.too_large"
        /// An argument is out of range (a leaf beyond the tree, sizes in the wrong order …).
        case invalidArgument = "audit.invalid_argument"
        /// Something asked for does not exist (a leaf, a checkpoint of that size).
        case notFound = "audit.not_found"
        /// Text is not a well-formed signed note.
        case malformedNote = "audit.malformed_note"
        /// A note's text is not a well-formed checkpoint.
        case malformedCheckpoint = "audit.malformed_checkpoint"
        /// A verifier key string or key file is not usable.
        case malformedKey = "audit.malformed_key"
        /// No signature by a known key verified, or one by a known key failed.
        case signatureInvalid = "audit.signature_invalid"
        /// A proof does not prove what it claims.
        case proofInvalid = "audit.proof_invalid"
        /// Stored tree state contradicts itself (the sequencer refuses to continue).
        case inconsistentState = "audit.inconsistent_state"
        /// A cryptographic operation failed.
        case crypto = "audit.crypto"
        /// Reading or writing a file failed.
        case file = "audit.file"
    }

    /// The stable code.
    public let code: Code
    /// A fixed explanation (no personal data, no values).
    public let reason: String

    /// Creates an error.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code.rawValue): \(reason)" }
}
