import GnuTLS
import Testing

@Suite("HKDF")
struct HKDFTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let testCase: Int
        let inputKeyMaterial: [UInt8]
        let salt: [UInt8]
        let info: [UInt8]
        let length: Int
        let pseudoRandomKey: String
        let outputKeyingMaterial: String
        var testDescription: String { "RFC 5869 test case \(testCase)" }
    }

    /// RFC 5869 appendix A.1–A.3 (SHA-256).
    static let rfc5869: [Vector] = [
        Vector(testCase: 1, inputKeyMaterial: [UInt8](repeating: 0x0b, count: 22),
               salt: Array(0x00...0x0c), info: Array(0xf0...0xf9), length: 42,
               pseudoRandomKey: "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
               outputKeyingMaterial: "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"),
        Vector(testCase: 2, inputKeyMaterial: Array(0x00...0x4f),
               salt: Array(0x60...0xaf), info: Array(0xb0...0xff), length: 82,
               pseudoRandomKey: "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
               outputKeyingMaterial: "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
                   + "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
                   + "cc30c58179ec3e87c14c01d5c1f3434f1d87"),
        Vector(testCase: 3, inputKeyMaterial: [UInt8](repeating: 0x0b, count: 22),
               salt: [], info: [], length: 42,
               pseudoRandomKey: "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
               outputKeyingMaterial: "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"),
    ]

    static func bytes(of key: SymmetricKey) -> [UInt8] {
        key.withUnsafeBytes { Array($0) }
    }

    @Test("Extract, expand and deriveKey match RFC 5869", arguments: rfc5869)
    func knownAnswer(vector: Vector) throws {
        let ikm = SymmetricKey(bytes: vector.inputKeyMaterial)
        let prk = try HKDF.extract(inputKeyMaterial: ikm, salt: vector.salt)
        #expect(Hex.string(Self.bytes(of: prk)) == vector.pseudoRandomKey)

        let okm = try HKDF.expand(pseudoRandomKey: prk, info: vector.info, outputByteCount: vector.length)
        #expect(Hex.string(Self.bytes(of: okm)) == vector.outputKeyingMaterial)

        let derived = try HKDF.deriveKey(
            inputKeyMaterial: ikm, salt: vector.salt, info: vector.info, outputByteCount: vector.length)
        #expect(derived == okm)
    }

    @Test("Output lengths outside 1...255×HashLen are refused", arguments: [0, -1, 255 * 32 + 1])
    func outputLengthRefused(length: Int) throws {
        let prk = try SymmetricKey.random(byteCount: 32)
        let error = #expect(throws: CryptoError.self) {
            try HKDF.expand(pseudoRandomKey: prk, info: [], outputByteCount: length)
        }
        #expect(error?.code == .invalidOutputLength)
    }

    @Test("The maximum output length is accepted")
    func maximumLength() throws {
        let prk = try SymmetricKey.random(byteCount: 32)
        let okm = try HKDF.expand(pseudoRandomKey: prk, info: [], outputByteCount: 255 * 32)
        #expect(okm.byteCount == 255 * 32)
    }

    @Test("A pseudorandom key shorter than the hash is refused")
    func shortPseudoRandomKey() throws {
        let error = #expect(throws: CryptoError.self) {
            try HKDF.expand(pseudoRandomKey: SymmetricKey(bytes: [1, 2, 3]), info: [], outputByteCount: 32)
        }
        #expect(error?.code == .invalidKeySize)
    }

    @Test("Different info strings give different keys")
    func domainSeparation() throws {
        let ikm = try SymmetricKey.random(byteCount: 32)
        let blindIndex = try HKDF.deriveKey(inputKeyMaterial: ikm, info: Array("bilet blind-index v1".utf8), outputByteCount: 32)
        let token = try HKDF.deriveKey(inputKeyMaterial: ikm, info: Array("bilet token v1".utf8), outputByteCount: 32)
        #expect(blindIndex != token)
    }

    @Test("GOST hashes work for HKDF", arguments: [HashAlgorithm.streebog256, .streebog512])
    func streebog(algorithm: HashAlgorithm) throws {
        let ikm = try SymmetricKey.random(byteCount: 32)
        let key = try HKDF.deriveKey(inputKeyMaterial: ikm, info: [1], outputByteCount: 32, algorithm: algorithm)
        #expect(key.byteCount == 32)
    }
}
