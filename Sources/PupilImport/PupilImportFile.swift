public import Foundation

/// Reads and checks a pupil import file (`text/csv`) completely before anything is stored.
///
/// Accepted: UTF-8 with or without a byte-order mark; `;` or `,` as delimiter (detected from the
/// header); quoted fields with doubled quotes; a header row naming at least
/// ``ImportColumn/required`` in any order (other columns ignored); dates `DD.MM.YYYY` or
/// `YYYY-MM-DD`; `patronymic`, `snils`, `guardian_patronymic` may be empty. Blank rows are
/// skipped. Every row is checked and every problem reported (``ImportIssue``, row numbers as a
/// spreadsheet shows them, header = row 1), up to ``maximumIssues``; the file is refused if there
/// is any.
///
/// A file that is not UTF-8 (Windows-1251 from "CSV (разделители — запятые)", UTF-16) is refused
/// with one issue telling to save it as "CSV UTF-8".
public enum PupilImportFile {
    /// The most data rows one import takes.
    public static let maximumRows = 10_000
    /// The most issues reported (the count of all of them is reported as well).
    public static let maximumIssues = 1_000
    /// The largest file one import takes, whichever way it arrives (10,000 rows of a school's CSV
    /// are about 2 MB): `POST /v1/pupils/import` collects no more, and ``PupilImportCall`` refuses
    /// a larger one from any caller.
    public static let maximumBytes = 4 * 1024 * 1024

    /// The outcome of checking a file.
    public enum Outcome: Sendable, Hashable {
        /// Every row is valid: the rows, in file order.
        case valid([ImportedPupil])
        /// The file is refused: the first ``maximumIssues`` problems in row order, and how many
        /// there are in all.
        case invalid([ImportIssue], total: Int)
    }

    /// The message of a file that is not UTF-8.
    public static let notUTF8Message =
        "The file is not UTF-8 text (it looks like Windows-1251). Save it as UTF-8: in Excel choose File > Save As > "
        + "\"CSV UTF-8 (Comma delimited) (*.csv)\"; in LibreOffice tick \"Edit filter settings\" and pick the character "
        + "set Unicode (UTF-8)."

    /// Checks `bytes`. `today` (`YYYY-MM-DD`, the school's date) bounds dates: none may be later.
    public static func check(_ bytes: [UInt8], today: String, maximumRows: Int = maximumRows) -> Outcome {
        guard let today = ImportValues.date(today) else {
            return .invalid([ImportIssue(row: 1, column: nil, code: .invalidDate, message: "The import date is invalid.")], total: 1)
        }
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        if let row = firstInvalidUTF8Row(body) {
            return .invalid([ImportIssue(row: row, column: nil, code: .notUTF8, message: notUTF8Message)], total: 1)
        }
        guard let delimiter = CSVReader.detectDelimiter(body) else {
            let empty = body.allSatisfy { $0 == 0x0A || $0 == 0x0D || $0 == 0x20 }
            return .invalid(
                [ImportIssue(
                    row: 1, column: nil, code: empty ? .empty : .missingColumn,
                    message: empty ? "The file is empty." : "The first row must be the header, with the columns separated by ; or ,.")],
                total: 1)
        }
        let records: [CSVReader.Record]
        // The header and one data row beyond the maximum are enough to refuse a longer file.
        switch CSVReader(delimiter: delimiter).records(of: body, limit: maximumRows + 2) {
        case .success(let found): records = found
        case .failure(.unterminatedQuote(let row)):
            return .invalid(
                [ImportIssue(row: row, column: nil, code: .unterminatedQuote, message: "A quoted value starting in this row is never closed.")],
                total: 1)
        }
        guard let header = records.first else {
            return .invalid([ImportIssue(row: 1, column: nil, code: .empty, message: "The file is empty.")], total: 1)
        }
        let columns: [ImportColumn: Int]
        switch Self.columns(of: header) {
        case .success(let found): columns = found
        case .failure(let found): return .invalid(found.issues, total: found.issues.count)
        }
        let dataRows = records.dropFirst()
        guard !dataRows.isEmpty else {
            return .invalid([ImportIssue(row: 2, column: nil, code: .empty, message: "The file has a header but no pupils.")], total: 1)
        }
        guard dataRows.count <= maximumRows else {
            let first = dataRows[dataRows.startIndex + maximumRows]
            return .invalid(
                [ImportIssue(
                    row: first.row, column: nil, code: .tooManyRows,
                    message: "One import takes at most \(maximumRows) pupils; split the file.")],
                total: 1)
        }
        var issues: [ImportIssue] = []
        var pupils: [ImportedPupil] = []
        pupils.reserveCapacity(dataRows.count)
        var bySnils: [String: Int] = [:]
        var byName: [String: Int] = [:]
        for record in dataRows {
            switch Self.pupil(record, columns: columns, headerCount: header.fields.count, today: today) {
            case .failure(let rowIssues):
                issues.append(contentsOf: rowIssues.issues)
            case .success(let pupil):
                if let snils = pupil.snils {
                    if let first = bySnils[snils] {
                        issues.append(
                            ImportIssue(
                                row: record.row, column: ImportColumn.snils.rawValue, code: .duplicateInFile,
                                message: "The same SNILS is in row \(first)."))
                        continue
                    }
                    bySnils[snils] = record.row
                }
                let key = [pupil.surname.lowercased(), pupil.firstName.lowercased(), pupil.birthDate].joined(separator: "\u{1F}")
                if let first = byName[key] {
                    issues.append(
                        ImportIssue(
                            row: record.row, column: nil, code: .duplicateInFile,
                            message: "The same surname, first name and birth date are in row \(first)."))
                    continue
                }
                byName[key] = record.row
                pupils.append(pupil)
            }
        }
        guard issues.isEmpty else { return .invalid(Array(issues.prefix(maximumIssues)), total: issues.count) }
        return .valid(pupils)
    }

