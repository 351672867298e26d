/// The organisation codes a result is counted under in the KPI: the pupil's school and region, as
/// the pupils' listener knows them from the session. Registry codes, never the pupil's identity;
/// the KPI only ever shows counts of them (and any under 5 as "<5").
public struct ResultKey: Sendable, Hashable {
    /// The school's registry id (`77-1234`).
    public var school: String
    /// The region's code (`77`).
    public var region: String

    /// Creates a key.
    public init(school: String, region: String) {
        self.school = school
        self.region = region
    }
}
