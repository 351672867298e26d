import GnuTLS
import Testing

@Suite("AEAD")
struct AEADTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let testCase: Int
        let key: String
        let nonce: String
        let plaintext: String
        let associatedData: String
        let ciphertext: String
        let tag: String
        var testDescription: String { "GCM spec test case \(testCase)" }
    }

    static let gcmKey = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"
    static let gcmPlaintext = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
        + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255"
    static let gcmCiphertext = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
        + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad"

    /// McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", test cases 13–16 (AES-256,
    /// 96-bit IV), also reproduced in NIST's GCM validation material.
    static let gcmVectors: [Vector] = [
        Vector(testCase: 13, key: String(repeating: "00", count: 32), nonce: String(repeating: "00", count: 12),
               plaintext: "", associatedData: "", ciphertext: "", tag: "530f8afbc74536b9a963b4f1c4cb738b"),
        Vector(testCase: 14, key: String(repeating: "00", count: 32), nonce: String(repeating: "00", count: 12),
               plaintext: String(repeating: "00", count: 16), associatedData: "",
               ciphertext: "cea7403d4d606b6e074ec5d3baf39d18", tag: "d0d1c8a799996bf0265b98b5d48ab919"),
        Vector(testCase: 15, key: gcmKey, nonce: "cafebabefacedbaddecaf888",
               plaintext: gcmPlaintext, associatedData: "",
               ciphertext: gcmCiphertext, tag: "b094dac5d93471bdec1a502270e3cc6c"),
        Vector(testCase: 16, key: gcmKey, nonce: "cafebabefacedbaddecaf888",
               plaintext: String(gcmPlaintext.dropLast(8)), associatedData: "feedfacedeadbeeffeedfacedeadbeefabaddad2",
               ciphertext: String(gcmCiphertext.dropLast(8)), tag: "76fc6ece0f4e1768cddf8853bb2d551b"),
    ]

    @Test("AES-256-GCM known answers, seal and open", arguments: gcmVectors)
    func knownAnswer(vector: Vector) throws {
        let key = SymmetricKey(bytes: Hex.bytes(vector.key))
        let box = try AEAD.seal(
            Hex.bytes(vector.plaintext), using: key, nonce: Hex.bytes(vector.nonce),
            authenticating: Hex.bytes(vector.associatedData))
        #expect(Hex.string(box.nonce) == vector.nonce)
        #expect(Hex.string(box.ciphertext) == vector.ciphertext)
        #expect(Hex.string(box.tag) == vector.tag)
        #expect(Hex.string(box.combined) == vector.nonce + vector.ciphertext + vector.tag)

        let decoded = try SealedBox(combined: Hex.bytes(vector.nonce + vector.ciphertext + vector.tag))
        let opened = try AEAD.open(decoded, using: key, authenticating: Hex.bytes(vector.associatedData))
        #expect(Hex.string(opened) == vector.plaintext)
    }

    static let key = try! SymmetricKey.random(byteCount: 32)
    static let plaintext = Array("synthetic pupil record #0001".utf8)
    static let associatedData = Array("subject=tok_test|field=surname|kv=1".utf8)

    @Test("Round trip with a random nonce; two seals of the same plaintext differ")
    func roundTrip() throws {
        let first = try AEAD.seal(Self.plaintext, using: Self.key, authenticating: Self.associatedData)
        let second = try AEAD.seal(Self.plaintext, using: Self.key, authenticating: Self.associatedData)
        #expect(first.nonce.count == 12)
        #expect(first.combined.count == 12 + Self.plaintext.count + 16)
        #expect(first.nonce != second.nonce)
        #expect(first.combined != second.combined)
        #expect(try AEAD.open(first, using: Self.key, authenticating: Self.associatedData) == Self.plaintext)
        #expect(try AEAD.open(second, using: Self.key, authenticating: Self.associatedData) == Self.plaintext)
    }

    @Test("Empty plaintext and empty associated data round trip")
    func empty() throws {
        let box = try AEAD.seal([], using: Self.key)
        #expect(box.combined.count == 28)
        #expect(try AEAD.open(box, using: Self.key) == [])
    }

    enum Tamper: String, CaseIterable, Sendable {
        case nonceFirstByte, nonceLastByte, ciphertextFirstByte, ciphertextLastByte, tagFirstByte, tagLastByte
        case associatedDataChanged, associatedDataDropped, associatedDataAdded
    }

    @Test("Any tampering is refused with authenticationFailure", arguments: Tamper.allCases)
    func tampering(tamper: Tamper) throws {
        let box = try AEAD.seal(Self.plaintext, using: Self.key, authenticating: Self.associatedData)
        var combined = box.combined
        var associatedData = Self.associatedData
        let tagStart = combined.count - 16
        switch tamper {
        case .nonceFirstByte: combined = combined.flippingBit(atByte: 0)
        case .nonceLastByte: combined = combined.flippingBit(atByte: 11, bit: 7)
        case .ciphertextFirstByte: combined = combined.flippingBit(atByte: 12)
        case .ciphertextLastByte: combined = combined.flippingBit(atByte: tagStart - 1, bit: 3)
        case .tagFirstByte: combined = combined.flippingBit(atByte: tagStart)
        case .tagLastByte: combined = combined.flippingBit(atByte: combined.count - 1, bit: 7)
        case .associatedDataChanged: associatedData = associatedData.flippingBit(atByte: 8)
        case .associatedDataDropped: associatedData = []
        case .associatedDataAdded: associatedData += [0]
        }
        let tampered = try SealedBox(combined: combined)
        let error = #expect(throws: CryptoError.self) {
            try AEAD.open(tampered, using: Self.key, authenticating: associatedData)
        }
        #expect(error?.code == .authenticationFailure)
        #expect(error?.gnutlsErrorName == "GNUTLS_E_DECRYPTION_FAILED")
    }

    @Test("A different key is refused")
    func wrongKey() throws {
        let box = try AEAD.seal(Self.plaintext, using: Self.key, authenticating: Self.associatedData)
        let other = try SymmetricKey.random(byteCount: 32)
        let error = #expect(throws: CryptoError.self) {
            try AEAD.open(box, using: other, authenticating: Self.associatedData)
        }
        #expect(error?.code == .authenticationFailure)
    }

    @Test("Boxes shorter than nonce plus tag cannot be decoded", arguments: [0, 1, 12, 27])
    func tooShort(length: Int) throws {
        let error = #expect(throws: CryptoError.self) {
            try SealedBox(combined: [UInt8](repeating: 0, count: length))
        }
        #expect(error?.code == .malformedSealedBox)
    }

    @Test("A truncated box that still decodes fails authentication", arguments: [1, 5, 16])
    func truncated(dropped: Int) throws {
        let box = try AEAD.seal(Self.plaintext, using: Self.key)
        let shortened = try SealedBox(combined: Array(box.combined.dropLast(dropped)))
        let error = #expect(throws: CryptoError.self) {
            try AEAD.open(shortened, using: Self.key)
        }
        #expect(error?.code == .authenticationFailure)
    }

    @Test("Keys of the wrong length are refused", arguments: [0, 16, 24, 31, 33, 64])
    func wrongKeySize(length: Int) throws {
        let key = SymmetricKey(bytes: [UInt8](repeating: 7, count: length))
        let sealError = #expect(throws: CryptoError.self) {
            try AEAD.seal(Self.plaintext, using: key)
        }
        #expect(sealError?.code == .invalidKeySize)
        let box = try AEAD.seal(Self.plaintext, using: Self.key)
        let openError = #expect(throws: CryptoError.self) {
            try AEAD.open(box, using: key)
        }
        #expect(openError?.code == .invalidKeySize)
    }

    @Test("Nonces of the wrong length are refused", arguments: [0, 8, 11, 13, 16])
    func wrongNonceSize(length: Int) throws {
        let error = #expect(throws: CryptoError.self) {
            try AEAD.seal(Self.plaintext, using: Self.key, nonce: [UInt8](repeating: 1, count: length))
        }
        #expect(error?.code == .invalidNonceSize)
    }

    @Test("Assembling a box from parts checks the part sizes")
    func partsAssembly() throws {
        let box = try AEAD.seal(Self.plaintext, using: Self.key)
        let rebuilt = try SealedBox(nonce: box.nonce, ciphertext: box.ciphertext, tag: box.tag)
        #expect(rebuilt == box)
        #expect(throws: CryptoError(.invalidNonceSize)) {
            try SealedBox(nonce: Array(box.nonce.dropLast()), ciphertext: box.ciphertext, tag: box.tag)
        }
        #expect(throws: CryptoError(.malformedSealedBox)) {
            try SealedBox(nonce: box.nonce, ciphertext: box.ciphertext, tag: Array(box.tag.dropLast()))
        }
    }
}