    /// Checks one pupil given field by field (a registration form) exactly as a row of an import
    /// file is checked: the same rules and the same issues, each naming its column (`row` is 1).
    /// A column missing from `values` is empty.
    public static func check(values: [ImportColumn: String], today: String) -> RowOutcome {
        guard let today = ImportValues.date(today) else {
            return .invalid([ImportIssue(row: 1, column: nil, code: .invalidDate, message: "The import date is invalid.")])
        }
        let order = ImportColumn.allCases
        let columns = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        let record = CSVReader.Record(row: 1, fields: order.map { values[$0] ?? "" })
        switch pupil(record, columns: columns, headerCount: order.count, today: today) {
        case .success(let pupil): return .valid(pupil)
        case .failure(let failure): return .invalid(failure.issues)
        }
    }

    /// What ``check(values:today:)`` found.
    public enum RowOutcome: Sendable, Hashable {
        /// Every value passed.
        case valid(ImportedPupil)
        /// The issues, each naming its column where it has one.
        case invalid([ImportIssue])
    }

    // MARK: Header

    private struct Issues: Error {
        var issues: [ImportIssue]
    }

    private static func columns(of header: CSVReader.Record) -> Result<[ImportColumn: Int], Issues> {
        var columns: [ImportColumn: Int] = [:]
        var issues: [ImportIssue] = []
        for (index, name) in header.fields.enumerated() {
            guard let column = ImportColumn(rawValue: name.trimmingCharacters().lowercased()) else { continue }
            if columns[column] != nil {
                issues.append(
                    ImportIssue(row: header.row, column: column.rawValue, code: .duplicateColumn, message: "The header names this column twice."))
            }
            columns[column] = index
        }
        for column in ImportColumn.required where columns[column] == nil {
            issues.append(
                ImportIssue(row: header.row, column: column.rawValue, code: .missingColumn, message: "The header lacks this column."))
        }
        return issues.isEmpty ? .success(columns) : .failure(Issues(issues: issues))
    }

    // MARK: Rows

