public import PupilImport

/// The school's form to register one pupil: its fields (named as the import file's columns), and
/// the check of a submission with the import's own rules (``PupilImportFile/check(values:today:)``),
/// each refusal in Russian next to its field. The vault checks everything again when it registers.
public enum PupilRegistrationPage {
    /// The checkbox for a pupil aged 14 to 17 who signed the consent too.
    public static let pupilSignedField = "pupil_signed"

    /// The form's fields, empty.
    public static let sections: [FormSection] = [
        FormSection(
            legend: "Ученик",
            fields: [
                FormField(name: ImportColumn.surname.rawValue, label: "Фамилия", required: true),
                FormField(name: ImportColumn.firstName.rawValue, label: "Имя", required: true),
                FormField(name: ImportColumn.patronymic.rawValue, label: "Отчество", hint: "Если есть"),
                FormField(name: ImportColumn.birthDate.rawValue, label: "Дата рождения", hint: "ДД.ММ.ГГГГ", kind: .date, required: true),
                FormField(name: ImportColumn.grade.rawValue, label: "Класс (номер)", hint: "От 1 до 11", required: true),
                FormField(name: ImportColumn.schoolClass.rawValue, label: "Буква класса", hint: "Например, Б"),
                FormField(name: ImportColumn.snils.rawValue, label: "СНИЛС", hint: "11 цифр, например 112-233-445 95"),
            ]),
        FormSection(
            legend: "Законный представитель",
            fields: [
                FormField(name: ImportColumn.guardianSurname.rawValue, label: "Фамилия", required: true),
                FormField(name: ImportColumn.guardianFirstName.rawValue, label: "Имя", required: true),
                FormField(name: ImportColumn.guardianPatronymic.rawValue, label: "Отчество", hint: "Если есть"),
                FormField(
                    name: ImportColumn.guardianRelation.rawValue, label: "Кем приходится ученику", kind: .select, required: true,
                    options: [
                        .init(value: "mother", label: "Мать", selected: false), .init(value: "father", label: "Отец", selected: false),
                        .init(value: "parent", label: "Родитель", selected: false),
                        .init(value: "guardian", label: "Опекун или попечитель", selected: false),
                    ]),
                FormField(name: ImportColumn.guardianPhone.rawValue, label: "Телефон", hint: "Например, +7 900 000-00-01", kind: .tel, required: true),
            ]),
        FormSection(
            legend: "Согласие на обработку персональных данных",
            fields: [
                FormField(name: ImportColumn.consentNumber.rawValue, label: "Номер бланка согласия", required: true),
                FormField(name: ImportColumn.consentSignedOn.rawValue, label: "Дата подписания", hint: "ДД.ММ.ГГГГ", kind: .date, required: true),
                FormField(name: pupilSignedField, label: "Ученик в возрасте от 14 до 17 лет тоже подписал согласие", kind: .checkbox),
            ]),
        FormSection(
            legend: "Цели, на которые дано согласие, кроме учёта в школе",
            fields: otherPurposes.map { FormField(name: purposeField($0.code), label: $0.label, kind: .checkbox) }),
    ]

    /// The purposes besides `enrolment` a school's paper form may cover, each a checkbox (the
    /// import's `consent_purposes` column, ticked instead of typed): the pupil's own account, tests,
    /// recommendations and the rest of ``ConsentGapsPage/purposes``.
    public static let otherPurposes = ConsentGapsPage.purposes.filter { $0.code != "enrolment" }

    /// The checkbox of `purpose`.
    public static func purposeField(_ purpose: String) -> String { "purpose_" + purpose }

    /// The outcome of a submission.
    public enum Outcome: Sendable, Hashable {
        /// Every value passed the import's rules: the pupil as checked and whether the pupil signed too.
        case valid(ImportedPupil, pupilSigned: Bool)
        /// The form again, with the submitted values and a message next to each refused field.
        case invalid(CheckedForm)
    }

    /// Checks `values` as of `today` (`YYYY-MM-DD`, ``PupilImportFile/today(now:)``).
    public static func check(_ values: FormValues, today: String) -> Outcome {
        var form = CheckedForm(sections, values: values)
        var byColumn: [ImportColumn: String] = [:]
        for column in ImportColumn.allCases { byColumn[column] = values[column.rawValue] }
        switch PupilImportFile.check(values: byColumn, today: today) {
        case .valid(var pupil):
            pupil.consentPurposes = otherPurposes.map(\.code).filter { values[purposeField($0)] == "on" }
            return .valid(pupil, pupilSigned: values[pupilSignedField] == "on")
        case .invalid(let issues):
            for issue in issues {
                if let column = issue.column {
                    form.refuse(column, ImportIssueText.message(issue.code, column: column))
                } else {
                    form.message = ImportIssueText.message(issue.code, column: nil)
                }
            }
            return .invalid(form)
        }
    }
}
