public import Tokens

/// The mentor's mark for one seated pupil of an event: attended or absent, a grade 1 to 5 (only
/// when attended) and written feedback.
public struct AttendanceMark: Sendable, Hashable {
    public var event: Int64
    public var pupil: TrialsToken
    public var attended: Bool
    public var grade: Int?
    public var feedback: String?

    /// Creates a mark.
    public init(event: Int64, pupil: TrialsToken, attended: Bool, grade: Int? = nil, feedback: String? = nil) {
        self.event = event
        self.pupil = pupil
        self.attended = attended
        self.grade = grade
        self.feedback = feedback
    }

    /// The mark, or its first problem.
    ///
    /// - Throws: ``TrialsError/Code/invalidArgument``.
    public func validated() throws(TrialsError) {
        if let grade {
            guard (1...5).contains(grade) else { throw TrialsError(.invalidArgument, "grade must be 1 to 5") }
            guard attended else { throw TrialsError(.invalidArgument, "an absent pupil is not graded") }
        }
        if let feedback, feedback.count > 4000 { throw TrialsError(.invalidArgument, "feedback must have at most 4000 characters") }
    }
}
