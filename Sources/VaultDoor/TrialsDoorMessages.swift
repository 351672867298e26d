/// Door requests of the trials routes: the vault translates pupils into the trials namespace
/// under policy, records the relationship facts the mentors' name reads are decided on, and
/// releases the names of an event's pupils to the mentor running it.
///
/// Every request is made for the verified ``DoorCaller`` it travels with; the vault decides,
/// checks consent and audits as that caller. Pupils travel as tokens (vault tokens from the
/// navigator, trials tokens from the trials module); names travel only in
/// ``TrialsDoorResponse/names(_:)``, towards the gateway.
public enum TrialsDoorRequest: Codable, Sendable, Hashable {
    /// The trials token of the pupil `pupil` (vault token) for enrolling them in (`create`) or
    /// withdrawing them from (`delete`) event `event` of region `region`: the navigator's
    /// `create`/`delete enrolment` policy, then the translation (`token.resolved`).
    case enrolmentToken(pupil: String, event: String, region: String, action: String)
    /// Seats of event `event` (ending at `endsAt`, ISO 8601) taken (`seated`) and freed
    /// (`released`), by trials token: the vault records and expires `enrolled_in` facts.
    case seats(event: String, endsAt: String, seated: [String], released: [String])
    /// The mentor `mentor` (`usr_…`) runs event `event` from `startsAt` to `endsAt` (ISO 8601):
    /// the vault records `run_by`, expiring any other mentor's; with no mentor, it expires every
    /// `run_by` of the event.
    case runBy(event: String, mentor: String?, startsAt: String, endsAt: String)
    /// The names of the pupils `pupils` (trials tokens) of event `event`, for the mentor running
    /// it (purpose `event_attendance`): each as the policy and the consent release it.
    case attendanceNames(event: String, pupils: [String])
    /// The caller's own trials token (a pupil session's caller), purpose `enrolment`: the pupil
    /// lists their own enrolments.
    case ownToken
}

/// One pupil's name on a mentor's attendance list: what the vault released, or why not.
public struct AttendanceName: Codable, Sendable, Hashable {
    /// The trials token the name was asked for.
    public var pupil: String
    /// The first name, when released.
    public var firstName: String?
    /// The surname as released (its initial, under `mentor.pupils.attendance-list`).
    public var surname: String?
    /// Why nothing was released (`forbidden`, `consent-missing`, `pupil-not-found`, …); nil when
    /// released.
    public var refusal: String?

    public init(pupil: String, firstName: String?, surname: String?, refusal: String?) {
        self.pupil = pupil
        self.firstName = firstName
        self.surname = surname
        self.refusal = refusal
    }
}

/// The vault's answers to ``TrialsDoorRequest``s.
public enum TrialsDoorResponse: Codable, Sendable, Hashable {
    /// The pupil's trials token (`trl_…`).
    case token(String)
    /// The facts were recorded.
    case recorded
    /// The attendance list's names, one per pupil asked, in the order asked.
    case names([AttendanceName])
}
