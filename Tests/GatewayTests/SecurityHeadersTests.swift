import HTTPTypes
import Testing

@testable import Gateway

/// ``SecurityHeaders/apply(to:)`` on its own: what the listeners' response handler adds to every head.
@Suite struct SecurityHeadersTests {
    @Test func addsEveryFixedHeaderAndNoStoreToAPlainAnswer() {
        var fields: HTTPFields = [.contentType: "application/json", .contentLength: "2"]
        SecurityHeaders.apply(to: &fields)
        #expect(fields[.contentType] == "application/json")
        #expect(fields[.strictTransportSecurity] == "max-age=63072000; includeSubDomains")
        #expect(fields[.xContentTypeOptions] == "nosniff")
        #expect(fields[.contentSecurityPolicy] == "default-src 'none'; frame-ancestors 'none'")
        #expect(fields[.referrerPolicy] == "no-referrer")
        #expect(fields[.xFrameOptions] == "DENY")
        #expect(fields[.cacheControl] == "no-store")
        #expect(fields.count == 8)
    }

    @Test func replacesAFixedHeaderARouteSetAndKeepsItsCacheControl() {
        var fields: HTTPFields = [.xFrameOptions: "SAMEORIGIN", .cacheControl: "max-age=60"]
        fields.append(HTTPField(name: .xFrameOptions, value: "ALLOW-FROM x"))
        SecurityHeaders.apply(to: &fields)
        #expect(fields[values: .xFrameOptions] == ["DENY"])
        #expect(fields[values: .cacheControl] == ["max-age=60"])
        #expect(fields.count == 6)
    }

    @Test func isIdempotent() {
        var once: HTTPFields = [.contentType: "text/plain"]
        SecurityHeaders.apply(to: &once)
        var twice = once
        SecurityHeaders.apply(to: &twice)
        #expect(Set(twice.map { "\($0.name): \($0.value)" }) == Set(once.map { "\($0.name): \($0.value)" }))
        #expect(twice.count == once.count)
    }
}
