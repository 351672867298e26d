import Foundation
import PupilImport
import Testing

/// The import file check: encodings, delimiters, quoting, dates, every row checked, row numbers as
/// a spreadsheet shows them. All data is synthetic.
@Suite("PupilImport")
struct PupilImportTests {
    static let today = "2026-01-15"
    static let header = SyntheticImport.header

    private func rows(_ outcome: PupilImportFile.Outcome) throws -> [ImportedPupil] {
        guard case .valid(let rows) = outcome else {
            Issue.record("expected a valid file, got \(outcome)")
            throw CancellationError()
        }
        return rows
    }

    private func issues(_ outcome: PupilImportFile.Outcome) throws -> [ImportIssue] {
        guard case .invalid(let issues, let total) = outcome else {
            Issue.record("expected the file to be refused")
            throw CancellationError()
        }
        #expect(total == issues.count)
        return issues
    }

    @Test("UTF-8 with a byte-order mark, ; delimiter, DD.MM.YYYY dates")
    func bomSemicolonRussianDates() throws {
        let text = Self.header + "\r\n" + SyntheticImport.row(0) + "\r\n"
        let rows = try rows(PupilImportFile.check([0xEF, 0xBB, 0xBF] + Array(text.utf8), today: Self.today))
        #expect(rows.count == 1)
        let pupil = try #require(rows.first)
        #expect(pupil.row == 2)
        #expect(pupil.surname == SyntheticImport.surname(0))
        #expect(pupil.birthDate == "2010-01-01")
        #expect(pupil.consentSignedOn == "2025-09-01")
        #expect(pupil.snils == SyntheticImport.snils(0))
        #expect(pupil.guardianPatronymic == nil)
        #expect(pupil.guardianRelation == "parent")
    }

    @Test("The optional consent_purposes column: names separated by commas or spaces; anything else is named")
    func consentPurposes() throws {
        let text = Self.header + ";consent_purposes\r\n" + SyntheticImport.row(0) + ";parent_request, assessment\r\n"
            + SyntheticImport.row(1) + ";\r\n"
        let parsed = try rows(PupilImportFile.check(Array(text.utf8), today: Self.today))
        #expect(parsed.map(\.consentPurposes) == [["parent_request", "assessment"], []])
        let bad = Self.header + ";consent_purposes\r\n" + SyntheticImport.row(0) + ";Родительский запрос\r\n"
        let found = try issues(PupilImportFile.check(Array(bad.utf8), today: Self.today))
        #expect(found.map(\.row) == [2])
        #expect(found.map(\.column) == ["consent_purposes"])
        #expect(found.map(\.code) == [.invalidValue])
        // Without the column, enrolment only.
        let plain = try rows(PupilImportFile.check(Array((Self.header + "\r\n" + SyntheticImport.row(0)).utf8), today: Self.today))
        #expect(plain.first?.consentPurposes == [])
    }

    @Test("UTF-8 without a byte-order mark, , delimiter, columns in another order, ISO dates, quoted fields")
    func commaQuotedIsoDates() throws {
        let text = [
            "consent_signed_on,consent_number,guardian_phone,guardian_patronymic,guardian_first_name,guardian_surname,grade,snils,"
                + "birth_date,patronymic,first_name,surname,class",
            #"2025-09-01,"К-1, ""особая"" форма",8 (999) 123-45-67,,Елена,"Тестова-Иванова",7,,2012-03-04,,"Анна",Тестова,"7 ""Б""""#,
            "",
        ].joined(separator: "\n")
        let rows = try rows(PupilImportFile.check(Array(text.utf8), today: Self.today))
        let pupil = try #require(rows.first)
        #expect(rows.count == 1)
        #expect(pupil.consentNumber == "К-1, \"особая\" форма")
        #expect(pupil.schoolClass == "7 \"Б\"")
        #expect(pupil.guardianPhone == "+79991234567")
        #expect(pupil.birthDate == "2012-03-04")
        #expect(pupil.consentSignedOn == "2025-09-01")
        #expect(pupil.guardianSurname == "Тестова-Иванова")
        #expect(pupil.snils == nil)
        #expect(pupil.patronymic == nil)
    }

    @Test("A quoted line break stays in its cell: later rows keep their spreadsheet numbers")
    func quotedLineBreakKeepsRowNumbers() throws {
        // An extra column (ignored) holds a note with a line break.
        let text = Self.header + ";note\n" + SyntheticImport.row(0) + ";\"строка 1\nстрока 2\"\n"
            + SyntheticImport.row(1).replacingFirst(";7;", with: ";12;") + ";\n"
        let issues = try issues(PupilImportFile.check(Array(text.utf8), today: Self.today))
        #expect(issues == [ImportIssue(row: 3, column: "grade", code: .invalidGrade, message: "Not a grade 1 to 11.")])
    }

    @Test("10,000 rows with errors in rows 3 and 9,999: exactly those two are named")
    func tenThousandRowsTwoErrors() throws {
        var lines = [Self.header] + (0..<10_000).map { SyntheticImport.row($0) }
        // Row 3 is the second data row (index 1); row 9,999 is index 9,997.
        lines[2] = lines[2].replacingFirst(SyntheticImport.snils(1), with: "123-456-789 00")
        lines[9_998] = lines[9_998].replacingFirst("01.09.2025", with: "31.02.2025")
        let issues = try issues(PupilImportFile.check(Array(lines.joined(separator: "\r\n").utf8), today: Self.today))
        #expect(issues.map(\.row) == [3, 9_999])
        #expect(issues.map(\.column) == ["snils", "consent_signed_on"])
        #expect(issues.map(\.code) == [.invalidSnils, .invalidDate])
    }

