import GnuTLS
import Synchronization

/// Remembers the chains one material generation has accepted, so a client that comes back (a
/// new connection, a resumed session) is not put through chain validation again: that is an
/// ECDSA or GOST signature check and several certificate parses per handshake.
///
/// Keyed by the SHA-256 of every certificate of the chain exactly as sent, so only the very same
/// chain hits. An entry is used only inside the validity period of every certificate of the chain
/// and while the CRLs that cover it are current (otherwise the chain is verified again, and refused
/// with the right reason). Revocations cannot change within a generation: a new CRL makes a new
/// generation with an empty cache. Refusals are not remembered. Bounded: when full it starts over.
final class VerifiedChainCache: Sendable {
    struct Entry {
        let client: VerifiedClient
        let validFrom: Int
        let validUntil: Int
    }

    private let entries = Mutex<[[UInt8]: Entry]>([:])
    private let capacity: Int

    init(capacity: Int = 50_000) {
        self.capacity = capacity
    }

    /// The key of a chain: the concatenated SHA-256 digests of its certificates.
    static func key(_ der: [[UInt8]]) -> [UInt8]? {
        var key: [UInt8] = []
        key.reserveCapacity(32 * der.count)
        for certificate in der {
            guard let digest = CertificateFingerprint.sha256(certificate) else { return nil }
            key += digest
        }
        return key
    }

    func lookup(_ key: [UInt8], now: Int) -> VerifiedClient? {
        guard let entry = self.entries.withLock({ $0[key] }), entry.validFrom <= now, now <= entry.validUntil else { return nil }
        return entry.client
    }

    /// Remembers an accepted chain until the first of its certificates expires or, when
    /// `currentUntil` is given, until the CRLs that cover it pass their nextUpdate.
    func remember(_ key: [UInt8], _ client: VerifiedClient, chain: [X509Certificate], currentUntil: Int? = nil) {
        let validUntil = min(chain.map(\.notAfter).min() ?? 0, currentUntil ?? Int.max)
        let entry = Entry(client: client, validFrom: chain.map(\.notBefore).max() ?? 0, validUntil: validUntil)
        self.entries.withLock { entries in
            if entries.count >= self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = entry
        }
    }

    var count: Int { self.entries.withLock { $0.count } }
}
