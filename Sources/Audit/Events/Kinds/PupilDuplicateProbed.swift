/// `pupil.duplicate_probed`: a pupil registration matched a registered pupil. At the registering
/// school the registration is refused (`deny`, no subject); at another school the new record is
/// registered (`permit`, its token as subject) and a duplicate case opened.
public struct PupilDuplicateProbed: TypedAuditEvent {
    public static let type = "pupil.duplicate_probed"

    /// Where the match was.
    public enum Outcome: String, Sendable {
        case sameSchool = "same_school"
        case otherSchool = "other_school"
    }

    public var actor: String
    /// The new record's token (other-school matches only).
    public var subject: String?
    public var purpose: String
    /// `snils` or `name_birth_date`.
    public var matchedOn: String
    public var outcome: Outcome
    /// The case opened (`dup_…`), for other-school matches.
    public var duplicateCase: String?

    public init(actor: String, subject: String?, purpose: String, matchedOn: String, outcome: Outcome, duplicateCase: String?) {
        self.actor = actor
        self.subject = subject
        self.purpose = purpose
        self.matchedOn = matchedOn
        self.outcome = outcome
        self.duplicateCase = duplicateCase
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = ["matched_on": .string(matchedOn), "outcome": .string(outcome.rawValue)]
        if let duplicateCase { fields["case"] = .string(duplicateCase) }
        return AuditEvent(
            type: Self.type, actor: actor, subject: subject,
            decision: (outcome == .sameSchool ? AuditDecision.deny : .permit).rawValue, purpose: purpose, fields: fields)
    }
}
