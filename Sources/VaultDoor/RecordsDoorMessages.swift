public import PupilImport

/// Door requests about a school's records: consents and their scans, consent withdrawal,
/// transfers between schools, subject-access requests and bulk import.
///
/// Every request is made for the verified ``DoorCaller`` it travels with; the vault decides,
/// checks and audits as that caller. Pupil, consent, transfer and request references are tokens;
/// personal data travels only in ``importPupils(_:today:)`` (towards the vault) and a scan's bytes.
public enum RecordsDoorRequest: Codable, Sendable, Hashable {
    /// The consents recorded for the pupil `token`.
    case consents(of: String)
    /// Attaches the scan of the signed paper consent `consent` of pupil `pupil`: `mediaType`
    /// (`application/pdf`, `image/jpeg`, `image/png`) as declared, `content` base64; the vault
    /// checks the type from the bytes and the size.
    case attachScan(pupil: String, consent: String, mediaType: String, content: String)
    /// The scan of consent `consent` of pupil `pupil`.
    case scan(pupil: String, consent: String)
    /// Records the withdrawal of consent `consent` of pupil `pupil`.
    case withdraw(pupil: String, consent: String)
    /// Starts the transfer of pupil `pupil` to the school `toSchool` (`77-5678`).
    case transfer(pupil: String, toSchool: String)
    /// The transfers waiting for the caller's school to accept them.
    case incomingTransfers
    /// Accepts the transfer `transfer` (`trf_…`) into the caller's school.
    case acceptTransfer(transfer: String)
    /// Registers a subject-access request about pupil `pupil`, received on `receivedOn`
    /// (`YYYY-MM-DD`) from `requesterKind` (`pupil` or `guardian`).
    case registerAccessRequest(pupil: String, receivedOn: String, requesterKind: String)
    /// The subject-access requests of the caller's school (the compliance officer: of every
    /// school): `open` (all unanswered) or `overdue` (unanswered past the legal deadline).
    case accessRequests(status: String)
    /// Marks the request `request` (`sar_…`) answered.
    case answerAccessRequest(request: String)
    /// Registers the checked rows of an import file as pupils of the caller's school, all or
    /// nothing; `today` is the gateway's date (`YYYY-MM-DD`) the file was checked against.
    case importPupils([ImportedPupil], today: String)
    /// The pupils of the caller's school that no consent in force covers for `purpose`.
    case lackingConsent(purpose: String)
    /// The vault's pending erasure deadlines (the compliance officer's oversight).
    case erasureDeadlines
    /// The vault's destruction register (the compliance officer's oversight).
    case destructionRegister
}

/// A pupil without a consent in force for a purpose, as the records routes list it: the token and
/// what became of the newest consent for the purpose (`none`, `withdrawn`, `expired`,
/// `not_yet_valid`, `superseded`). No personal data.
public struct ConsentGapSummary: Codable, Sendable, Hashable {
    /// The pupil's token.
    public var pupil: String
    /// `none`, `withdrawn`, `expired`, `not_yet_valid` or `superseded`.
    public var status: String

    public init(pupil: String, status: String) {
        self.pupil = pupil
        self.status = status
    }
}

/// One consent as the records routes list it: no personal data.
public struct ConsentSummary: Codable, Sendable, Hashable {
    /// `cns_…`.
    public var consent: String
    /// `active`, `withdrawn`, `expired` or `superseded`.
    public var status: String
    /// `YYYY-MM-DD`.
    public var signedOn: String
    /// The purpose the consent covers.
    public var scope: String
    /// Whether the signed form's scan is attached.
    public var scan: Bool

    public init(consent: String, status: String, signedOn: String, scope: String, scan: Bool) {
        self.consent = consent
        self.status = status
        self.signedOn = signedOn
        self.scope = scope
        self.scan = scan
    }
}

/// A transfer waiting for the receiving school.
public struct TransferSummary: Codable, Sendable, Hashable {
    /// `trf_…`.
    public var transfer: String
    /// The pupil's token.
    public var pupil: String
    /// `77-1234`.
    public var fromSchool: String
    /// ISO 8601.
    public var requestedAt: String

    public init(transfer: String, pupil: String, fromSchool: String, requestedAt: String) {
        self.transfer = transfer
        self.pupil = pupil
        self.fromSchool = fromSchool
        self.requestedAt = requestedAt
    }
}

