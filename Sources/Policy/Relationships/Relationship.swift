/// One relationship fact: `subject` is related by `kind` to `object` from `validFrom` (inclusive)
/// until `validUntil` (exclusive), unless it was expired early at `expiredAt`. Nil bounds are open.
///
/// Relationships are data, not policy text: a navigator's assignment to a pupil for one school
/// year, a pupil's enrolment in an event, a mentor running an event. The model maps to one table,
/// `policy.relationships (kind, subject_type, subject_id, object_type, object_id, valid_from,
/// valid_until, expired_at)`.
///
/// `validUntil` is the planned end, which a rule may extend by a grace period ("until 7 days
/// after"). `expiredAt` is an early end (an assignment moved, an enrolment cancelled): a hard stop
/// that no grace period extends.
public struct Relationship: Hashable, Sendable {
    /// A relation declared in the schema (`assigned_navigator`, `enrolled_in`, `run_by`).
    public var kind: String
    public var subject: EntityRef
    public var object: EntityRef
    public var validFrom: Timestamp?
    public var validUntil: Timestamp?
    /// When the fact was withdrawn early; from then on it never holds, whatever the grace.
    public var expiredAt: Timestamp?

    /// Creates a fact; nil bounds are open.
    public init(
        _ kind: String, subject: EntityRef, object: EntityRef, validFrom: Timestamp? = nil,
        validUntil: Timestamp? = nil, expiredAt: Timestamp? = nil
    ) {
        self.kind = kind
        self.subject = subject
        self.object = object
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.expiredAt = expiredAt
    }

    /// True when the fact holds at `time`, allowing `grace` seconds after `validUntil` but none
    /// after `expiredAt`: `validFrom <= time < validUntil + grace` and `time < expiredAt`.
    public func holds(at time: Timestamp, grace: Int64) -> Bool {
        if let validFrom, time < validFrom { return false }
        if let expiredAt, time >= expiredAt { return false }
        if let validUntil {
            let (end, overflow) = validUntil.secondsSinceEpoch.addingReportingOverflow(grace)
            if overflow {
                // Past Int64's range: the end is unreachable with a positive grace, already
                // passed with a negative one.
                if grace < 0 { return false }
            } else if time.secondsSinceEpoch >= end {
                return false
            }
        }
        return true
    }
}
