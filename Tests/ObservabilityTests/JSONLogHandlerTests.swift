import Foundation
import Logging
import Testing

@testable import Observability

@Suite struct JSONLogHandlerTests {
    @Test func lineIsOneValidJSONObjectWithFixedFields() throws {
        let line = JSONLogHandler.render(
            time: Date(timeIntervalSince1970: 1_700_000_000.123), level: .warning, label: "bilet.gateway",
            message: "refused \"quoted\"\nnext", source: "Gateway",
            metadata: ["reason": "expired", "count": .stringConvertible(3), "fields": ["surname", "snils"]])
        #expect(line.hasSuffix("}\n"))
        #expect(line.filter { $0 == "\n" }.count == 1)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["level"] as? String == "warning")
        #expect(object["logger"] as? String == "bilet.gateway")
        #expect(object["message"] as? String == "refused \"quoted\"\nnext")
        #expect(object["reason"] as? String == "expired")
        #expect(object["count"] as? String == "3")
        #expect(object["fields"] as? [String] == ["surname", "snils"])
        #expect((object["time"] as? String)?.hasPrefix("2023-11-14T22:13:20.123") == true)
    }

    @Test func controlCharactersAreEscaped() throws {
        let line = JSONLogHandler.render(
            time: Date(), level: .info, label: "t", message: "a\u{0}b\u{1F}c\u{2028}", source: "s", metadata: [:])
        #expect(line.contains("\\u0000"))
        #expect(line.contains("\\u001f"))
        #expect(line.contains("\\u2028"))
        _ = try JSONSerialization.jsonObject(with: Data(line.utf8))
    }

    @Test func metadataCannotOverrideFixedFields() throws {
        let line = JSONLogHandler.render(
            time: Date(), level: .info, label: "real", message: "m", source: "s", metadata: ["logger": "fake"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["logger"] as? String == "real")
    }
}