/// A subject-access request in the register.
public struct AccessRequestSummary: Codable, Sendable, Hashable {
    /// `sar_…`.
    public var request: String
    /// The pupil's token.
    public var pupil: String
    /// `YYYY-MM-DD`.
    public var receivedOn: String
    /// `YYYY-MM-DD`: ten working days after receipt.
    public var deadline: String
    /// `open`, `overdue` or `answered`.
    public var status: String
    /// `pupil` or `guardian`.
    public var requesterKind: String
    /// The pupil's school (`77-1234`) in register listings; nil elsewhere.
    public var school: String?

    public init(
        request: String, pupil: String, receivedOn: String, deadline: String, status: String, requesterKind: String,
        school: String? = nil
    ) {
        self.request = request
        self.pupil = pupil
        self.receivedOn = receivedOn
        self.deadline = deadline
        self.status = status
        self.requesterKind = requesterKind
        self.school = school
    }
}

/// The vault's answers to ``RecordsDoorRequest``s.
public enum RecordsDoorResponse: Codable, Sendable, Hashable {
    /// The pupil's consents, newest first.
    case consents([ConsentSummary])
    /// The scan was attached.
    case scanAttached
    /// A scan: its type and its bytes (base64).
    case scan(mediaType: String, content: String)
    /// The consent was withdrawn; the destruction deadline it started (ISO 8601), if any.
    case withdrawn(destructionDeadline: String?)
    /// The transfer was started.
    case transferRequested(transfer: String)
    /// Transfers waiting for the caller's school.
    case transfers([TransferSummary])
    /// The transfer was accepted; the pupil's token (unchanged).
    case transferAccepted(pupil: String)
    /// One subject-access request (registered, or answered).
    case accessRequest(AccessRequestSummary)
    /// The subject-access requests of the register listed.
    case accessRequests([AccessRequestSummary])
    /// Every row was registered: the pupils' tokens in file order.
    case imported(tokens: [String])
    /// Nothing was stored: the rows' problems.
    case importRefused([ImportIssue])
    /// The pupils lacking a consent in force for the purpose asked.
    case consentGaps([ConsentGapSummary])
    /// The pending erasure deadlines, soonest first.
    case erasureDeadlines([ErasureDeadlineSummary])
    /// The destruction register, newest first.
    case destructionRegister([DestructionEntrySummary])
}

/// A pending erasure deadline as the vault keeps it: what is to be destroyed of which subject, why
/// and by when. Tokens, field names and dates; no personal data.
public struct ErasureDeadlineSummary: Codable, Sendable, Hashable {
    /// The subject's token.
    public var subject: String
    /// `pupil`, `guardian` or `staff`.
    public var kind: String
    /// `subject` (everything) or `fields`.
    public var scope: String
    /// The field names to destroy.
    public var fields: [String]
    /// `consent_withdrawn`, `consent_expired` or `retention_expired`.
    public var reason: String
    /// ISO 8601: when it is due.
    public var due: String
    /// Whether a legal hold stops the destruction for now.
    public var legalHold: Bool

    public init(subject: String, kind: String, scope: String, fields: [String], reason: String, due: String, legalHold: Bool) {
        self.subject = subject
        self.kind = kind
        self.scope = scope
        self.fields = fields
        self.reason = reason
        self.due = due
        self.legalHold = legalHold
    }
}

/// An entry of the destruction register: what was destroyed of which subject, how, why, by whom
/// (an actor identifier) and until when the entry is kept. No personal data.
public struct DestructionEntrySummary: Codable, Sendable, Hashable {
    /// The erased subject's token.
    public var subject: String
    /// `pupil`, `guardian` or `staff`.
    public var kind: String
    /// `subject` or `fields`.
    public var scope: String
    /// The categories (field names) destroyed.
    public var categories: [String]
    /// `crypto_shredding` (or `ciphertext_deletion` in older entries).
    public var method: String
    /// Why (`subject_request`, `consent_withdrawn`, `retention_expired` …).
    public var reason: String
    /// Who asked: an actor identifier (`user:usr_…`, `job:retention` …).
    public var requestedBy: String
    /// ISO 8601.
    public var destroyedAt: String
    /// ISO 8601: until when the entry is kept (three years after the destruction).
    public var keepUntil: String

    public init(
        subject: String, kind: String, scope: String, categories: [String], method: String, reason: String, requestedBy: String,
        destroyedAt: String, keepUntil: String
    ) {
        self.subject = subject
        self.kind = kind
        self.scope = scope
        self.categories = categories
        self.method = method
        self.reason = reason
        self.requestedBy = requestedBy
        self.destroyedAt = destroyedAt
        self.keepUntil = keepUntil
    }
}
