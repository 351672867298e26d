import Foundation
import GnuTLS
import Identity
import TLS
import TLSTestSupport
import Testing

/// Review finding L7: reading the subject alternative names never stops silently. A certificate
/// with more entries than the parser reads has an unreadable identity and is refused, even when a
/// `bilet://` URI sits among the entries that would have been read; a second identity beyond the
/// old 64-entry cap is therefore never missed.
@Suite struct SubjectAlternativeNameLimitTests {
    static let identity = "bilet://school/77-1234/ws/61"

    /// A client certificate whose SAN is `identity`, then `fillers` other URIs, then `trailing`.
    static func issue(_ name: String, fillers: Int, trailing: [String], in pki: TestPKI) async throws -> [X509Certificate] {
        let uris = [identity] + (0..<fillers).map { "https://example.invalid/filler/\($0)" } + trailing
        try await pki.issue(name, by: "ca", template: TestPKI.clientTemplate(cn: name, uris: uris))
        return try X509Certificate.list(pem: Array(Data(contentsOf: URL(fileURLWithPath: pki.path("\(name).pem")))))
    }

    @Test func sixtyFourEntriesAreReadInFull() async throws {
        let pki = try await SharedPKI.get()
        let chain = try await Self.issue("san-64", fillers: 63, trailing: [], in: pki)
        guard case .read(let uris) = chain[0].subjectAlternativeURIReading else {
            Issue.record("64 entries must be readable")
            return
        }
        #expect(uris.count == X509Certificate.maximumSubjectAlternativeNames)
        #expect(uris.first == Self.identity)
        guard case .accepted(let client) = try VerifierTests.verifier(pki).verify(chain: chain, authentication: .required) else {
            Issue.record("refused")
            return
        }
        #expect(client.principal.uri == Self.identity)
    }

    @Test func moreThanSixtyFourEntriesMakeTheIdentityUnreadableAndAreRefused() async throws {
        let pki = try await SharedPKI.get()
        // Entry 65 is a second identity: the old parser stopped at 64 and accepted the first one.
        let chain = try await Self.issue("san-65", fillers: 63, trailing: ["bilet://school/77-9999/ws/1"], in: pki)
        #expect(chain[0].subjectAlternativeURIReading == .unreadable(.tooManyEntries))
        #expect(SubjectAlternativeURIReading.Problem.tooManyEntries.code == "too-many-san-entries")
        #expect(chain[0].subjectAlternativeURIs.isEmpty)
        let outcome = try VerifierTests.verifier(pki).verify(chain: chain, authentication: .required)
        guard case .refused(let reason) = outcome else {
            Issue.record("a certificate whose identity cannot be read completely must be refused, got \(outcome)")
            return
        }
        #expect(reason == .noIdentity)
    }

    @Test func manyEntriesWithoutASecondIdentityAreRefusedToo() async throws {
        let pki = try await SharedPKI.get()
        let chain = try await Self.issue("san-100", fillers: 99, trailing: [], in: pki)
        #expect(chain[0].subjectAlternativeURIReading == .unreadable(.tooManyEntries))
        let outcome = try VerifierTests.verifier(pki).verify(chain: chain, authentication: .required)
        guard case .refused(let reason) = outcome else {
            Issue.record("refused expected, got \(outcome)")
            return
        }
        #expect(reason == .noIdentity)
    }
}
