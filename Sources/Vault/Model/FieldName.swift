/// The name of one item of personal data, exactly as the policy schema (`policies/bilet.schema`)
/// spells it. Requests, policy decisions, consents and audit records all use these names.
public struct FieldName: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String

    /// Wraps a name; the vault refuses names its catalogue does not hold for the subject's kind
    /// (``VaultError/Code/unknownField``).
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    public static func < (lhs: FieldName, rhs: FieldName) -> Bool { lhs.rawValue < rhs.rawValue }

    // Pupils
    public static let surname = FieldName(rawValue: "surname")
    public static let firstName = FieldName(rawValue: "first_name")
    public static let patronymic = FieldName(rawValue: "patronymic")
    public static let birthDate = FieldName(rawValue: "birth_date")
    public static let sex = FieldName(rawValue: "sex")
    public static let region = FieldName(rawValue: "region")
    public static let municipality = FieldName(rawValue: "municipality")
    public static let school = FieldName(rawValue: "school")
    public static let grade = FieldName(rawValue: "grade")
    /// The class letter or name within the grade (`class` in the schema).
    public static let schoolClass = FieldName(rawValue: "class")
    /// Health data, a special category (152-FZ art. 10): needs its own explicit consent.
    public static let disabilityStatus = FieldName(rawValue: "disability_status")
    public static let snils = FieldName(rawValue: "snils")
    public static let email = FieldName(rawValue: "email")
    public static let phone = FieldName(rawValue: "phone")
    // Guardians and staff
    public static let name = FieldName(rawValue: "name")
    public static let relation = FieldName(rawValue: "relation")
    public static let identityDocument = FieldName(rawValue: "identity_document")
    public static let position = FieldName(rawValue: "position")
    public static let organisation = FieldName(rawValue: "organisation")

    /// Whether the field is a special category of personal data (health), which needs an explicit
    /// consent of its own.
    public var isSpecialCategory: Bool { self == .disabilityStatus }
}
