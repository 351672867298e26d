import GnuTLS
import Testing

@Suite("Signing keys")
struct SigningTests {
    static let message = Array("audit checkpoint 42: root=3f…".utf8)

    @Test("Sign and verify round trip", arguments: SignatureAlgorithm.allCases)
    func roundTrip(algorithm: SignatureAlgorithm) throws {
        let key = try PrivateKey.generate(algorithm: algorithm)
        #expect(key.algorithm == algorithm)
        #expect(key.publicKey.algorithm == algorithm)
        let signature = try key.sign(Self.message)
        #expect(key.publicKey.isValidSignature(signature, for: Self.message))
        switch algorithm {
        case .ed25519: #expect(signature.count == 64)
        case .ecdsaP256: #expect(signature.first == 0x30)  // DER SEQUENCE (ECDSA-Sig-Value)
        case .gost256: #expect(signature.count == 64)
        }
    }

    @Test("A flipped bit in the message or the signature fails verification", arguments: SignatureAlgorithm.allCases)
    func tampering(algorithm: SignatureAlgorithm) throws {
        let key = try PrivateKey.generate(algorithm: algorithm)
        let signature = try key.sign(Self.message)
        for index in [0, Self.message.count / 2, Self.message.count - 1] {
            #expect(!key.publicKey.isValidSignature(signature, for: Self.message.flippingBit(atByte: index)))
        }
        for index in [0, signature.count / 2, signature.count - 1] {
            for bit in [0, 7] {
                #expect(!key.publicKey.isValidSignature(signature.flippingBit(atByte: index, bit: bit), for: Self.message))
            }
        }
        #expect(!key.publicKey.isValidSignature(Array(signature.dropLast()), for: Self.message))
        #expect(!key.publicKey.isValidSignature([], for: Self.message))
        #expect(!key.publicKey.isValidSignature(signature, for: []))
    }

    struct Pair: Sendable, CustomTestStringConvertible {
        let signer: SignatureAlgorithm
        let verifier: SignatureAlgorithm
        var testDescription: String { "\(signer) signature under another \(verifier) key" }
    }

    static let pairs: [Pair] = SignatureAlgorithm.allCases.flatMap { signer in
        SignatureAlgorithm.allCases.map { Pair(signer: signer, verifier: $0) }
    }

    @Test("A signature does not verify under any other key", arguments: pairs)
    func otherKey(pair: Pair) throws {
        let signer = try PrivateKey.generate(algorithm: pair.signer)
        let other = try PrivateKey.generate(algorithm: pair.verifier)
        let signature = try signer.sign(Self.message)
        #expect(!other.publicKey.isValidSignature(signature, for: Self.message))
    }

    @Test("Unencrypted PKCS#8 PEM round trip", arguments: SignatureAlgorithm.allCases)
    func plainPEM(algorithm: SignatureAlgorithm) throws {
        let key = try PrivateKey.generate(algorithm: algorithm)
        let pem = try key.exportPEM()
        #expect(pem.hasPrefix("-----BEGIN " + "PRIVATE KEY-----\n"))
        let imported = try PrivateKey(pemRepresentation: pem)
        #expect(imported.algorithm == algorithm)
        #expect(imported.publicKey == key.publicKey)
        #expect(key.publicKey.isValidSignature(try imported.sign(Self.message), for: Self.message))
    }

