import Foundation
import GnuTLS
import TLS
import TLSTestSupport
import Testing

/// Issue #15, the clock stepped back an hour: client certificate decisions use a wall clock that
/// does not go back while the process runs (``SteadyWallClock``).
@Suite struct SteadyWallClockTests {
    @Test func followsTheWallClockWhileItMovesForward() {
        let clock = SteadyWallClock()
        #expect(clock.reading(wall: 1_000, monotonic: 50) == 1_000)
        #expect(clock.reading(wall: 1_010, monotonic: 60) == 1_010)
        // stepped forward an hour: followed at once
        #expect(clock.reading(wall: 4_620, monotonic: 70) == 4_620)
    }

    /// A step forward (a year, say, from a bad NTP source) that is then corrected is not kept: the
    /// floor is the first reading plus the monotonic time since, not the highest wall reading.
    @Test func aForwardStepThatIsCorrectedIsNotKept() {
        let clock = SteadyWallClock()
        #expect(clock.reading(wall: 1_000, monotonic: 50) == 1_000)
        #expect(clock.reading(wall: 1_000 + 31_536_000, monotonic: 60) == 1_000 + 31_536_000)
        #expect(clock.reading(wall: 1_020, monotonic: 70) == 1_020)
        // and a step back below the first reading's floor is still not followed
        #expect(clock.reading(wall: 500, monotonic: 80) == 1_030)
    }

    @Test func keepsGoingFromTheLatestReadingAfterAStepBackUntilTheWallClockPassesIt() {
        let clock = SteadyWallClock()
        #expect(clock.reading(wall: 10_000, monotonic: 100) == 10_000)
        // stepped back an hour, 5 s later: the monotonic time since the first reading is added to it
        #expect(clock.reading(wall: 6_405, monotonic: 105) == 10_005)
        #expect(clock.reading(wall: 6_465, monotonic: 165) == 10_065)
        // the wall clock corrected: followed again
        #expect(clock.reading(wall: 10_070, monotonic: 170) == 10_070)
        // a monotonic reading that does not move never takes the clock back
        #expect(clock.reading(wall: 0, monotonic: 170) == 10_070)
    }

    /// A certificate that expired by the real time stays refused after the clock is stepped back
    /// an hour, where the wall clock alone would accept it again; a valid one stays accepted.
    @Test func anExpiredCertificateStaysExpiredAfterTheClockSteppedBack() async throws {
        let pki = try await SharedPKI.get()
        let chain = try VerifierTests.chain(.school, pki)
        let notAfter = chain[0].notAfter
        let store = try TrustStore(pemBundle: Array(Data(contentsOf: URL(fileURLWithPath: pki.caBundle))))
        // The date checks only: the test CRLs' nextUpdate is long before these readings.
        let policies: [any ClientCertificatePolicy] = [TrustChainPolicy(trustStore: store), ValidityPeriodPolicy(), ClientUsagePolicy()]

        // (wall, monotonic) readings: a minute after the leaf expired, then the wall clock an hour back, 10 s later.
        let readings: [(wall: Int, monotonic: Int)] = [(notAfter + 60, 500), (notAfter + 70 - 3_600, 510)]
        let steady = SteadyWallClock()
        for (index, reading) in readings.enumerated() {
            let now = steady.reading(wall: reading.wall, monotonic: reading.monotonic)
            let verifier = ClientCertificateVerifier(policies: policies, trustStore: store, clock: { now })
            #expect(verifier.verify(chain: chain, authentication: .required) == .refused(.expired), "reading \(index)")
            let wallOnly = ClientCertificateVerifier(policies: policies, trustStore: store, clock: { reading.wall })
            let expected: ClientVerification.Kind = index == 0 ? .refused : .accepted
            #expect(wallOnly.verify(chain: chain, authentication: .required).kind == expected, "the wall clock alone, reading \(index)")
        }
        // Stepped back an hour before the certificate expired: still valid by the real time, accepted.
        let early = SteadyWallClock()
        _ = early.reading(wall: notAfter - 7_200, monotonic: 0)
        let now = early.reading(wall: notAfter - 10_800, monotonic: 10)
        #expect(now == notAfter - 7_190)
        let verifier = ClientCertificateVerifier(policies: policies, trustStore: store, clock: { now })
        #expect(verifier.verify(chain: chain, authentication: .required).kind == .accepted)
    }
}

extension ClientVerification {
    enum Kind { case accepted, anonymous, refused }

    var kind: Kind {
        switch self {
        case .accepted: .accepted
        case .anonymous: .anonymous
        case .refused: .refused
        }
    }
}
