/// What kind of breach an incident is (152-FZ art. 21 part 3.1: unlawful or accidental transfer,
/// provision, dissemination of or access to personal data). Raw values are stored and never change.
public enum IncidentKind: String, Sendable, Hashable, CaseIterable {
    /// Someone accessed personal data without a right to.
    case unauthorisedAccess = "unauthorised_access"
    /// Personal data was transferred, provided or disseminated to someone without a right to it.
    case disclosure
    /// Personal data was lost or destroyed.
    case loss
    /// Personal data was changed without a right to.
    case alteration
    /// Anything else; the description says what.
    case other

    /// The kind as the notices name it, in Russian.
    public var russian: String {
        switch self {
        case .unauthorisedAccess: "неправомерный доступ к персональным данным"
        case .disclosure: "неправомерная передача (предоставление, распространение) персональных данных"
        case .loss: "утрата (уничтожение) персональных данных"
        case .alteration: "неправомерное изменение персональных данных"
        case .other: "иной инцидент с персональными данными"
        }
    }
}
