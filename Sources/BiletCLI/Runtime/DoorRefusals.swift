import Vault

/// The door's refusal codes for vault errors (``VaultDoorResponse/refused(code:)``): stable,
/// kebab-case, and as coarse as the gateway needs. Handlers of requests that name a pupil by token
/// then fold what must not tell an unknown token from another school's pupil into
/// `pupil-not-found` (``hidingPupil(_:)``).
enum DoorRefusals {
    /// The refusal code of `error`.
    static func code(for error: VaultError) -> String {
        switch error.code {
        case .sealed: "sealed"
        case .unknownSubject, .subjectErased: "pupil-not-found"
        case .policyDenied: error.reason == "policy: fields_not_granted" ? "fields-not-granted" : "forbidden"
        case .consentMissing: "consent-missing"
        case .consentWithdrawn: "consent-withdrawn"
        case .consentExpired: "consent-expired"
        case .healthConsentMissing: "health-consent-missing"
        case .accessRequestRequired: "access-request-required"
        case .accessRequestUnknown: "request-not-found"
        case .accessRequestAnswered: "access-request-answered"
        case .duplicateSubject: "duplicate-pupil"
        case .unknownCase: "case-not-found"
        case .unknownTransfer: "transfer-not-found"
        case .transferConflict: "transfer-conflict"
        case .caseResolved: "case-resolved"
        case .unknownConsent: "consent-not-found"
        case .consentNotActive: "consent-not-active"
        case .documentRejected: "document-rejected"
        case .invalidConsent: "invalid-consent"
        case .legalHold: "legal-hold"
        case .invalidValue: "invalid-value"
        case .missingValue: "missing-value"
        case .unknownField: "unknown-field"
        case .invalidRequest, .purposeNotServed: "invalid-request"
        case .auditUnavailable, .storage: "unavailable"
        case .auditFailed, .integrityFailure, .unknownKeyVersion, .crypto, .notInitialised, .alreadyInitialised, .wrongSecret,
             .keyFileRejected, .passphraseRejected, .rotationInProgress, .controlSocket:
            "internal"
        }
    }

    /// `code` for a request naming a pupil by token: a refusal that an unknown token would not
    /// get the same way (another school's pupil: `forbidden`) is `pupil-not-found`.
    static func hidingPupil(_ code: String) -> String {
        code == "forbidden" ? "pupil-not-found" : code
    }
}
