public import Policy

/// What the one door returns for one requested field.
public enum FieldValue: Sendable, Hashable, CustomStringConvertible {
    /// The value as stored (the policy granted it plain).
    case plain(PersonalValue)
    /// A reduced form (the policy granted only a mask): a surname's initial, a birth year.
    case masked(PersonalValue, Mask)
    /// Withheld: the consent relied on does not list this field, or the policy did not release it.
    case redacted
    /// Released, but the subject has no value stored for this field.
    case absent

    /// The released text, if any (plain or masked).
    public var releasedValue: PersonalValue? {
        switch self {
        case .plain(let value), .masked(let value, _): value
        case .redacted, .absent: nil
        }
    }

    /// `plain`, `masked(initial)`, `redacted`, `absent`: never the value.
    public var description: String {
        switch self {
        case .plain: "plain"
        case .masked(_, let mask): "masked(\(mask.rawValue))"
        case .redacted: "redacted"
        case .absent: "absent"
        }
    }
}
