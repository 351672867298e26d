/// One of the navigator's assigned pupils as the navigator's pages name them: `Фамилия Имя
/// Отчество` when the vault released the name (read under policy and the consent for the page's
/// purpose, `enrolment` on the event pages and `recommendation` on the recommendations pages, each
/// read audited),
/// otherwise «Ученик <token>» with why the name is withheld. The vault token addresses the pupil
/// in forms and links, as in the API.
public struct NavigatorPupil: Sendable, Hashable {
    /// The pupil's vault token.
    public let token: String
    /// What the page shows: the full name, or the token with why no name.
    public let label: String
    /// Whether the vault released the name (and with it the figures).
    public let named: Bool
    public let trialsEnrolled: Int
    public let trialsAttended: Int
    public let recommendationPublished: Bool

    /// The pupil of a progress entry: `withheld` is the vault's refusal code when no name came back.
    public init(
        token: String, surname: String?, firstName: String?, patronymic: String?, withheld: String?, trialsEnrolled: Int = 0,
        trialsAttended: Int = 0, recommendationPublished: Bool = false
    ) {
        self.token = token
        if let surname, let firstName, withheld == nil {
            label = RussianFormat.fullName(surname: surname, firstName: firstName, patronymic: patronymic)
            named = true
        } else {
            label = "Ученик \(token) (имя скрыто: \(AttendanceSheet.withheld(withheld)))"
            named = false
        }
        self.trialsEnrolled = trialsEnrolled
        self.trialsAttended = trialsAttended
        self.recommendationPublished = recommendationPublished
    }

    /// The pupils as the choices of a form's `pupil` select, `selected` marked.
    public static func choices(_ pupils: [NavigatorPupil], selected: String?) -> [[String: Any]] {
        pupils.map { ["value": $0.token, "label": $0.label, "selected": $0.token == selected] }
    }
}
