import CertificateAuthority
import Foundation
import GnuTLS
import Testing

/// The root and issuing CA certificates are in the inventory, and are never revoked by their own CRL.
@Suite struct AuthorityInventoryTests {
    @Test func theCACertificatesAreRecordedOnceWithTheirKindValidityAndStatus() async throws {
        let fixture = try await CAFixture.make()
        defer { Task { await fixture.tearDown() } }
        let authority = fixture.authority()
        for hierarchy in [Hierarchy.ecdsa, .gost] {
            let root = try fixture.authorityDirectory.rootCertificate(hierarchy)
            let issuing = try fixture.authorityDirectory.issuingCertificate(hierarchy)
            let records = try await authority.recordAuthority(hierarchy, root: root, issuing: issuing, actor: "admin:test")
            #expect(records.map(\.profile) == [.root, .intermediate])
            #expect(records.map(\.identity) == ["ca:root/\(hierarchy.rawValue)", "ca:intermediate/\(hierarchy.rawValue)"])
            #expect(records.map(\.serial) == [SerialNumber.hex(root.serialNumber), SerialNumber.hex(issuing.serialNumber)])
            #expect(records.map { Int($0.notAfter.timeIntervalSince1970) } == [root.notAfter, issuing.notAfter])
            #expect(records.map(\.hierarchy) == [hierarchy, hierarchy])
            #expect(records.map(\.keyType) == (hierarchy == .gost ? [.gost256, .gost256] : [.ecdsaP256, .ecdsaP256]))
            #expect(records.allSatisfy { $0.status == .active && $0.organisation == nil })
            // again: the same records, nothing new
            #expect(try await authority.recordAuthority(hierarchy, root: root, issuing: issuing, actor: "admin:test") == records)
        }
        try await fixture.enrol("bilet://school/77-1234/ws/3", name: "ws")
        #expect(try await authority.certificates(matching: InventoryFilter(kind: .root)).map(\.identity) .sorted() == ["ca:root/ecdsa", "ca:root/gost"])
        #expect(try await authority.certificates(matching: InventoryFilter(kind: .intermediate)).count == 2)
        #expect(try await authority.certificates(matching: InventoryFilter(kind: .leaf)).map(\.identity) == ["bilet://school/77-1234/ws/3"])
        #expect(try await authority.certificates(matching: InventoryFilter(state: .active)).count == 5)
        #expect(try await fixture.auditEvents("certificate.issued").filter { $0.payload["profile"] == "root" }.count == 2)
    }

    @Test func aCACertificateIsNotRevokedByItsOwnCRLAndNotRenewed() async throws {
        let fixture = try await CAFixture.make(hierarchies: [.ecdsa])
        defer { Task { await fixture.tearDown() } }
        let authority = fixture.authority()
        let issuing = try fixture.authorityDirectory.issuingCertificate(.ecdsa)
        _ = try await authority.recordAuthority(
            .ecdsa, root: try fixture.authorityDirectory.rootCertificate(.ecdsa), issuing: issuing, actor: "admin:test")
        let refused = await #expect(throws: CertificateAuthorityError.self) {
            try await authority.revoke(serial: SerialNumber.hex(issuing.serialNumber), reason: .caCompromise, actor: "admin:test")
        }
        #expect(refused?.code == .invalidArgument)
        #expect(try await fixture.query("SELECT count(*) FROM ca.revocation_lists").singleValue(Int64.self) == 0)
        #expect(try await authority.certificate(serial: SerialNumber.hex(issuing.serialNumber))?.status == .active)
    }

    @Test func onlyTheRootAndIssuingCAOfTheHierarchyAreRecorded() async throws {
        let fixture = try await CAFixture.make()
        defer { Task { await fixture.tearDown() } }
        let ecdsaRoot = try fixture.authorityDirectory.rootCertificate(.ecdsa)
        let ecdsaIssuing = try fixture.authorityDirectory.issuingCertificate(.ecdsa)
        let gostIssuing = try fixture.authorityDirectory.issuingCertificate(.gost)
        for (hierarchy, root, issuing) in [(Hierarchy.ecdsa, ecdsaIssuing, ecdsaRoot), (.ecdsa, ecdsaRoot, gostIssuing), (.gost, ecdsaRoot, ecdsaIssuing)] {
            let refused = await #expect(throws: CertificateAuthorityError.self) {
                try await fixture.authority().recordAuthority(hierarchy, root: root, issuing: issuing, actor: "admin:test")
            }
            #expect(refused?.code == .invalidArgument)
        }
        #expect(try await fixture.query("SELECT count(*) FROM ca.certificates").singleValue(Int64.self) == 0)
    }
}
