/// Door requests about navigator teachers' assignments to pupils: a school assigns one of its
/// navigator accounts to one of its pupils for the school year, lists a pupil's navigators, and
/// ends an assignment. The vault decides (the school's own pupil, the school's own navigator),
/// writes the `assigned_navigator` fact the policy reads, and audits (`navigator.assignment`).
public enum NavigatorDoorRequest: Codable, Sendable, Hashable {
    /// Assigns the navigator account `navigator` (`usr_…`) to the pupil `pupil` (vault token).
    case assign(pupil: String, navigator: String)
    /// The pupil's navigators whose assignment runs now.
    case list(pupil: String)
    /// Ends the navigator's assignment to the pupil now.
    case end(pupil: String, navigator: String)
}

/// One assignment as the door reports it (times ISO 8601, UTC).
public struct NavigatorAssignmentSummary: Codable, Sendable, Hashable {
    /// The navigator's account id (`usr_…`).
    public var navigator: String
    public var validFrom: String
    /// The end of the school year (1 July).
    public var validUntil: String

    public init(navigator: String, validFrom: String, validUntil: String) {
        self.navigator = navigator
        self.validFrom = validFrom
        self.validUntil = validUntil
    }
}

/// The vault's answers to ``NavigatorDoorRequest``s.
public enum NavigatorDoorResponse: Codable, Sendable, Hashable {
    /// The assignment made (or the one that already ran).
    case assigned(NavigatorAssignmentSummary)
    /// The pupil's current assignments.
    case assignments([NavigatorAssignmentSummary])
    /// Ended.
    case ended
}
