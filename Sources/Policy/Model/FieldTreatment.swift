/// How a field may be released, as decided by the policy.
public enum FieldTreatment: Hashable, Sendable, CustomStringConvertible {
    /// The value as stored.
    case plain
    /// Only a reduced form of the value (the vault applies the mask).
    case masked(Mask)
    /// Not released. In a denied decision every requested field is `.denied`.
    case denied

    public var description: String {
        switch self {
        case .plain: return "plain"
        case .masked(let mask): return "masked(\(mask.rawValue))"
        case .denied: return "denied"
        }
    }
}

/// A reduction of a field's value that a rule can grant instead of the value itself.
///
/// The set is closed on purpose: the vault must implement each one. The schema says which masks a
/// field admits (`surname masks [initial]`).
public enum Mask: String, CaseIterable, Hashable, Sendable {
    /// The first letter only (a surname becomes "К.").
    case initial
    /// The year only (a birth date becomes "2011").
    case year
}

/// The decision for one requested field.
public struct FieldDecision: Hashable, Sendable, CustomStringConvertible {
    /// The field's name, as requested.
    public var name: String
    public var treatment: FieldTreatment

    /// Creates the decision for field `name`.
    public init(name: String, treatment: FieldTreatment) {
        self.name = name
        self.treatment = treatment
    }

    public var description: String {
        switch treatment {
        case .plain: return name
        case .masked(let mask): return "\(name) as \(mask.rawValue)"
        case .denied: return "\(name) denied"
        }
    }
}