    @Test("10,000 valid rows are all returned, in order")
    func tenThousandValidRows() throws {
        let rows = try rows(PupilImportFile.check(SyntheticImport.file(rows: 10_000), today: Self.today))
        #expect(rows.count == 10_000)
        #expect(rows.first?.row == 2)
        #expect(rows.last?.row == 10_001)
    }

    @Test("A file in Windows-1251 is refused with a message to save it as UTF-8")
    func windows1251Refused() throws {
        // "Тестова" in Windows-1251: Т=0xD2 е=0xE5 с=0xF1 т=0xF2 о=0xEE в=0xE2 а=0xE0.
        var bytes = Array((Self.header + "\r\n").utf8)
        bytes += [0xD2, 0xE5, 0xF1, 0xF2, 0xEE, 0xE2, 0xE0] + Array(";x;;01.01.2010;;7;y;z;;+79990000000;1;01.09.2025\r\n".utf8)
        let issues = try issues(PupilImportFile.check(bytes, today: Self.today))
        #expect(issues.count == 1)
        #expect(issues.first?.code == .notUTF8)
        #expect(issues.first?.row == 2)
        #expect(issues.first?.message.contains("Save it as UTF-8") == true)
        #expect(issues.first?.message.contains("CSV UTF-8") == true)
    }

    @Test("A header without a required column names the column")
    func missingColumn() throws {
        let header = Self.header.replacingFirst("guardian_phone;", with: "")
        let row = SyntheticImport.row(0).replacingFirst("+79991000000;", with: "")
        let issues = try issues(PupilImportFile.check(Array((header + "\n" + row).utf8), today: Self.today))
        #expect(issues == [ImportIssue(row: 1, column: "guardian_phone", code: .missingColumn, message: "The header lacks this column.")])
    }

    @Test(
        "Each bad value is named by row, column and code",
        arguments: [
            ("snils", "123-456-789 00", ImportIssue.Code.invalidSnils),
            ("birth_date", "2010-13-01", .invalidDate),
            ("birth_date", "01.01.2030", .invalidDate),
            ("grade", "0", .invalidGrade),
            ("guardian_phone", "+7 999 ABC", .invalidPhone),
            ("surname", "Тест0", .invalidName),
            ("first_name", "", .required),
            ("consent_signed_on", "2009-01-01", .invalidConsent),
        ])
    func badValues(column: String, value: String, code: ImportIssue.Code) throws {
        let columns = Self.header.split(separator: ";").map(String.init)
        var fields = SyntheticImport.row(0).split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        let index = try #require(columns.firstIndex(of: column))
        fields[index] = value
        let text = Self.header + "\n" + fields.joined(separator: ";") + "\n"
        let issues = try issues(PupilImportFile.check(Array(text.utf8), today: Self.today))
        #expect(issues.map(\.row) == [2])
        #expect(issues.map(\.column) == [column])
        #expect(issues.map(\.code) == [code])
    }

    @Test("The same pupil twice in a file: the later row is named, with the earlier one")
    func duplicateInFile() throws {
        let text = Self.header + "\n" + SyntheticImport.row(0) + "\n" + SyntheticImport.row(1) + "\n" + SyntheticImport.row(0) + "\n"
        let issues = try issues(PupilImportFile.check(Array(text.utf8), today: Self.today))
        #expect(issues == [ImportIssue(row: 4, column: "snils", code: .duplicateInFile, message: "The same SNILS is in row 2.")])
    }

    @Test("More than 10,000 rows are refused, naming the first row beyond")
    func tooManyRows() throws {
        let issues = try issues(PupilImportFile.check(SyntheticImport.file(rows: 10_001), today: Self.today))
        #expect(issues.map(\.code) == [.tooManyRows])
        #expect(issues.map(\.row) == [10_002])
    }

    @Test("Blank rows are skipped but keep the numbering")
    func blankRowsSkipped() throws {
        let text = Self.header + "\n;;;;;;;;;;;\n\n" + SyntheticImport.row(0) + "\n"
        let rows = try rows(PupilImportFile.check(Array(text.utf8), today: Self.today))
        #expect(rows.map(\.row) == [4])
    }

    @Test("Many blank rows are skipped without counting toward the row limit, and the rows after them keep their numbers")
    func manyBlankRows() throws {
        let text = Self.header + String(repeating: "\n;;;;;;;;;;;\n", count: 50_000) + SyntheticImport.row(0) + "\n"
        let rows = try rows(PupilImportFile.check(Array(text.utf8), today: Self.today))
        #expect(rows.map(\.row) == [100_001])  // the header, then 100,000 blank or empty rows
    }

    @Test("A file far beyond the row limit is refused at the first row beyond it")
    func farBeyondTheRowLimit() throws {
        let issues = try issues(PupilImportFile.check(SyntheticImport.file(rows: 20_000), today: Self.today))
        #expect(issues.map(\.code) == [.tooManyRows])
        #expect(issues.map(\.row) == [10_002])
    }

    @Test("An unterminated quote is named by the row it opens in")
    func unterminatedQuote() throws {
        let text = Self.header + "\n" + SyntheticImport.row(0) + "\n\"Тест;" + "\n"
        let issues = try issues(PupilImportFile.check(Array(text.utf8), today: Self.today))
        #expect(issues.map(\.code) == [.unterminatedQuote])
        #expect(issues.map(\.row) == [3])
    }
}

extension String {
    /// `self` with the first occurrence of `target` replaced.
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
