import Foundation
import RecommendationsHTTP
import Testing

/// KPI figures leave the server suppressed: under 5 only as "<5".
@Suite("Suppressed counts")
struct SuppressedCountTests {
    static func encoded(_ count: SuppressedCount) throws -> String {
        String(decoding: try JSONEncoder().encode([count]), as: UTF8.self)
    }

    @Test("0 to 4 encode as \"<5\"; 5 and more exactly", arguments: [(0, #"["<5"]"#), (1, #"["<5"]"#), (4, #"["<5"]"#), (5, "[5]"), (6, "[6]"), (100_000, "[100000]")])
    func suppression(count: Int, expected: String) throws {
        #expect(try Self.encoded(SuppressedCount(count)) == expected)
    }

    @Test("a month's raw counts are each suppressed")
    func month() throws {
        var raw = RawKPICounts()
        raw.pupilsRegistered = 4
        raw.consentsCollected = 5
        raw.trialsAttended = 0
        raw.testsCompleted = 12
        raw.recommendationsDelivered = 3
        let month = KPIMonth(month: "2026-12", raw: raw)
        let text = String(decoding: try JSONEncoder().encode(month), as: UTF8.self)
        for expected in [#""pupilsRegistered":"<5""#, #""consentsCollected":5"#, #""trialsAttended":"<5""#, #""testsCompleted":12"#,
                         #""recommendationsDelivered":"<5""#] {
            #expect(text.contains(expected), "\(text)")
        }
    }
}
