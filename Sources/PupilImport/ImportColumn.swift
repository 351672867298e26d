/// The columns of an import file, by their header names (matched trimmed and case-insensitively,
/// in any order). Other columns are ignored.
public enum ImportColumn: String, Sendable, Hashable, CaseIterable, Codable {
    case surname
    case firstName = "first_name"
    case patronymic
    case birthDate = "birth_date"
    case snils
    case grade
    case schoolClass = "class"
    case guardianSurname = "guardian_surname"
    case guardianFirstName = "guardian_first_name"
    case guardianPatronymic = "guardian_patronymic"
    case guardianRelation = "guardian_relation"
    case guardianPhone = "guardian_phone"
    case consentNumber = "consent_number"
    case consentSignedOn = "consent_signed_on"
    /// Optional: the purposes the signed form covers besides `enrolment`, separated by commas or
    /// spaces (`parent_request, assessment`); empty for enrolment only.
    case consentPurposes = "consent_purposes"

    /// The columns every file must have (their values may still be empty where the column allows).
    public static let required: [ImportColumn] = [
        .surname, .firstName, .patronymic, .birthDate, .snils, .grade, .guardianSurname, .guardianFirstName,
        .guardianPatronymic, .guardianPhone, .consentNumber, .consentSignedOn,
    ]

    /// Whether an empty value is accepted.
    var allowsEmpty: Bool {
        switch self {
        case .patronymic, .snils, .schoolClass, .guardianPatronymic, .guardianRelation, .consentPurposes: true
        default: false
        }
    }

    /// The longest value accepted, in characters.
    var maximumLength: Int {
        switch self {
        case .consentNumber: 64
        case .schoolClass: 16
        case .consentPurposes: 200
        default: 100
        }
    }
}
