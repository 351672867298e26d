import Identity
import Testing

@Suite struct IdentityURITests {
    @Test func schoolWorkstation() throws {
        let principal = try IdentityURI.parse("bilet://school/77-1234/ws/3")
        let organisation = Organisation(kind: .school, id: try #require(OrganisationID("77-1234")))
        #expect(principal == .device(organisation, try #require(DeviceID(kind: .workstation, number: 3))))
        #expect(principal.organisation == organisation)
        #expect(principal.uri == "bilet://school/77-1234/ws/3")
    }

    @Test(arguments: [
        "bilet://venue/77-0042/ws/12",
        "bilet://region/77/ws/1",
        "bilet://operator/op-1/ws/1",
        "bilet://school/msk-A17/ws/999999",
        "bilet://service/assessment",
        "bilet://service/kpi-export",
    ])
    func roundTrips(uri: String) throws {
        #expect(try IdentityURI.parse(uri).uri == uri)
    }

    @Test("the operator is an organisation of its own kind, not a school")
    func operatorWorkstation() throws {
        let principal = try IdentityURI.parse("bilet://operator/op-1/ws/1")
        #expect(principal.organisation == Organisation(kind: .operator, id: try #require(OrganisationID("op-1"))))
        #expect(principal.organisation?.kind != .school)
    }

    @Test func service() throws {
        #expect(try IdentityURI.parse("bilet://service/assessment") == .service(try #require(ServiceName("assessment"))))
    }

    static let refusals: [(String, IdentityError.Code)] = [
        ("https://school/77-1234/ws/3", .notAnIdentityURI),
        ("BILET://school/77-1234/ws/3", .notAnIdentityURI),
        ("bilet:school/77-1234/ws/3", .notAnIdentityURI),
        ("bilet://school/77-1234/ws/3/", .malformed),
        ("bilet://school/77-1234/ws", .malformed),
        ("bilet://school/77-1234", .malformed),
        ("bilet://school//ws/3", .invalidOrganisationID),
        ("bilet://school/77--1234/ws/3", .invalidOrganisationID),
        ("bilet://school/-77/ws/3", .invalidOrganisationID),
        ("bilet://school/77%2F1/ws/3", .invalidOrganisationID),
        ("bilet://school/77 1/ws/3", .invalidOrganisationID),
        ("bilet://school/77-1234/ws/03", .invalidDeviceNumber),
        ("bilet://school/77-1234/ws/0", .invalidDeviceNumber),
        ("bilet://school/77-1234/ws/1000000", .invalidDeviceNumber),
        ("bilet://school/77-1234/ws/+3", .invalidDeviceNumber),
        ("bilet://school/77-1234/ws/3?x=1", .invalidDeviceNumber),
        ("bilet://school/77-1234/phone/3", .unknownDeviceKind),
        ("bilet://School/77-1234/ws/3", .unknownKind),
        ("bilet://pupil/77-1234/ws/3", .unknownKind),
        ("bilet://Operator/op-1/ws/1", .unknownKind),
        ("bilet://operators/op-1/ws/1", .unknownKind),
        ("bilet://operator/op-1", .malformed),
        ("bilet://user:pw@school/77-1234/ws/3", .unknownKind),
        ("bilet://service/Assessment", .invalidServiceName),
        ("bilet://service/1st", .invalidServiceName),
        ("bilet://service/", .invalidServiceName),
        ("bilet://service/assessment/extra", .malformed),
        ("bilet://service/assessment#x", .invalidServiceName),
        ("bilet://" + String(repeating: "a", count: 300), .malformed),
    ]

    @Test(arguments: refusals)
    func refuses(uri: String, code: IdentityError.Code) {
        #expect(throws: IdentityError(code)) { try IdentityURI.parse(uri) }
    }

    @Test func errorsDoNotEchoTheURI() {
        do {
            _ = try IdentityURI.parse("bilet://school/secret-value-77/phone/3")
            Issue.record("should have thrown")
        } catch {
            #expect(!error.description.contains("secret"))
            #expect(error.description == "identity refused: unknown-device-kind")
        }
    }

    @Test func picksTheOneIdentityAmongOtherURIs() throws {
        let principal = try IdentityURI.principal(fromSubjectAlternativeURIs: [
            "https://example.invalid/x", "bilet://service/trials",
        ])
        #expect(principal.uri == "bilet://service/trials")
    }

    @Test(arguments: [
        ([String](), IdentityError.Code.noIdentity),
        (["https://example.invalid/"], .noIdentity),
        (["bilet://service/trials", "bilet://service/assessment"], .ambiguous),
        (["bilet://service/trials", "bilet://service/trials"], .ambiguous),
        (["bilet://nowhere/1/ws/1"], .unknownKind),
    ])
    func refusesCertificatesWithoutExactlyOneIdentity(uris: [String], code: IdentityError.Code) {
        #expect(throws: IdentityError(code)) { try IdentityURI.principal(fromSubjectAlternativeURIs: uris) }
    }
}
