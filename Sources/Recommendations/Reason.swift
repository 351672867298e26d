/// One signal that led to a recommendation, kept as data (the text is rendered from it, and the
/// navigator sees both).
public enum Reason: Sendable, Hashable, Codable {
    /// The footprint's value on `dimension` (`sphere.it`), scored by `test` when known.
    case testScore(dimension: String, value: Int, test: String?)
    /// The pupil attended trial `event` (`title`) of sphere `sphere`, graded `grade` (1…5) when graded.
    case trialAttended(event: Int64, title: String, sphere: String, grade: Int?)
    /// The pupil practised competency `competency` at trial `event` (`title`), graded `grade`.
    case trialCompetency(event: Int64, title: String, competency: String, grade: Int?)
    /// The offer is in sphere `sphere`, recommended to the pupil.
    case matchesSphere(sphere: String)
    /// The offer trains competency `competency`, recommended to the pupil.
    case matchesCompetency(competency: String)
}
