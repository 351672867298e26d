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

/// The pages' one exception (issue 14): exactly the page policy a page route set stays; any other
/// policy a route sets is replaced by the API's.
@Suite struct PageSecurityHeadersTests {
    @Test func keepsExactlyThePagePolicy() {
        var fields: HTTPFields = [.contentType: "text/html; charset=utf-8", .contentSecurityPolicy: SecurityHeaders.pageContentSecurityPolicy]
        SecurityHeaders.apply(to: &fields)
        #expect(fields[values: .contentSecurityPolicy] == [SecurityHeaders.pageContentSecurityPolicy])
        #expect(fields[.xFrameOptions] == "DENY")
        #expect(fields[.cacheControl] == "no-store")
        var again = fields
        SecurityHeaders.apply(to: &again)
        #expect(again == fields)
    }

    @Test func replacesAnyOtherPolicy() {
        var fields: HTTPFields = [.contentSecurityPolicy: "default-src *; script-src 'unsafe-inline'"]
        SecurityHeaders.apply(to: &fields)
        #expect(fields[values: .contentSecurityPolicy] == ["default-src 'none'; frame-ancestors 'none'"])
        var weakened: HTTPFields = [.contentSecurityPolicy: SecurityHeaders.pageContentSecurityPolicy + "; script-src 'unsafe-inline'"]
        SecurityHeaders.apply(to: &weakened)
        #expect(weakened[values: .contentSecurityPolicy] == ["default-src 'none'; frame-ancestors 'none'"])
    }

    @Test func onlyPagePathsArePages() {
        #expect(SecurityHeaders.isPagePath("/app/sign-in"))
        #expect(!SecurityHeaders.isPagePath("/v1/pupils"))
        #expect(!SecurityHeaders.isPagePath("/application"))
    }
}
