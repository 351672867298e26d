import Gateway
import Testing

@testable import RecommendationsHTTP

/// The KPI report's lookup of a school's or venue's region: a registry that cannot be read is
/// `503 unavailable` (it was a `try?`, which answered a database error as a refusal), an unknown
/// organisation `403 forbidden` like one the caller may not see.
@Suite("KPI region lookup")
struct KPIRegionLookupTests {
    struct RegistryDown: Error {}

    @Test("a registry error is 503 unavailable, not a refusal")
    func storageErrorIsUnavailable() async throws {
        let error = await #expect(throws: Problem.self) {
            _ = try await KPIDesk.region(of: "school", "77-0001") { _, _ in throw RegistryDown() }
        }
        #expect(error?.status == .serviceUnavailable)
        #expect(error?.code == "unavailable")
    }

    @Test("an unknown organisation is 403 forbidden; a known one gives its region")
    func unknownIsForbidden() async throws {
        let error = await #expect(throws: RecommendationsHTTPRefusal.self) {
            _ = try await KPIDesk.region(of: "venue", "77-V09") { _, _ in nil }
        }
        #expect(error?.problem.status == .forbidden)
        #expect(try await KPIDesk.region(of: "school", "77-0001") { kind, id in kind == "school" && id == "77-0001" ? "77" : nil } == "77")
    }
}
