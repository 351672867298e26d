public import GnuTLS
import Foundation

/// One consistent generation of TLS material: server credentials, the client CA trust store, the
/// revocation set and the verifier built from them, and the ticket key.
///
/// Immutable. New handshakes take the current generation from ``TLSMaterialStore``; a session
/// keeps the generation it started with alive until it closes, so old credentials are freed only
/// after the last connection that used them is gone.
public final class TLSMaterial: Sendable {
    /// Increases by one with every successful load.
    public let generation: Int
    /// Server key pairs and the client CA names announced in CertificateRequest.
    public let credentials: ServerCredentials
    /// The client CA bundle.
    public let trustStore: TrustStore
    /// Revoked (issuer, serial) pairs from the CRL.
    public let revocations: RevocationSet
    /// The standard verifier over ``trustStore`` and ``revocations``.
    public let verifier: ClientCertificateVerifier
    /// The session ticket master key.
    public let ticketKey: SessionTicketKey
    /// Whether one of the server key pairs is a GOST R 34.10-2012 pair.
    public let hasGOSTKeyPair: Bool
    let stamps: [String: FileStamp]
    let verifiedChains = VerifiedChainCache()

    init(
        generation: Int, credentials: ServerCredentials, trustStore: TrustStore, revocations: RevocationSet,
        ticketKey: SessionTicketKey, stamps: [String: FileStamp]
    ) {
        self.generation = generation
        self.credentials = credentials
        self.trustStore = trustStore
        self.revocations = revocations
        self.verifier = .standard(trustStore: trustStore, revocations: revocations)
        self.ticketKey = ticketKey
        self.hasGOSTKeyPair = credentials.leafCertificates.contains { $0.publicKeyAlgorithmName.contains("GOST") }
        self.stamps = stamps
    }

    /// Verifies a client's chain (DER, leaf first) with ``verifier``, answering from the cache of
    /// chains this generation already accepted when the very same chain comes back.
    public func verify(chain der: [[UInt8]], authentication: ClientAuthentication) -> ClientVerification {
        guard !der.isEmpty else { return self.verifier.verify(chain: [], authentication: authentication) }
        let key = VerifiedChainCache.key(der)
        if let key, let client = self.verifiedChains.lookup(key, now: self.verifier.clock()) {
            return .accepted(client)
        }
        var chain: [X509Certificate] = []
        for certificate in der {
            guard let parsed = try? X509Certificate(der: certificate) else { return .refused(.invalidChain) }
            chain.append(parsed)
        }
        let outcome = self.verifier.verify(chain: chain, authentication: authentication)
        if case .accepted(let client) = outcome, let key {
            self.verifiedChains.remember(
                key, client, chain: chain,
                currentUntil: self.revocations.current(untilIssuers: client.revocationKeys.map(\.issuer)).map { min($0, client.notAfter) }
                    ?? client.notAfter)
        }
        return outcome
    }

    /// How many accepted chains this generation remembers.
    public var verifiedChainCount: Int { self.verifiedChains.count }

    /// Reads and checks every file, all or nothing.
    static func load(_ files: TLSMaterialFiles, generation: Int, generatedTicketKey: SessionTicketKey?) throws(TLSMaterialError)
        -> TLSMaterial
    {
        var stamps: [String: FileStamp] = [:]
        func read(_ role: String, _ path: String) throws(TLSMaterialError) -> [UInt8] {
            let before = FileStamp(path: path)
            guard let bytes = readWholeFile(path) else { throw TLSMaterialError(.unreadable, role: role, path: path) }
            if let before { stamps[path] = before }
            return bytes
        }

        var pairs: [ServerKeyPair] = []
        for (index, files) in files.serverKeyPairs.enumerated() {
            let chain = try read("server-certificate-\(index + 1)", files.certificateChain)
            let key = try read("server-key-\(index + 1)", files.privateKey)
            pairs.append(ServerKeyPair(certificateChainPEM: chain, privateKeyPEM: key))
        }
        let bundle = try read("client-ca-bundle", files.clientCABundle)
        let trustStore: TrustStore
        do {
            trustStore = try TrustStore(pemBundle: bundle)
        } catch {
            throw TLSMaterialError(.invalidCABundle, role: "client-ca-bundle", path: files.clientCABundle, detail: error.description)
        }
        let credentials: ServerCredentials
        do {
            credentials = try ServerCredentials(keyPairs: pairs, clientAuthorityNamesPEM: bundle)
        } catch {
            let path = files.serverKeyPairs.first?.certificateChain ?? ""
            throw TLSMaterialError(.invalidKeyPair, role: "server-key-pairs", path: path, detail: "\(error)")
        }
        pairs.removeAll()

        var revocations = RevocationSet.empty
        if let crlPath = files.revocationList {
            let pem = try read("crl", crlPath)
            let lists: [CertificateRevocationList]
            do {
                lists = try CertificateRevocationList.list(pem: pem)
            } catch {
                throw TLSMaterialError(.invalidRevocationList, role: "crl", path: crlPath, detail: error.description)
            }
            for list in lists where !trustStore.isTrustedIssuer(of: list) {
                throw TLSMaterialError(.untrustedRevocationList, role: "crl", path: crlPath, detail: "issuer \(list.issuerName)")
            }
            do {
                revocations = try RevocationSet(revocationLists: lists, trustedBy: trustStore)
            } catch {
                let code: TLSMaterialError.Code = error.code == .revocationListNotTrusted ? .untrustedRevocationList : .invalidRevocationList
                throw TLSMaterialError(code, role: "crl", path: crlPath, detail: error.description)
            }
            // every authority of the bundle that can issue must have its CRL here: a missing CRL
            // would let its certificates through unchecked (fail closed instead)
            for authority in trustStore.authorities
            where authority.isCertificateAuthority
                && revocations.inForce(issuer: authority.rawSubject, keyIdentifier: authority.subjectKeyIdentifier) == nil
            {
                throw TLSMaterialError(.missingRevocationList, role: "crl", path: crlPath, detail: "no CRL of \(authority.subjectName)")
            }
        }

        let ticketKey: SessionTicketKey
        if let keyPath = files.ticketKey {
            let raw = try read("ticket-key", keyPath)
            ticketKey = try Self.ticketKey(from: raw, path: keyPath)
        } else if let generatedTicketKey {
            ticketKey = generatedTicketKey
        } else {
            do { ticketKey = try SessionTicketKey.generate() } catch {
                throw TLSMaterialError(.invalidTicketKey, role: "ticket-key", path: "(generated)", detail: error.description)
            }
        }
        return TLSMaterial(
            generation: generation, credentials: credentials, trustStore: trustStore, revocations: revocations,
            ticketKey: ticketKey, stamps: stamps)
    }

    private static func ticketKey(from raw: [UInt8], path: String) throws(TLSMaterialError) -> SessionTicketKey {
        var bytes = raw
        if bytes.count != SessionTicketKey.byteCount {
            let text = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            bytes = Data(base64Encoded: text).map { Array($0) } ?? []
        }
        defer { _ = bytes.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) } }
        do { return try SessionTicketKey(bytes: bytes) } catch {
            throw TLSMaterialError(.invalidTicketKey, role: "ticket-key", path: path)
        }
    }
}