    @Test("Encrypted PKCS#8 PEM: right passphrase imports, wrong or missing passphrase is refused",
          arguments: SignatureAlgorithm.allCases)
    func encryptedPEM(algorithm: SignatureAlgorithm) throws {
        let key = try PrivateKey.generate(algorithm: algorithm)
        let pem = try key.exportPEM(passphrase: "correct horse battery staple")
        #expect(pem.hasPrefix("-----BEGIN ENCRYPTED " + "PRIVATE KEY-----\n"))

        let imported = try PrivateKey(pemRepresentation: pem, passphrase: "correct horse battery staple")
        #expect(imported.publicKey == key.publicKey)
        #expect(key.publicKey.isValidSignature(try imported.sign(Self.message), for: Self.message))

        let wrong = #expect(throws: CryptoError.self) {
            try PrivateKey(pemRepresentation: pem, passphrase: "correct horse battery stapler")
        }
        #expect(wrong?.code == .wrongPassphrase)
        let missing = #expect(throws: CryptoError.self) {
            try PrivateKey(pemRepresentation: pem)
        }
        #expect(missing?.code == .wrongPassphrase)
    }

    @Test("An empty export passphrase is refused")
    func emptyPassphrase() throws {
        let key = try PrivateKey.generate(algorithm: .ecdsaP256)
        #expect(throws: CryptoError(.wrongPassphrase)) {
            try key.exportPEM(passphrase: "")
        }
    }

    @Test("SubjectPublicKeyInfo PEM and DER round trip", arguments: SignatureAlgorithm.allCases)
    func publicKeyEncodings(algorithm: SignatureAlgorithm) throws {
        let key = try PrivateKey.generate(algorithm: algorithm)
        let publicKey = key.publicKey
        #expect(publicKey.pemRepresentation.hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
        #expect(publicKey.derRepresentation.first == 0x30)

        let fromPEM = try PublicKey(pemRepresentation: publicKey.pemRepresentation)
        let fromDER = try PublicKey(derRepresentation: publicKey.derRepresentation)
        #expect(fromPEM == publicKey)
        #expect(fromDER == publicKey)
        #expect(fromDER.algorithm == algorithm)
        #expect(fromDER.isValidSignature(try key.sign(Self.message), for: Self.message))
        #expect(Set([publicKey, fromPEM, fromDER]).count == 1)
    }

    // RFC 8032 section 7.1, TEST 1. The seed is published test data, not a key of ours; wrapped
    // here in the fixed PKCS#8 / SubjectPublicKeyInfo prefixes for Ed25519 (RFC 8410).
    static let rfc8032Seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
    static let rfc8032Public = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    static let rfc8032Signature = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"

    @Test("Ed25519 known answer: RFC 8032 TEST 1")
    func ed25519KnownAnswer() throws {
        let key = try PrivateKey(derRepresentation: Hex.bytes("302e020100300506032b657004220420" + Self.rfc8032Seed))
        #expect(key.algorithm == .ed25519)
        #expect(Hex.string(key.publicKey.derRepresentation) == "302a300506032b6570032100" + Self.rfc8032Public)
        #expect(Hex.string(try key.sign([])) == Self.rfc8032Signature)

        let publicKey = try PublicKey(derRepresentation: Hex.bytes("302a300506032b6570032100" + Self.rfc8032Public))
        #expect(publicKey.isValidSignature(Hex.bytes(Self.rfc8032Signature), for: []))
        #expect(!publicKey.isValidSignature(Hex.bytes(Self.rfc8032Signature), for: [0]))
    }

    static let rsaPublicKey = """
        -----BEGIN PUBLIC KEY-----
        MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAuqpfqLwcv5b+OH6KDp1Z
        9n94Bgm98aPu2KJUDgZuhq/U+761q2DnNDgC940vF+EnjTJRvFKlfOMlZ31kYbW/
        hOmmLNKpPF5lz8KvfYYZanmfFkBkolpTTxLB0m23abqB9LAnZB9QDHgQJmTOlzUx
        FJlGP4UspgJKVJw0zMeS94sAeHIQQ5Bz8OsWIzGcwu3vNsC+iRJQL8PH2+E8dKgy
        XBk76YyiwkuJC5MO74BXpAeVP2rN8AZfTwOU7I84ypzHynudpVBqrbxRxfKSWj0Y
        OcpLUnSzap2Wx+xcPI5GgdAFJ9y43rQ6rGqSIfxBzI5eWqvqRClgmBmpmj8exCPE
        XQIDAQAB
        -----END PUBLIC KEY-----

        """
    static let p384PublicKey = """
        -----BEGIN PUBLIC KEY-----
        MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEbILF/2qNrlGEEoaaodqHq6q7pmdtzs4z
        i+LFokzxtdUcT8SH/80wPkJMOk8afZUE2D3RrHA4b68pzDaYkH+LdE+KgEb7d23G
        qX0zhoQBnq1V1+ksWoPWkI2hHJmkmsKx
        -----END PUBLIC KEY-----

        """

    @Test("Public keys of other schemes are refused as unsupported",
          arguments: [("RSA", rsaPublicKey), ("ECDSA P-384", p384PublicKey)])
    func unsupportedPublicKeys(name: String, pem: String) throws {
        let error = #expect(throws: CryptoError.self) {
            try PublicKey(pemRepresentation: pem)
        }
        #expect(error?.code == .unsupportedAlgorithm)
    }

    @Test("Garbage is refused as a malformed key",
          arguments: ["", "not a key", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"])
    func malformed(text: String) throws {
        let publicError = #expect(throws: CryptoError.self) {
            try PublicKey(pemRepresentation: text)
        }
        #expect(publicError?.code == .malformedKey)
        let privateError = #expect(throws: CryptoError.self) {
            try PrivateKey(pemRepresentation: text)
        }
        #expect(privateError?.code == .malformedKey)
    }

    @Test("One key signs from many tasks at once", arguments: SignatureAlgorithm.allCases)
    func concurrentSigning(algorithm: SignatureAlgorithm) async throws {
        let key = try PrivateKey.generate(algorithm: algorithm)
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<32 {
                group.addTask {
                    let message = Array("message \(index)".utf8)
                    let signature = try key.sign(message)
                    return key.publicKey.isValidSignature(signature, for: message)
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 32)
        #expect(results.allSatisfy { $0 })
    }
}

@Suite("Signing keys: import edge cases")
struct SigningImportEdgeCaseTests {
    @Test("A plain PKCS#8 PEM imports even when a passphrase is supplied")
    func plainWithPassphrase() throws {
        let key = try PrivateKey.generate(algorithm: .ed25519)
        let imported = try PrivateKey(pemRepresentation: try key.exportPEM(), passphrase: "unused")
        #expect(imported.publicKey == key.publicKey)
    }

    @Test("A public key PEM is refused as a private key")
    func publicKeyIsNotAPrivateKey() throws {
        let key = try PrivateKey.generate(algorithm: .ecdsaP256)
        let error = #expect(throws: CryptoError.self) {
            try PrivateKey(pemRepresentation: key.publicKey.pemRepresentation)
        }
        #expect(error?.code == .malformedKey)
    }
}
