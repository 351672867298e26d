/// A question to a `RelationshipResolver`: is `object` reachable from `subject` along one relation
/// (`first`) or a chain of two (`first`, then `second`), with every step holding at `time`
/// (`valid_from <= time < valid_until + grace`, and `time < expired_at`: no grace after an early
/// expiry)?
///
/// Two steps at most: the schema checker refuses longer chains, so one SQL join always answers.
public struct RelationQuery: Hashable, Sendable {
    public var subject: EntityRef
    public var first: String
    public var second: String?
    public var object: EntityRef
    public var time: Timestamp
    /// Seconds a step may be used after its `valid_until` (a mentor up to N days after the event).
    public var grace: Int64

    /// Creates a query for a one-step (`second == nil`) or two-step chain.
    public init(
        subject: EntityRef, first: String, second: String? = nil, object: EntityRef, time: Timestamp,
        grace: Int64 = 0
    ) {
        self.subject = subject
        self.first = first
        self.second = second
        self.object = object
        self.time = time
        self.grace = grace
    }
}
