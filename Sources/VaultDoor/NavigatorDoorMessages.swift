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
    /// The caller's (a navigator's) own assigned pupils, one page ordered by vault token after
    /// `after` (exclusive), at most `limit` (1…100): each pupil's name as the policy and the
    /// consent release it for `recommendation` (`pii.read`), and their module tokens
    /// (`token.resolved`) for the gateway to count the pupil's progress with. The module tokens stay
    /// in the gateway process: the progress route answers counts, never a token.
    case progressPage(after: String?, limit: Int)
    /// The caller's (a navigator's) own assigned pupils, one page ordered by vault token after
    /// `after` (exclusive), at most `limit` (1…100): each pupil's name as the policy
    /// (`navigator.pupils.assigned`, `navigator.pupils.assigned-for-assessment`) and the consent
    /// release it for `purpose` (`pii.read` per pupil, permit or deny): for choosing whom to enrol
    /// in an event, or whom to assign a test. Names only: no module token is resolved, nothing is
    /// read for another purpose.
    case assignedNames(purpose: AssignedPupilsPurpose, after: String?, limit: Int)
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
    /// One page of the caller's assigned pupils (``NavigatorDoorRequest/progressPage(after:limit:)``).
    case progress(NavigatorProgressPage)
    /// One page of the caller's assigned pupils' names for a purpose
    /// (``NavigatorDoorRequest/assignedNames(purpose:after:limit:)``).
    case names(NavigatorPupilNamesPage)
}

/// One assigned pupil as the progress page reports it to the gateway.
public struct NavigatorPupilProgress: Codable, Sendable, Hashable {
    /// The pupil's vault token.
    public var pupil: String
    /// The name parts released (absent when withheld or redacted).
    public var surname: String?
    public var firstName: String?
    public var patronymic: String?
    /// The refusal code when the name was not released (`consent-missing`, `pupil-not-found` …).
    public var refusal: String?
    /// The pupil's module tokens (`asm_…`, `trl_…`, `rec_…`), each present only when the vault
    /// released it for `recommendation`. For the gateway's counts only: never sent to a client.
    public var assessmentToken: String?
    public var trialsToken: String?
    public var recommendationsToken: String?

    public init(
        pupil: String, surname: String? = nil, firstName: String? = nil, patronymic: String? = nil, refusal: String? = nil,
        assessmentToken: String? = nil, trialsToken: String? = nil, recommendationsToken: String? = nil
    ) {
        self.pupil = pupil
        self.surname = surname
        self.firstName = firstName
        self.patronymic = patronymic
        self.refusal = refusal
        self.assessmentToken = assessmentToken
        self.trialsToken = trialsToken
        self.recommendationsToken = recommendationsToken
    }
}

/// One page of a navigator's assigned pupils.
public struct NavigatorProgressPage: Codable, Sendable, Hashable {
    public var pupils: [NavigatorPupilProgress]
    /// The cursor of the next page (a vault token) when more pupils follow.
    public var next: String?

    public init(pupils: [NavigatorPupilProgress], next: String?) {
        self.pupils = pupils
        self.next = next
    }
}

/// One assigned pupil's name as the vault released it for one purpose, or why it did not.
public struct NavigatorPupilName: Codable, Sendable, Hashable {
    /// The pupil's vault token.
    public var pupil: String
    /// The name parts released (absent when withheld or redacted).
    public var surname: String?
    public var firstName: String?
    public var patronymic: String?
    /// The refusal code when the name was not released (`consent-missing`, `consent-withdrawn` …).
    public var refusal: String?

    public init(pupil: String, surname: String? = nil, firstName: String? = nil, patronymic: String? = nil, refusal: String? = nil) {
        self.pupil = pupil
        self.surname = surname
        self.firstName = firstName
        self.patronymic = patronymic
        self.refusal = refusal
    }
}

/// One page of a navigator's assigned pupils' names.
public struct NavigatorPupilNamesPage: Codable, Sendable, Hashable {
    public var pupils: [NavigatorPupilName]
    /// The cursor of the next page (a vault token) when more pupils follow.
    public var next: String?

    public init(pupils: [NavigatorPupilName], next: String?) {
        self.pupils = pupils
        self.next = next
    }
}
