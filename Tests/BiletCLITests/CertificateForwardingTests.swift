@testable import Platform
import Testing

/// The CA process repeats the gateway's checks on a forwarded inventory or revocation request: only
/// a staff member's account is an actor (a `system:` actor would pass for the CA's own supersession
/// of renewed certificates in the log).
@Suite struct CertificateForwardingTests {
    @Test func onlyAStaffMembersAccountIsForwardedAsTheActor() {
        #expect(CertificateInventoryForwarding.isStaffActor("user:usr_AbCdEfGhIjKlMnOpQrStUv"))
        for forged in ["system:ca", "user:", "service:vault", "user:usr_a b", "usr_AbCdEf", "user:usr_\u{0}"] {
            #expect(!CertificateInventoryForwarding.isStaffActor(forged), "\(forged)")
        }
    }
}
