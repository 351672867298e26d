/// One checked row of a pupil import: a pupil, the guardian who signed the paper consent, and the
/// consent's reference, every value normalised (dates `YYYY-MM-DD`, SNILS `123-456-789 01`,
/// phone `+79161234567`, names trimmed).
///
/// Holds personal data: it travels from the gateway to the vault's door and nowhere else (never a
/// log, never an error). Its `description` shows the row number only.
public struct ImportedPupil: Sendable, Hashable, Codable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The row number a spreadsheet shows (the header is row 1).
    public var row: Int
    public var surname: String
    public var firstName: String
    public var patronymic: String?
    /// `YYYY-MM-DD`.
    public var birthDate: String
    /// `123-456-789 01`, checksum checked.
    public var snils: String?
    /// `1` to `11`.
    public var grade: String
    /// The class letter or name within the grade (optional column `class`).
    public var schoolClass: String?
    public var guardianSurname: String
    public var guardianFirstName: String
    public var guardianPatronymic: String?
    /// `mother`, `father`, `parent` (default) or `guardian` (optional column `guardian_relation`).
    public var guardianRelation: String
    /// `+` and 10 to 15 digits; a Russian `8…` number becomes `+7…`.
    public var guardianPhone: String
    /// The number written on the signed paper consent form.
    public var consentNumber: String
    /// `YYYY-MM-DD`, the date on the signed form.
    public var consentSignedOn: String
    /// The purposes the signed form covers besides `enrolment` (the optional `consent_purposes`
    /// column), as written; the vault checks them against the policy schema.
    public var consentPurposes: [String]

    /// Creates a row.
    public init(
        row: Int, surname: String, firstName: String, patronymic: String?, birthDate: String, snils: String?, grade: String,
        schoolClass: String?, guardianSurname: String, guardianFirstName: String, guardianPatronymic: String?,
        guardianRelation: String, guardianPhone: String, consentNumber: String, consentSignedOn: String,
        consentPurposes: [String] = []
    ) {
        self.row = row
        self.surname = surname
        self.firstName = firstName
        self.patronymic = patronymic
        self.birthDate = birthDate
        self.snils = snils
        self.grade = grade
        self.schoolClass = schoolClass
        self.guardianSurname = guardianSurname
        self.guardianFirstName = guardianFirstName
        self.guardianPatronymic = guardianPatronymic
        self.guardianRelation = guardianRelation
        self.guardianPhone = guardianPhone
        self.consentNumber = consentNumber
        self.consentSignedOn = consentSignedOn
        self.consentPurposes = consentPurposes
    }

    /// The guardian's full name as one value (`surname first_name patronymic`).
    public var guardianName: String {
        [guardianSurname, guardianFirstName, guardianPatronymic].compactMap { $0 }.joined(separator: " ")
    }

    public var description: String { "ImportedPupil(row \(row), redacted)" }
    public var debugDescription: String { description }
}
