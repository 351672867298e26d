public import GnuTLS
public import Identity

/// A client that passed every check: its principal and the keys under which a CRL would revoke
/// its chain (so that a later CRL can close its connection).
public struct VerifiedClient: Sendable, Hashable {
    /// Who the client is.
    public let principal: Principal
    /// The (issuer, serial) of each certificate in the presented chain, leaf first.
    public let revocationKeys: [RevocationKey]
}

/// The outcome of verifying what a client presented.
public enum ClientVerification: Sendable, Hashable {
    /// A certificate was presented and accepted.
    case accepted(VerifiedClient)
    /// No certificate was presented, and the listener does not require one.
    case anonymous
    /// Refused, with the reason.
    case refused(ClientCertificateRefusal)
}

/// Verifies client certificates by running policies in order, then reading the identity.
///
/// The standard order is: ``TrustChainPolicy`` (chain to the CA bundle, dates, purpose),
/// ``ValidityPeriodPolicy``, ``ClientUsagePolicy``, ``RevocationPolicy``; the first refusal wins.
/// A chain that passes them all must carry exactly one well-formed `bilet://` URI in its subject
/// alternative names (``IdentityURI``), otherwise it is refused with
/// ``ClientCertificateRefusal/noIdentity``.
public struct ClientCertificateVerifier: Sendable {
    /// The checks, in the order they run.
    public let policies: [any ClientCertificatePolicy]
    /// The clock, in seconds since 1970 (UTC).
    public let clock: @Sendable () -> Int

    /// A verifier with explicit policies.
    public init(policies: [any ClientCertificatePolicy], clock: @escaping @Sendable () -> Int = ClientCertificateVerifier.systemClock) {
        self.policies = policies
        self.clock = clock
    }

    /// The standard verifier for a trust store and a revocation set.
    public static func standard(trustStore: TrustStore, revocations: RevocationSet) -> ClientCertificateVerifier {
        ClientCertificateVerifier(policies: [
            TrustChainPolicy(trustStore: trustStore),
            ValidityPeriodPolicy(),
            ClientUsagePolicy(),
            RevocationPolicy(revocations: revocations),
        ])
    }

    /// Verifies `chain` (leaf first) as presented by a client of a listener with `authentication`.
    public func verify(chain: [X509Certificate], authentication: ClientAuthentication) -> ClientVerification {
        guard !chain.isEmpty else {
            return authentication == .required ? .refused(.noCertificate) : .anonymous
        }
        let presented = PresentedCertificate(chain: chain, now: self.clock())
        for policy in self.policies {
            if let refusal = policy.check(presented) { return .refused(refusal) }
        }
        guard let principal = try? IdentityURI.principal(fromSubjectAlternativeURIs: presented.leaf.subjectAlternativeURIs) else {
            return .refused(.noIdentity)
        }
        return .accepted(VerifiedClient(principal: principal, revocationKeys: chain.map(RevocationKey.init)))
    }

    /// The system's wall clock.
    @Sendable public static func systemClock() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int(now.tv_sec)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
