/// How big the synthetic region is. The defaults finish in a few minutes on a two-core
/// development machine against a debug build; every count can be changed on the command line.
public struct SeedScale: Sendable, Codable, Hashable {
    /// Schools of the region.
    public var schools = 20
    /// Pupils per school (imported as one CSV file per school).
    public var pupilsPerSchool = 100
    /// Navigators per school; the school's pupils are shared out among them.
    public var navigatorsPerSchool = 1
    /// Venues of the region.
    public var venues = 5
    /// Mentors per venue.
    public var mentorsPerVenue = 2
    /// Events (trials and mass events), shared out among the venues.
    public var events = 30
    /// Pupils each event is offered to (some events are smaller: a waiting list).
    public var enrolmentsPerEvent = 12
    /// Pupils per school who activate their account and take the test on the pupils' listener.
    public var testTakersPerSchool = 3
    /// Percent of pupils whose paper consent covers enrolment only ("lacks consent" elsewhere).
    public var withoutConsentPercent = 8

    /// The defaults.
    public init() {}

    /// Refuses counts that make no region (or one too big for the route limits).
    public func validate() throws(DevSeedError) {
        guard (1...99).contains(schools) else { throw DevSeedError(.invalidScale, "--schools is 1 to 99") }
        guard (1...5_000).contains(pupilsPerSchool) else { throw DevSeedError(.invalidScale, "--pupils-per-school is 1 to 5000") }
        guard (1...9).contains(navigatorsPerSchool) else { throw DevSeedError(.invalidScale, "--navigators-per-school is 1 to 9") }
        guard (1...99).contains(venues) else { throw DevSeedError(.invalidScale, "--venues is 1 to 99") }
        guard (1...9).contains(mentorsPerVenue) else { throw DevSeedError(.invalidScale, "--mentors-per-venue is 1 to 9") }
        guard (0...999).contains(events) else { throw DevSeedError(.invalidScale, "--events is 0 to 999") }
        guard (0...500).contains(enrolmentsPerEvent) else { throw DevSeedError(.invalidScale, "--enrolments-per-event is 0 to 500") }
        guard (0...pupilsPerSchool).contains(testTakersPerSchool) else {
            throw DevSeedError(.invalidScale, "--test-takers-per-school is 0 to --pupils-per-school")
        }
        guard (0...100).contains(withoutConsentPercent) else { throw DevSeedError(.invalidScale, "--without-consent-percent is 0 to 100") }
    }
}