    private static func pupil(
        _ record: CSVReader.Record, columns: [ImportColumn: Int], headerCount: Int, today: ImportValues.Day
    ) -> Result<ImportedPupil, Issues> {
        var issues: [ImportIssue] = []
        let row = record.row
        if record.fields.count > headerCount,
           record.fields[headerCount...].contains(where: { !$0.trimmingCharacters().isEmpty })
        {
            issues.append(ImportIssue(row: row, column: nil, code: .extraFields, message: "The row has more values than the header has columns."))
        }
        func issue(_ column: ImportColumn, _ code: ImportIssue.Code, _ message: String) {
            issues.append(ImportIssue(row: row, column: column.rawValue, code: code, message: message))
        }
        /// The trimmed value of `column`; nil when empty (reported if the column needs a value) or too long.
        func value(_ column: ImportColumn) -> String? {
            guard let index = columns[column], index < record.fields.count else {
                if !column.allowsEmpty, columns[column] != nil { issue(column, .required, "A value is required.") }
                return nil
            }
            let text = record.fields[index].trimmingCharacters()
            if text.isEmpty {
                if !column.allowsEmpty { issue(column, .required, "A value is required.") }
                return nil
            }
            guard text.count <= column.maximumLength else {
                issue(column, .tooLong, "The value is longer than \(column.maximumLength) characters.")
                return nil
            }
            return text
        }
        func name(_ column: ImportColumn) -> String? {
            guard let text = value(column) else { return nil }
            guard let name = ImportValues.name(text) else {
                issue(column, .invalidName, "A name holds letters, spaces, hyphens and apostrophes only.")
                return nil
            }
            return name
        }
        func date(_ column: ImportColumn) -> ImportValues.Day? {
            guard let text = value(column) else { return nil }
            guard let day = ImportValues.date(text) else {
                issue(column, .invalidDate, "Not a date DD.MM.YYYY or YYYY-MM-DD.")
                return nil
            }
            guard day <= today else {
                issue(column, .invalidDate, "The date is in the future.")
                return nil
            }
            return day
        }

        let surname = name(.surname)
        let firstName = name(.firstName)
        let patronymic = name(.patronymic)
        let birthDate = date(.birthDate)
        var snils: String?
        if let text = value(.snils) {
            snils = ImportValues.snils(text)
            if snils == nil { issue(.snils, .invalidSnils, "Not an 11-digit SNILS with a valid checksum.") }
        }
        var grade: String?
        if let text = value(.grade) {
            grade = ImportValues.grade(text)
            if grade == nil { issue(.grade, .invalidGrade, "Not a grade 1 to 11.") }
        }
        var schoolClass: String?
        if columns[.schoolClass] != nil, let text = value(.schoolClass) {
            schoolClass = ImportValues.printable(text)
            if schoolClass == nil { issue(.schoolClass, .invalidValue, "The class holds control characters.") }
        }
        let guardianSurname = name(.guardianSurname)
        let guardianFirstName = name(.guardianFirstName)
        let guardianPatronymic = name(.guardianPatronymic)
        var relation = "parent"
        if columns[.guardianRelation] != nil, let text = value(.guardianRelation) {
            if ImportValues.relations.contains(text.lowercased()) {
                relation = text.lowercased()
            } else {
                issue(.guardianRelation, .invalidRelation, "The relation is mother, father, parent or guardian.")
            }
        }
        var phone: String?
        if let text = value(.guardianPhone) {
            phone = ImportValues.phone(text)
            if phone == nil { issue(.guardianPhone, .invalidPhone, "Not a phone number (10 to 15 digits).") }
        }
        var consentNumber: String?
        if let text = value(.consentNumber) {
            consentNumber = ImportValues.printable(text)
            if consentNumber == nil { issue(.consentNumber, .invalidValue, "The number holds control characters.") }
        }
        var purposes: [String] = []
        if columns[.consentPurposes] != nil, let text = value(.consentPurposes) {
            purposes = text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "|" }).map(String.init)
            if purposes.count > 7 || !purposes.allSatisfy({ $0.count <= 40 && $0.allSatisfy { ("a"..."z").contains($0) || $0 == "_" } }) {
                issue(.consentPurposes, .invalidValue, "Purposes are at most seven names like parent_request, separated by commas or spaces.")
                purposes = []
            }
        }
        let signedOn = date(.consentSignedOn)
        if let birthDate, let signedOn {
            if signedOn < birthDate {
                issue(.consentSignedOn, .invalidConsent, "The consent is dated before the pupil's birth date.")
            } else if birthDate.age(on: signedOn) >= 18 {
                issue(
                    .birthDate, .invalidConsent,
                    "The pupil was an adult when the consent was signed and consents personally; register this pupil on their own.")
            }
        }
        guard issues.isEmpty, let surname, let firstName, let birthDate, let grade, let guardianSurname, let guardianFirstName,
              let phone, let consentNumber, let signedOn
        else { return .failure(Issues(issues: issues)) }
        return .success(
            ImportedPupil(
                row: row, surname: surname, firstName: firstName, patronymic: patronymic, birthDate: birthDate.iso, snils: snils,
                grade: grade, schoolClass: schoolClass, guardianSurname: guardianSurname, guardianFirstName: guardianFirstName,
                guardianPatronymic: guardianPatronymic, guardianRelation: relation, guardianPhone: phone,
                consentNumber: consentNumber, consentSignedOn: signedOn.iso, consentPurposes: purposes))
    }

    // MARK: Dates

    /// The date an import is checked against: the latest calendar date anywhere in Russia (UTC+12;
    /// UTC + 14 h is used), so a school in the far east is never refused its own today.
    public static func today(now: Date = Date()) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: now.addingTimeInterval(14 * 3_600))
        return ImportValues.Day(year: parts.year ?? 0, month: parts.month ?? 0, day: parts.day ?? 0).iso
    }

    // MARK: Encoding

    /// The spreadsheet row (line number; a multi-line quoted cell can only make it earlier) of the
    /// first byte that is not valid UTF-8, or nil when all of `bytes` is UTF-8.
    static func firstInvalidUTF8Row(_ bytes: ArraySlice<UInt8>) -> Int? {
        var row = 1
        var lineStart = bytes.startIndex
        var index = bytes.startIndex
        while index <= bytes.endIndex {
            if index == bytes.endIndex || bytes[index] == 0x0A {
                let line = bytes[lineStart..<index]
                // ASCII lines need no decoding; others are validated.
                if line.contains(where: { $0 >= 0x80 || $0 == 0 }), String(validating: line, as: UTF8.self) == nil || line.contains(0) {
                    return row
                }
                row += 1
                lineStart = index + 1
            }
            index += 1
        }
        return nil
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and no-break spaces.
    func trimmingCharacters() -> String {
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\u{00A0}" || $0 == "\r" }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isSpace($0) })!
        return String(scalars[first...last])
    }
}
