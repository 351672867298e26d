import Vault

/// The door's refusal codes for vault errors (``VaultDoorResponse/refused(code:)``): stable,
/// kebab-case, and as coarse as the gateway needs. A request naming something by reference then
/// folds the refusals that must not tell an unknown reference from another school's (or region's)
/// into that thing's not-found code (``code(for:about:)``, one table for every door handler).
enum DoorRefusals {
    /// What a request names, for folding refusals that must look alike.
    enum Scope {
        /// Nothing by reference (a school's or region's own lists, registrations, searches).
        case school
        /// A pupil by token.
        case pupil
        /// A pupil by token, with field names checked as a pupil's first (a card read, a
        /// correction): an unknown field then means the token is a guardian's.
        case pupilFields
        /// A pupil's records by token (consents, scans, transfers, subject-access requests).
        case pupilRecords
        /// A subject-access request by reference.
        case accessRequest
        /// A transfer by reference.
        case transfer
        /// A duplicate case by reference.
        case duplicateCase

        /// The codes folded, and what they fold into.
        var folding: (codes: Set<String>, into: String)? {
            switch self {
            case .school: nil
            case .pupil: (["forbidden"], "pupil-not-found")
            case .pupilFields: (["forbidden", "unknown-field"], "pupil-not-found")
            case .pupilRecords: (["forbidden", "fields-not-granted"], "pupil-not-found")
            case .accessRequest: (["forbidden", "fields-not-granted"], "request-not-found")
            case .transfer: (["forbidden", "fields-not-granted"], "transfer-not-found")
            case .duplicateCase: (["forbidden"], "case-not-found")
            }
        }
    }

    /// The refusal code of `error` for a request about `scope`: a refusal an unknown reference
    /// would not get the same way reads like an unknown reference.
    static func code(for error: VaultError, about scope: Scope) -> String {
        let code = Self.code(for: error)
        guard let folding = scope.folding, folding.codes.contains(code) else { return code }
        return folding.into
    }

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
        case .unknownNavigator: "navigator-not-found"
        case .unknownAssignment: "assignment-not-found"
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
}
