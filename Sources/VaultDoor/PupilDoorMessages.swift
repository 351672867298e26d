/// Door requests about pupils: registration with guardian and paper consent, card reads and
/// corrections, search, and the duplicate register the region's coordinator resolves.
///
/// Values travel as the vault's field names (`surname`, `first_name`, `birth_date`, `class` …)
/// and plain strings; the vault checks and normalises them. Refusals come back as
/// ``VaultDoorResponse/refused(code:)`` with one of the door's refusal codes (the vault's
/// `DoorRefusals` gives them, VaultHTTP's `DoorCalls.answers` renders them).
public enum PupilDoorRequest: Codable, Sendable, Hashable {
    /// Registers a pupil of the caller's school with the guardian who signed the paper consent and
    /// that consent, in one vault transaction.
    case register(PupilRegistrationForm)
    /// Reads `fields` of the pupil `token` for `purpose` (`request`: the open subject-access
    /// request a `parent_request` read answers). No fields: the card's day-to-day fields.
    case read(token: String, fields: [String], purpose: String, request: String?)
    /// Corrects field values of the pupil `token` (purpose `enrolment`).
    case correct(token: String, fields: [String: String])
    /// Finds the caller's own pupils by SNILS, or by surname, first name and birth date.
    case search(PupilSearch)
    /// The open duplicate cases of the caller's region (regional coordinator).
    case duplicates
    /// Resolves a duplicate case as `same` or `different`.
    case resolveDuplicate(reference: String, decision: String)
    /// Asks whether the caller may hand the pupil `token` their own account (an activation code
    /// for the pupils' listener): the caller's school's live pupil, with an active `self_service`
    /// consent. Answered ``PupilDoorResponse/done``, or refused; audited either way.
    case confirmAccount(token: String)
}

/// A registration as the school's form gives it.
public struct PupilRegistrationForm: Codable, Sendable, Hashable {
    /// The pupil's values by field name.
    public var pupil: [String: String]
    /// The guardian: `surname`, `first_name`, `patronymic`, `relation`, `phone`, `email`.
    public var guardian: [String: String]
    /// The number on the signed paper consent.
    public var consentNumber: String
    /// The date on the form, `YYYY-MM-DD`.
    public var consentSignedOn: String
    /// For a pupil aged 14 to 17: the pupil signed the form too.
    public var pupilAlsoSigned: Bool
    /// Purposes the form consents to besides `enrolment` (e.g. `self_service`).
    public var otherPurposes: [String]

    public init(
        pupil: [String: String], guardian: [String: String], consentNumber: String, consentSignedOn: String, pupilAlsoSigned: Bool,
        otherPurposes: [String] = []
    ) {
        self.otherPurposes = otherPurposes
        self.pupil = pupil
        self.guardian = guardian
        self.consentNumber = consentNumber
        self.consentSignedOn = consentSignedOn
        self.pupilAlsoSigned = pupilAlsoSigned
    }
}

/// What a search gives: a SNILS, or a surname, first name and birth date.
public enum PupilSearch: Codable, Sendable, Hashable {
    case snils(String)
    case name(surname: String, firstName: String, birthDate: String)
}

/// A case of the duplicate register as the coordinator sees it: schools and a reference, no names.
public struct DuplicateCaseSummary: Codable, Sendable, Hashable {
    /// `dup_…`.
    public var reference: String
    /// The two schools concerned (`77-1234`).
    public var schools: [String]
    /// `snils` or `name_birth_date`.
    public var matchedOn: String
    /// When it was opened, ISO 8601.
    public var openedAt: String

    public init(reference: String, schools: [String], matchedOn: String, openedAt: String) {
        self.reference = reference
        self.schools = schools
        self.matchedOn = matchedOn
        self.openedAt = openedAt
    }
}

/// The vault's answers to ``PupilDoorRequest``s.
public enum PupilDoorResponse: Codable, Sendable, Hashable {
    /// A registration: the pupil's, the guardian's and the consent's tokens.
    case registered(pupil: String, guardian: String, consent: String)
    /// Field values as released (plain, masked), by field name; withheld fields are absent.
    case card(token: String, fields: [String: String])
    /// A correction: the fields written.
    case corrected(token: String, fields: [String])
    /// Search results: pupil tokens.
    case found([String])
    /// Open duplicate cases.
    case duplicates([DuplicateCaseSummary])
    /// Done, nothing to return.
    case done
}
