public import Tokens

/// One row of a batch registration (``Vault/registerPupils(_:school:region:by:)``): a pupil, the
/// guardian who signed the paper consent, and the consent's reference.
public struct PupilBatchEntry: Sendable {
    /// The row number the caller reports problems by (a spreadsheet's, header = 1).
    public var row: Int
    /// The pupil's fields (surname, first_name, birth_date required; patronymic, snils, grade,
    /// class optional).
    public var pupil: [FieldName: PersonalValue]
    /// The guardian's fields (name, relation, phone).
    public var guardian: [FieldName: PersonalValue]
    /// Whether the guardian is a parent (`true`: the authority is the birth certificate) or another
    /// legal representative (`false`: a guardianship decision).
    public var guardianIsParent: Bool
    /// The signed paper consent.
    public var consent: PaperConsentReference

    /// Creates an entry.
    public init(
        row: Int, pupil: [FieldName: PersonalValue], guardian: [FieldName: PersonalValue], guardianIsParent: Bool,
        consent: PaperConsentReference
    ) {
        self.row = row
        self.pupil = pupil
        self.guardian = guardian
        self.guardianIsParent = guardianIsParent
        self.consent = consent
    }
}

/// A signed paper consent as a school registers it before the scan is attached: the number on the
/// form and the date it was signed.
public struct PaperConsentReference: Sendable, Hashable {
    /// The number on the form (1 to 64 characters, no control characters; not personal data).
    public var number: String
    /// `YYYY-MM-DD`, not in the future, not before the pupil's birth.
    public var signedOn: String
    /// The purposes the form covers besides `enrolment` (which it always covers), each a purpose
    /// of the policy schema, named once, at most seven: one consent record is written per purpose,
    /// as a single registration's `consent.purposes` does.
    public var otherPurposes: [String]

    /// Creates a reference.
    public init(number: String, signedOn: String, otherPurposes: [String] = []) {
        self.number = number
        self.signedOn = signedOn
        self.otherPurposes = otherPurposes
    }
}

/// A problem with one row of a batch registration: the row, the field (never its value) and the
/// vault's code (``VaultError/Code/invalidValue``, ``VaultError/Code/missingValue``,
/// ``VaultError/Code/invalidConsent``, ``VaultError/Code/duplicateSubject``).
public struct PupilBatchIssue: Sendable, Hashable {
    public var row: Int
    /// The field concerned (a vault field name, or `consent_number`, `consent_signed_on`).
    public var field: String?
    /// Which part of the row: `pupil`, `guardian` or `consent`.
    public var part: String
    public var code: VaultError.Code

    /// Creates an issue.
    public init(row: Int, field: String?, part: String, code: VaultError.Code) {
        self.row = row
        self.field = field
        self.part = part
        self.code = code
    }
}

/// What a batch registration did: everything, or nothing.
public enum PupilBatchOutcome: Sendable, Hashable {
    /// Every row was registered; the pupils' tokens in input order.
    case registered([SubjectToken])
    /// Nothing was stored: the rows' problems, in row order.
    case refused([PupilBatchIssue])
}
