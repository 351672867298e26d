/// A pupil's value on one footprint dimension (`sphere.it`, `competency.programming`), 0…100, as
/// the assessment module scored it, with the test whose result last moved it when known.
public struct FootprintSignal: Sendable, Hashable, Codable {
    /// The dimension id, `<kind>.<name>`.
    public var dimension: String
    /// 0…100.
    public var value: Int
    /// The title or code of the test whose result last moved the value; nil when unknown.
    public var test: String?

    /// Creates a signal.
    public init(dimension: String, value: Int, test: String? = nil) {
        self.dimension = dimension
        self.value = value
        self.test = test
    }
}

/// One trial or event the pupil held a seat in, as the trials module knows it: the event's sphere
/// and competencies, whether the pupil attended and the mentor's grade.
public struct TrialOutcome: Sendable, Hashable, Codable {
    public var event: Int64
    public var title: String
    public var sphere: String
    public var competencies: [String]
    /// Nil until the mentor marks the pupil.
    public var attended: Bool?
    /// 1…5 when attended and graded.
    public var grade: Int?

    /// Creates an outcome.
    public init(event: Int64, title: String, sphere: String, competencies: [String], attended: Bool?, grade: Int?) {
        self.event = event
        self.title = title
        self.sphere = sphere
        self.competencies = competencies
        self.attended = attended
        self.grade = grade
    }
}

/// Everything the engine knows of one pupil: no identity, only signals.
public struct PupilSignals: Sendable, Hashable, Codable {
    public var footprint: [FootprintSignal]
    public var trials: [TrialOutcome]

    /// Creates the signals.
    public init(footprint: [FootprintSignal], trials: [TrialOutcome]) {
        self.footprint = footprint
        self.trials = trials
    }
}
