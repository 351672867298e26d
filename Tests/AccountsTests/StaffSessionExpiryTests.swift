import Accounts
import Foundation
import GnuTLS
import Identity
import Testing

/// Issue 12, finding L3: a staff session does not outlive the workstation certificate it is bound to.
@Suite("Staff sessions end with their certificate", .serialized)
struct StaffSessionExpiryTests {
    @Test("a session does not resolve on its certificate once that certificate's notAfter has passed")
    func expiredCertificate() async throws {
        let harness = try await StaffHarness.start()
        try await harness.addAccount("officer.one", role: "compliance_officer", region: nil)
        let token = try #require(try await harness.login("officer.one").token)
        let principal = try IdentityURI.parse("bilet://school/77-1234/ws/3")
        let serial = try #require(SerialNumber.parse(try harness.serial("school")))
        let now = Int(Date().timeIntervalSince1970)

        let live = try await harness.sessions.resolve(
            token: token, certificate: PresentedCertificate(principal: principal, serial: serial, notAfter: now + 60))
        let refused = await #expect(throws: AccountsError.self) {
            try await harness.sessions.resolve(
                token: token, certificate: PresentedCertificate(principal: principal, serial: serial, notAfter: now - 1))
        }
        let failed = try await harness.auditEvents("auth.failed")
        await harness.stop()
        #expect(live.certificateSerial == SerialNumber.hex(serial))
        #expect(refused?.code == .sessionRefused)
        #expect(failed.count == 1)
        #expect(failed.first?.payload.contains(#""reason": "certificate_expired""#) == true, "\(failed)")
    }
}
