import Trials

/// `?offset=&limit=` of the mentor's attendance list: one page of at most
/// ``TrialsStore/maximumSeatedPage`` seated pupils (default 100), so a mass event's names are
/// read from the vault a page at a time, within its batch bound, and each page view audits only
/// the names it shows.
struct AttendancePage: Sendable, Equatable {
    static let defaultLimit = 100

    let offset: Int
    let limit: Int

    /// Reads the page from the query; a malformed or out-of-range value is `400 invalid-query`.
    init(offset: Substring?, limit: Substring?) throws(TrialsError) {
        self.offset = try Self.number(offset, default: 0, in: 0...10_000_000, name: "offset")
        self.limit = try Self.number(limit, default: Self.defaultLimit, in: 1...TrialsStore.maximumSeatedPage, name: "limit")
    }

    private static func number(_ text: Substring?, default value: Int, in range: ClosedRange<Int>, name: String) throws(TrialsError) -> Int {
        guard let text else { return value }
        guard text.count <= 9, text.allSatisfy(\.isASCII), let parsed = Int(text), range.contains(parsed) else {
            throw TrialsError(.invalidQuery, "\(name) is malformed or out of range")
        }
        return parsed
    }
}
