/// Where a gateway's TLS material lives on disk. Every file is PEM unless said otherwise.
public struct TLSMaterialFiles: Sendable, Hashable {
    /// A server certificate chain (leaf first) and its private key.
    public struct KeyPair: Sendable, Hashable {
        /// The certificate chain file.
        public var certificateChain: String
        /// The private key file.
        public var privateKey: String

        /// Names the two files.
        public init(certificateChain: String, privateKey: String) {
            self.certificateChain = certificateChain
            self.privateKey = privateKey
        }
    }

    /// The server's key pairs: typically one ECDSA pair, plus a GOST R 34.10-2012 pair for the
    /// GOST profile. GnuTLS picks the one that fits the client's offer.
    public var serverKeyPairs: [KeyPair]
    /// The platform CA bundle that client certificates must chain to.
    public var clientCABundle: String
    /// The platform CA's CRL (one or more CRLs in one file); `nil` for none.
    public var revocationList: String?
    /// The session ticket master key, 64 bytes raw or base64; `nil` to generate one at start
    /// (kept across reloads, not shared with other instances).
    public var ticketKey: String?

    /// Names the files.
    public init(serverKeyPairs: [KeyPair], clientCABundle: String, revocationList: String? = nil, ticketKey: String? = nil) {
        self.serverKeyPairs = serverKeyPairs
        self.clientCABundle = clientCABundle
        self.revocationList = revocationList
        self.ticketKey = ticketKey
    }

    /// Every path with the role it plays, for change detection and error messages.
    var roles: [(role: String, path: String)] {
        var roles: [(String, String)] = []
        for (index, pair) in self.serverKeyPairs.enumerated() {
            roles.append(("server-certificate-\(index + 1)", pair.certificateChain))
            roles.append(("server-key-\(index + 1)", pair.privateKey))
        }
        roles.append(("client-ca-bundle", self.clientCABundle))
        if let revocationList { roles.append(("crl", revocationList)) }
        if let ticketKey { roles.append(("ticket-key", ticketKey)) }
        return roles
    }
}
