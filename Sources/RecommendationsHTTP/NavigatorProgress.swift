/// One assigned pupil's progress as `GET /v1/navigators/me/progress` answers it: the vault token,
/// the name as the vault released it, and the counts the gateway read from each module by the
/// pupil's own token there. No module token is ever part of it.
public struct NavigatorProgressEntry: Codable, Sendable, Hashable {
    /// The pupil's vault token.
    public var pupil: String
    public var surname: String?
    public var firstName: String?
    public var patronymic: String?
    /// The vault's refusal code when the name (and with it the figures) was withheld
    /// (`consent-missing`, `consent-withdrawn`, …).
    public var nameWithheld: String?
    public var testsAssigned: Int
    public var testsCompleted: Int
    public var trialsEnrolled: Int
    public var trialsAttended: Int
    public var recommendationPublished: Bool

    public init(
        pupil: String, surname: String? = nil, firstName: String? = nil, patronymic: String? = nil, nameWithheld: String? = nil,
        testsAssigned: Int = 0, testsCompleted: Int = 0, trialsEnrolled: Int = 0, trialsAttended: Int = 0,
        recommendationPublished: Bool = false
    ) {
        self.pupil = pupil
        self.surname = surname
        self.firstName = firstName
        self.patronymic = patronymic
        self.nameWithheld = nameWithheld
        self.testsAssigned = testsAssigned
        self.testsCompleted = testsCompleted
        self.trialsEnrolled = trialsEnrolled
        self.trialsAttended = trialsAttended
        self.recommendationPublished = recommendationPublished
    }
}

/// One page of a navigator's progress view.
public struct NavigatorProgressReport: Codable, Sendable, Hashable {
    public var pupils: [NavigatorProgressEntry]
    /// The `after` cursor of the next page, when more pupils follow.
    public var next: String?

    public init(pupils: [NavigatorProgressEntry], next: String?) {
        self.pupils = pupils
        self.next = next
    }
}
