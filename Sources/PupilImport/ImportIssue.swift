/// One problem found in an import file: where (the spreadsheet row, header = row 1, and the
/// column, if one), a stable code and a sentence for the person fixing the file.
///
/// Never repeats a value from the file: the message says what is wrong, not what was written.
public struct ImportIssue: Sendable, Hashable, Codable, Error {
    /// The stable codes.
    public enum Code: String, Sendable, Hashable, Codable, CaseIterable {
        /// The file is not UTF-8 (Windows-1251, UTF-16 …).
        case notUTF8 = "not-utf8"
        /// The file has no header row, or no data rows.
        case empty
        /// The header lacks a required column.
        case missingColumn = "missing-column"
        /// The header names a column twice.
        case duplicateColumn = "duplicate-column"
        /// More data rows than one import takes.
        case tooManyRows = "too-many-rows"
        /// A quoted field is never closed.
        case unterminatedQuote = "unterminated-quote"
        /// A row has more fields than the header.
        case extraFields = "extra-fields"
        /// A required value is empty.
        case required
        /// A value is longer than the column allows.
        case tooLong = "too-long"
        /// A name holds characters a name does not (digits, symbols, control characters).
        case invalidName = "invalid-name"
        /// Not a date `DD.MM.YYYY` or `YYYY-MM-DD`, an impossible date, or one in the future.
        case invalidDate = "invalid-date"
        /// Not 11 digits, or the checksum does not match.
        case invalidSnils = "invalid-snils"
        /// Not a grade 1 to 11.
        case invalidGrade = "invalid-grade"
        /// Not a phone number.
        case invalidPhone = "invalid-phone"
        /// Not one of the relations the column takes.
        case invalidRelation = "invalid-relation"
        /// The consent cannot be valid as written (signed before the pupil was born, or the pupil
        /// is an adult who signs personally).
        case invalidConsent = "invalid-consent"
        /// The same pupil appears twice in the file (same SNILS, or same surname, first name and
        /// birth date).
        case duplicateInFile = "duplicate-in-file"
        /// A pupil with this SNILS, or the same surname, first name and birth date, is already
        /// registered at the school.
        case duplicatePupil = "duplicate-pupil"
        /// The value is not accepted by the registry (a rule checked when storing).
        case invalidValue = "invalid-value"
    }

    /// The spreadsheet row number (header = 1).
    public var row: Int
    /// The column's header name, when the problem is in one column.
    public var column: String?
    public var code: Code
    /// A sentence in English; never a value from the file.
    public var message: String

    /// Creates an issue.
    public init(row: Int, column: String?, code: Code, message: String) {
        self.row = row
        self.column = column
        self.code = code
        self.message = message
    }
}
