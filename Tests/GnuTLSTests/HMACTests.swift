import GnuTLS
import Testing

@Suite("HMAC")
struct HMACTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let testCase: Int
        let key: [UInt8]
        let data: [UInt8]
        let mac: String
        var testDescription: String { "RFC 4231 test case \(testCase)" }
    }

    /// RFC 4231 section 4, HMAC-SHA-256 results.
    static let rfc4231: [Vector] = [
        Vector(testCase: 1, key: [UInt8](repeating: 0x0b, count: 20), data: Array("Hi There".utf8),
               mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        Vector(testCase: 2, key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8),
               mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        Vector(testCase: 3, key: [UInt8](repeating: 0xaa, count: 20), data: [UInt8](repeating: 0xdd, count: 50),
               mac: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        Vector(testCase: 4, key: Array(1...25), data: [UInt8](repeating: 0xcd, count: 50),
               mac: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        Vector(testCase: 6, key: [UInt8](repeating: 0xaa, count: 131),
               data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
               mac: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        Vector(testCase: 7, key: [UInt8](repeating: 0xaa, count: 131),
               data: Array(("This is a test using a larger than block-size key and a larger than block-size data. "
                   + "The key needs to be hashed before being used by the HMAC algorithm.").utf8),
               mac: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]

    @Test("RFC 4231 HMAC-SHA-256", arguments: rfc4231)
    func knownAnswer(vector: Vector) throws {
        let key = SymmetricKey(bytes: vector.key)
        let code = try HMAC.authenticationCode(for: vector.data, using: key, algorithm: .sha256)
        #expect(Hex.string(code) == vector.mac)
        #expect(try HMAC.isValidAuthenticationCode(Hex.bytes(vector.mac), for: vector.data, using: key))
    }

    @Test("RFC 4231 test case 5: the first 128 bits match; a truncated code is not accepted")
    func truncatedCase5() throws {
        let key = SymmetricKey(bytes: [UInt8](repeating: 0x0c, count: 20))
        let data = Array("Test With Truncation".utf8)
        let code = try HMAC.authenticationCode(for: data, using: key)
        #expect(Hex.string(Array(code.prefix(16))) == "a3b6167473100ee06e0c796c2955552b")
        #expect(try HMAC.isValidAuthenticationCode(Array(code.prefix(16)), for: data, using: key) == false)
    }

    @Test("Verification refuses a flipped bit in the code, the message or the key")
    func verificationRefuses() throws {
        let key = SymmetricKey(bytes: [UInt8](repeating: 0x0b, count: 20))
        let data = Array("Hi There".utf8)
        let code = try HMAC.authenticationCode(for: data, using: key)
        #expect(try HMAC.isValidAuthenticationCode(code.flippingBit(atByte: 31, bit: 7), for: data, using: key) == false)
        #expect(try HMAC.isValidAuthenticationCode(code, for: data.flippingBit(atByte: 0), using: key) == false)
        let otherKey = SymmetricKey(bytes: [UInt8](repeating: 0x0b, count: 20).flippingBit(atByte: 19))
        #expect(try HMAC.isValidAuthenticationCode(code, for: data, using: otherKey) == false)
    }

    @Test("Every hash algorithm gives a code of its digest length", arguments: HashAlgorithm.allCases)
    func lengths(algorithm: HashAlgorithm) throws {
        let key = try SymmetricKey.random(byteCount: 32)
        let code = try HMAC.authenticationCode(for: [1, 2, 3], using: key, algorithm: algorithm)
        #expect(code.count == algorithm.byteCount)
        #expect(try HMAC.isValidAuthenticationCode(code, for: [1, 2, 3], using: key, algorithm: algorithm))
    }
}
