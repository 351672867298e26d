/// One relationship fact: `subject` is related by `kind` to `object` from `validFrom` (inclusive)
/// until `validUntil` (exclusive). Nil bounds are open.
///
/// Relationships are data, not policy text: a navigator's assignment to a pupil for one school
/// year, a pupil's enrolment in an event, a mentor running an event. The model maps to one table:
/// `(kind, subject_type, subject_id, object_type, object_id, valid_from, valid_until)`.
public struct Relationship: Hashable, Sendable {
    /// A relation declared in the schema (`assigned_navigator`, `enrolled_in`, `run_by`).
    public var kind: String
    public var subject: EntityRef
    public var object: EntityRef
    public var validFrom: Timestamp?
    public var validUntil: Timestamp?

    /// Creates a fact; nil bounds are open.
    public init(
        _ kind: String, subject: EntityRef, object: EntityRef, validFrom: Timestamp? = nil,
        validUntil: Timestamp? = nil
    ) {
        self.kind = kind
        self.subject = subject
        self.object = object
        self.validFrom = validFrom
        self.validUntil = validUntil
    }

    /// True when the fact holds at `time`, allowing `grace` seconds after `validUntil`:
    /// `validFrom <= time < validUntil + grace`.
    public func holds(at time: Timestamp, grace: Int64) -> Bool {
        if let validFrom, time < validFrom { return false }
        if let validUntil {
            let (end, overflow) = validUntil.secondsSinceEpoch.addingReportingOverflow(grace)
            if !overflow && time.secondsSinceEpoch >= end { return false }
        }
        return true
    }
}
