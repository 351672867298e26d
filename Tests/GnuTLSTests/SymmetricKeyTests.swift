import GnuTLS
import Testing

@Suite("SymmetricKey, ConstantTime, SecureRandom")
struct SymmetricKeyTests {
    @Test("Keys with equal bytes are equal; any differing bit or length makes them unequal")
    func equality() throws {
        let bytes: [UInt8] = Array(0..<32)
        #expect(SymmetricKey(bytes: bytes) == SymmetricKey(bytes: bytes))
        #expect(SymmetricKey(bytes: bytes) != SymmetricKey(bytes: bytes.flippingBit(atByte: 0)))
        #expect(SymmetricKey(bytes: bytes) != SymmetricKey(bytes: bytes.flippingBit(atByte: 31, bit: 7)))
        #expect(SymmetricKey(bytes: bytes) != SymmetricKey(bytes: bytes.dropLast()))
        #expect(SymmetricKey(bytes: []) == SymmetricKey(bytes: []))
    }

    @Test("Random keys have the requested size and differ")
    func random() throws {
        let a = try SymmetricKey.random(byteCount: 32)
        let b = try SymmetricKey.random(byteCount: 32)
        #expect(a.byteCount == 32)
        #expect(a.bitCount == 256)
        #expect(a != b)
    }

    @Test("Random keys must have a positive size", arguments: [0, -1])
    func randomRefusesEmpty(count: Int) throws {
        #expect(throws: CryptoError(.invalidKeySize)) {
            try SymmetricKey.random(byteCount: count)
        }
    }

    @Test("zeroingAfterCopy keeps the bytes in the key and wipes the caller's array")
    func zeroingAfterCopy() throws {
        var material: [UInt8] = [UInt8](repeating: 0xa5, count: 32)
        let key = SymmetricKey(zeroingAfterCopy: &material)
        #expect(material == [UInt8](repeating: 0, count: 32))
        #expect(key == SymmetricKey(bytes: [UInt8](repeating: 0xa5, count: 32)))
    }

    @Test("A key's textual description never shows its bytes")
    func noBytesInDescription() throws {
        let key = SymmetricKey(bytes: [UInt8](repeating: 0xab, count: 16))
        #expect(String(describing: key) == "SymmetricKey(128 bits)")
        #expect(String(reflecting: key) == "SymmetricKey(128 bits)")
        var dumped = ""
        dump(key, to: &dumped)
        #expect(!dumped.contains("171"))
        #expect(!dumped.lowercased().contains("ab"))
        #expect(!dumped.contains("0x"))
    }

    @Test("ConstantTime.equals", arguments: [
        ([UInt8](), [UInt8](), true),
        ([1, 2, 3], [1, 2, 3], true),
        ([1, 2, 3], [1, 2, 4], false),
        ([0x80, 2, 3], [0, 2, 3], false),
        ([1, 2, 3], [1, 2], false),
        ([0], [], false),
    ] as [([UInt8], [UInt8], Bool)])
    func constantTimeEquals(a: [UInt8], b: [UInt8], expected: Bool) {
        #expect(ConstantTime.equals(a, b) == expected)
        #expect(ConstantTime.equals(b, a) == expected)
    }

    @Test("Every single-bit difference is detected at every position")
    func everyBit() {
        let base = [UInt8](repeating: 0x5a, count: 40)
        for index in base.indices {
            for bit in 0..<8 {
                #expect(!ConstantTime.equals(base, base.flippingBit(atByte: index, bit: bit)))
            }
        }
    }

    @Test("SecureRandom returns the requested number of bytes at both levels")
    func secureRandom() throws {
        #expect(try SecureRandom.bytes(count: 0) == [])
        let nonce = try SecureRandom.bytes(count: 12, level: .random)
        let key = try SecureRandom.bytes(count: 32, level: .key)
        #expect(nonce.count == 12)
        #expect(key.count == 32)
        #expect(try SecureRandom.bytes(count: 32) != SecureRandom.bytes(count: 32))
        #expect(throws: CryptoError(.invalidOutputLength)) {
            try SecureRandom.bytes(count: -1)
        }
    }

    @Test("First use of GnuTLS from many threads at once is safe (implicit global init)")
    func concurrentFirstUse() async throws {
        let digests = try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for _ in 0..<16 {
                group.addTask { try Digest.hash(.sha256, of: Array("abc".utf8)) }
            }
            return try await group.reduce(into: [[UInt8]]()) { $0.append($1) }
        }
        #expect(Set(digests.map(Hex.string)) == ["ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"])
    }

    @Test("Error codes are stable strings and descriptions carry only the code and GnuTLS name")
    func errorDescriptions() {
        #expect(CryptoError.Code.authenticationFailure.rawValue == "crypto.authentication_failure")
        let error = CryptoError(.authenticationFailure, gnutlsErrorCode: -24)
        #expect(error.gnutlsErrorName == "GNUTLS_E_DECRYPTION_FAILED")
        #expect(error.description == "crypto.authentication_failure (GNUTLS_E_DECRYPTION_FAILED)")
        #expect(CryptoError(.invalidKeySize).description == "crypto.invalid_key_size")
    }
}

@Suite("GnuTLSLibrary")
struct GnuTLSLibraryTests {
    @Test("The loaded library is at least the minimum version and initialises")
    func initialises() throws {
        try GnuTLSLibrary.ensureInitialized()
        try GnuTLSLibrary.ensureInitialized()
        let parts = GnuTLSLibrary.version.split(separator: ".").compactMap { Int($0) }
        #expect(parts.count >= 2)
        #expect(parts.lexicographicallyPrecedes([3, 7]) == false)
    }
}
