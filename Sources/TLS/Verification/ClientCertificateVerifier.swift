public import GnuTLS
public import Identity

/// A client that passed every check: its principal, the keys under which a CRL would revoke
/// its chain (so that a later CRL can close its connection), and when its chain expires (so the
/// connection can be closed then).
public struct VerifiedClient: Sendable, Hashable {
    /// Who the client is.
    public let principal: Principal
    /// The (issuer, serial) of each certificate in the chain, leaf first, then the authorities
    /// above it up to the root (``PresentedCertificate/path``).
    public let revocationKeys: [RevocationKey]
    /// The earliest notAfter of the chain (seconds since 1970, UTC): the connection ends then.
    public let notAfter: Int

    /// Makes a verified client.
    public init(principal: Principal, revocationKeys: [RevocationKey], notAfter: Int = .max) {
        self.principal = principal
        self.revocationKeys = revocationKeys
        self.notAfter = notAfter
    }
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
    /// The trust store that completes a presented chain up to the root
    /// (``PresentedCertificate/path``); `nil` checks the chain as sent only.
    public let trustStore: TrustStore?

    /// A verifier with explicit policies.
    public init(
        policies: [any ClientCertificatePolicy], trustStore: TrustStore? = nil,
        clock: @escaping @Sendable () -> Int = ClientCertificateVerifier.systemClock
    ) {
        self.policies = policies
        self.trustStore = trustStore
        self.clock = clock
    }

    /// The standard verifier for a trust store and a revocation set.
    public static func standard(trustStore: TrustStore, revocations: RevocationSet) -> ClientCertificateVerifier {
        ClientCertificateVerifier(
            policies: [
                TrustChainPolicy(trustStore: trustStore),
                ValidityPeriodPolicy(),
                ClientUsagePolicy(),
                RevocationPolicy(revocations: revocations),
            ],
            trustStore: trustStore)
    }

    /// Verifies `chain` (leaf first) as presented by a client of a listener with `authentication`.
    public func verify(chain: [X509Certificate], authentication: ClientAuthentication) -> ClientVerification {
        guard !chain.isEmpty else {
            return authentication == .required ? .refused(.noCertificate) : .anonymous
        }
        var path = chain
        if let trustStore = self.trustStore, let last = chain.last {
            for authority in trustStore.issuerPath(from: last) where !path.contains(where: { $0.der == authority.der }) {
                path.append(authority)
            }
        }
        let presented = PresentedCertificate(chain: chain, now: self.clock(), path: path)
        for policy in self.policies {
            if let refusal = policy.check(presented) { return .refused(refusal) }
        }
        guard let principal = try? IdentityURI.principal(fromSubjectAlternativeURIs: presented.leaf.subjectAlternativeURIs) else {
            return .refused(.noIdentity)
        }
        return .accepted(
            VerifiedClient(
                principal: principal, revocationKeys: path.map(RevocationKey.init), notAfter: path.map(\.notAfter).min() ?? .max))
    }

    /// The system's wall clock, never going back while the process runs (``SteadyWallClock``).
    @Sendable public static func systemClock() -> Int {
        SteadyWallClock.shared.now()
    }
}
