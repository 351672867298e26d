/// Splits CSV text into records of fields, as a spreadsheet writes it (RFC 4180 with the usual
/// relaxations): one delimiter (`;` or `,`), fields optionally in double quotes, a doubled quote
/// inside a quoted field is one quote, a quoted field may hold delimiters and line breaks, lines
/// end with LF or CRLF.
///
/// It works on the UTF-8 bytes (every byte it looks for is ASCII, and no byte of a multi-byte
/// UTF-8 sequence is ASCII), so it is fast on a 10,000-row file. Each record carries the row number
/// a spreadsheet shows for it (the first record is row 1): a quoted line break does not start a
/// new row.
struct CSVReader {
    /// One record: its spreadsheet row number and its fields.
    struct Record: Sendable, Hashable {
        let row: Int
        let fields: [String]
    }

    /// Why the text could not be split.
    enum Failure: Error, Equatable {
        /// A quoted field opened on `row` is never closed.
        case unterminatedQuote(row: Int)
    }

    static let quote = UInt8(ascii: "\"")
    static let lineFeed = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")

    let delimiter: UInt8

    /// The delimiter the first line of `bytes` uses: the more frequent of `;` and `,` outside
    /// quotes (Russian Excel writes `;`), or nil when it has neither.
    static func detectDelimiter(_ bytes: ArraySlice<UInt8>) -> UInt8? {
        var semicolons = 0
        var commas = 0
        var quoted = false
        for byte in bytes {
            if byte == quote {
                quoted.toggle()
            } else if !quoted {
                if byte == lineFeed { break }
                if byte == UInt8(ascii: ";") { semicolons += 1 }
                if byte == UInt8(ascii: ",") { commas += 1 }
            }
        }
        if semicolons == 0 && commas == 0 { return nil }
        return semicolons >= commas ? UInt8(ascii: ";") : UInt8(ascii: ",")
    }

    /// The records of `bytes` (valid UTF-8), at most `limit` of them: reading stops at the
    /// `limit`-th, so an oversized file costs no more than its first `limit` records. After the
    /// first record, a blank one (every field empty or spaces: a blank line, `;;;`) is skipped
    /// without counting; the records after it keep their row numbers.
    func records(of bytes: ArraySlice<UInt8>, limit: Int = .max) -> Result<[Record], Failure> {
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var fieldStarted = false
        var recordRow = 1
        var index = bytes.startIndex
        let end = bytes.endIndex
        func finishField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldStarted = false
        }
        while index < end {
            let byte = bytes[index]
            index += 1
            if quoted {
                if byte == Self.quote {
                    if index < end, bytes[index] == Self.quote {
                        field.append(Self.quote)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case Self.quote where !fieldStarted:
                quoted = true
                fieldStarted = true
            case delimiter:
                finishField()
            case Self.carriageReturn where index < end && bytes[index] == Self.lineFeed:
                continue
            case Self.lineFeed:
                finishField()
                if records.isEmpty || !Self.isBlank(fields) {
                    records.append(Record(row: recordRow, fields: fields))
                    if records.count == limit { return .success(records) }
                }
                fields = []
                recordRow += 1
            default:
                field.append(byte)
                fieldStarted = true
            }
        }
        if quoted { return .failure(.unterminatedQuote(row: recordRow)) }
        if fieldStarted || !fields.isEmpty || !field.isEmpty {
            finishField()
            if records.isEmpty || !Self.isBlank(fields) { records.append(Record(row: recordRow, fields: fields)) }
        }
        return .success(records)
    }

    /// Whether every field of a record is empty or spaces.
    static func isBlank(_ fields: [String]) -> Bool {
        fields.allSatisfy { $0.trimmingCharacters().isEmpty }
    }
}
