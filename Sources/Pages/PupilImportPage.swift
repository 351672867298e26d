public import PupilImport

/// The import page's table of refused rows.
public enum PupilImportPage {
    /// One refused row, as the table shows it.
    public struct Row: Sendable, Hashable {
        public let row: Int
        public let column: String
        public let message: String

        public init(row: Int, column: String, message: String) {
            self.row = row
            self.column = column
            self.message = message
        }
    }

    /// The table of `issues` (the file's row numbers, the header being row 1).
    public static func rows(_ issues: [ImportIssue]) -> [Row] {
        issues.map {
            Row(row: $0.row, column: $0.column.map(ImportIssueText.column) ?? "—", message: ImportIssueText.message($0.code, column: $0.column))
        }
    }
}
