/// What ``AssessmentStore/assign(code:version:to:due:by:record:)`` did: the pupil's assignment of
/// the test version, and whether the call created it.
public struct AssignmentOutcome: Sendable, Hashable {
    /// The pupil's assignment of the version (new, or the one that already existed).
    public var assignment: Assignment
    /// False when the pupil already had an assignment of this version (the call changed nothing,
    /// and its record was not called).
    public var created: Bool

    /// Creates an outcome.
    public init(assignment: Assignment, created: Bool) {
        self.assignment = assignment
        self.created = created
    }
}
