public import PupilImport

/// The Russian text of the import's issues (``ImportIssue``), for the registration form and the
/// import page alike: the message of each code and the name of each column.
public enum ImportIssueText {
    /// The message of an issue of `code` (in `column`, when it has one).
    public static func message(_ code: ImportIssue.Code, column: String?) -> String {
        switch code {
        case .required: "Заполните это поле."
        case .tooLong: "Слишком длинное значение."
        case .invalidName: "Допустимы только буквы, пробелы, дефисы и апострофы."
        case .invalidDate: "Укажите существующую дату не позже сегодняшнего дня в виде ДД.ММ.ГГГГ."
        case .invalidSnils: "СНИЛС должен состоять из 11 цифр с верной контрольной суммой."
        case .invalidGrade: "Укажите класс от 1 до 11."
        case .invalidPhone: "Укажите номер телефона: от 10 до 15 цифр."
        case .invalidRelation: "Укажите, кем представитель приходится ученику: mother, father, parent или guardian."
        case .invalidConsent:
            column == ImportColumn.birthDate.rawValue
                ? "Ученик был совершеннолетним на дату согласия: он даёт согласие сам, зарегистрируйте его отдельно."
                : "Согласие не может быть подписано раньше даты рождения ученика."
        case .invalidValue: "Значение содержит недопустимые символы."
        case .duplicatePupil: "Этот ученик уже зарегистрирован в вашей школе."
        case .duplicateInFile: "Тот же ученик уже есть в другой строке файла."
        case .notUTF8: "Файл не в кодировке UTF-8: сохраните его как «CSV UTF-8» и загрузите снова."
        case .empty: "Файл пуст."
        case .missingColumn: "В заголовке нет обязательного столбца."
        case .duplicateColumn: "Столбец указан в заголовке дважды."
        case .tooManyRows: "В файле больше 10 000 строк: разделите его на части."
        case .unterminatedQuote: "Кавычка, открытая в этой строке, не закрыта."
        case .extraFields: "В строке больше значений, чем столбцов в заголовке."
        }
    }

    /// The Russian name of a column (`surname` → «Фамилия ученика»); the raw name when unknown.
    public static func column(_ name: String) -> String {
        switch ImportColumn(rawValue: name) {
        case .surname: "Фамилия ученика"
        case .firstName: "Имя ученика"
        case .patronymic: "Отчество ученика"
        case .birthDate: "Дата рождения"
        case .snils: "СНИЛС"
        case .grade: "Класс (номер)"
        case .schoolClass: "Буква класса"
        case .guardianSurname: "Фамилия представителя"
        case .guardianFirstName: "Имя представителя"
        case .guardianPatronymic: "Отчество представителя"
        case .guardianRelation: "Кем приходится"
        case .guardianPhone: "Телефон представителя"
        case .consentNumber: "Номер согласия"
        case .consentSignedOn: "Дата согласия"
        case .consentPurposes: "Цели согласия"
        case nil: name
        }
    }
}
