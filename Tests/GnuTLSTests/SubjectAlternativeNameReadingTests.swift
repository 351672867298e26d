import Foundation
import GnuTLS
import Testing

/// Review finding L7, at the parser: a subject alternative name extension is either read to its
/// end or not at all. (Certificates with more than 64 entries are made with certtool in
/// `Tests/TLSTests/SubjectAlternativeNameLimitTests.swift`.)
@Suite struct SubjectAlternativeNameReadingTests {
    /// A synthetic client certificate (made with certtool, then altered; its signature is not
    /// checked here) whose SAN holds `bilet://school/77-1234/ws/3`, then an entry GnuTLS does not
    /// support (an ediPartyName where a URI was), then `bilet://school/77-9999/ws/1`. A parser that
    /// stopped at the broken entry would see one identity, the first.
    static let brokenEntryInTheMiddle = """
        MIIBzjCCAXWgAwIBAgIDWloBMAoGCCqGSM49BAMCMA0xCzAJBgNVBAMTAmNhMCAXDTI2MTIwNjIwNTEyMFoYDzIxMjYxMTEyMjA1\
        MTIwWjAMMQowCAYDVQQDEwF4MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAECXOa3GNdZfSrc/1+/7Lx2vw0cr6vQqLMTBb7XJJd\
        ++uqn6Ga6C325tuSOa997Pkvn80I1Gh5u4T4948tT3Qc8qOBwjCBvzAMBgNVHRMBAf8EAjAAMBMGA1UdJQQMMAoGCCsGAQUFBwMC\
        MEoGA1UdEQRDMEGGG2JpbGV0Oi8vc2Nob29sLzc3LTEyMzQvd3MvM6UFoQMMAXiGG2JpbGV0Oi8vc2Nob29sLzc3LTk5OTkvd3Mv\
        MTAOBgNVHQ8BAf8EBAMCB4AwHQYDVR0OBBYEFNvA02I+omirdSuA7jl02UW9ebkPMB8GA1UdIwQYMBaAFEk/fZV+H6Crc+7JUKSk\
        KVmd8bWKMAoGCCqGSM49BAMCA0cAMEQCICz2DAXlF2WSSUy5zqfeA0vKci7Q8swfY8LtiNBq4XEGAiBaQZeFRq3kqEnUyam7nYJ+\
        PB19Vqz0HQXHlrmk+EumeQ==
        """

    @Test func aBrokenEntryNeverYieldsATruncatedList() throws {
        let der = try #require(Data(base64Encoded: Self.brokenEntryInTheMiddle))
        // GnuTLS reads the SAN at import: such a certificate does not parse at all, so no caller
        // can be handed the identities before the broken entry.
        let certificate: X509Certificate
        do {
            certificate = try X509Certificate(der: Array(der))
        } catch {
            #expect(error.code == .malformedCertificate)
            return
        }
        // Were it imported, the reading would have to be unreadable, and the URI list empty.
        guard case .unreadable(.unreadableEntry) = certificate.subjectAlternativeURIReading else {
            Issue.record("a SAN with a broken entry was read as \(certificate.subjectAlternativeURIReading)")
            return
        }
        #expect(certificate.subjectAlternativeURIs.isEmpty)
    }

    @Test func theProblemsHaveStableCodes() {
        #expect(SubjectAlternativeURIReading.Problem.tooManyEntries.code == "too-many-san-entries")
        #expect(SubjectAlternativeURIReading.Problem.unreadableEntry(gnutlsCode: -1).code == "unreadable-san-entry")
        #expect(X509Certificate.maximumSubjectAlternativeNames == 64)
    }
}
