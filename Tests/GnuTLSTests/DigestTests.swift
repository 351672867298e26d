import GnuTLS
import Testing

@Suite("Digest and IncrementalHash")
struct DigestTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let algorithm: HashAlgorithm
        let message: [UInt8]
        let digest: String
        var testDescription: String { name }
    }

    /// FIPS 180-2 appendix examples ("abc") and the well-known empty-string digests.
    static let shaVectors: [Vector] = [
        Vector(name: "SHA-256 abc", algorithm: .sha256, message: Array("abc".utf8),
               digest: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        Vector(name: "SHA-256 empty", algorithm: .sha256, message: [],
               digest: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        Vector(name: "SHA-384 abc", algorithm: .sha384, message: Array("abc".utf8),
               digest: "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"),
        Vector(name: "SHA-512 abc", algorithm: .sha512, message: Array("abc".utf8),
               digest: "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
    ]

    // GOST R 34.11-2012 / RFC 6986 section 10, examples 1 and 2, exactly as printed there.
    // The standard writes messages and hash values as numbers, most significant byte first,
    // i.e. byte-reversed relative to the byte strings an implementation reads and writes; the
    // test therefore reverses both (see `streebogVectors`). Reversed, M1 is the ASCII string
    // "012345678901234567890123456789012345678901234567890123456789012" (63 bytes) and M2 is
    // 72 bytes of CP1251 text.
    static let rfc6986M1 =
        "323130393837363534333231303938373635343332313039383736353433323130393837363534333231303938373635343332313039383736353433323130"
    static let rfc6986M2 =
        "fbe2e5f0eee3c820fbeafaebef20fffbf0e1e0f0f520e0ed20e8ece0ebe5f0f2f120fff0eeec20f120faf2fee5e2202ce8f6f3ede220e8e6eee1e8f0f2d1202ce8f0f2e5e220e5d1"
    static let rfc6986H512M1 =
        "486f64c1917879417fef082b3381a4e211c324f074654c38823a7b76f830ad00fa1fbae42b1285c0352f227524bc9ab16254288dd6863dccd5b9f54a1ad0541b"
    static let rfc6986H256M1 = "00557be5e584fd52a449b16b0251d05d27f94ab76cbaa6da890b59d8ef1e159d"
    static let rfc6986H512M2 =
        "28fbc9bada033b1460642bdcddb90c3fb3e56c497ccd0f62b8a2ad4935e85f037613966de4ee00531ae60f3b5a47f8dae06915d5f2f194996fcabf2622e6881e"
    static let rfc6986H256M2 = "508f7e553c06501d749a66fc28c6cac0b005746d97537fa85d9e40904efed29d"

    static let streebogVectors: [Vector] = [
        Vector(name: "Streebog-512 M1", algorithm: .streebog512, message: Hex.bytes(rfc6986M1).reversed(),
               digest: Hex.string(Hex.bytes(rfc6986H512M1).reversed())),
        Vector(name: "Streebog-256 M1", algorithm: .streebog256, message: Hex.bytes(rfc6986M1).reversed(),
               digest: Hex.string(Hex.bytes(rfc6986H256M1).reversed())),
        Vector(name: "Streebog-512 M2", algorithm: .streebog512, message: Hex.bytes(rfc6986M2).reversed(),
               digest: Hex.string(Hex.bytes(rfc6986H512M2).reversed())),
        Vector(name: "Streebog-256 M2", algorithm: .streebog256, message: Hex.bytes(rfc6986M2).reversed(),
               digest: Hex.string(Hex.bytes(rfc6986H256M2).reversed())),
    ]

    @Test("RFC 6986 messages decode to what the standard describes")
    func streebogMessagesAreWhatTheStandardSays() {
        let m1: [UInt8] = Hex.bytes(Self.rfc6986M1).reversed()
        #expect(m1 == Array("012345678901234567890123456789012345678901234567890123456789012".utf8))
        #expect(Hex.bytes(Self.rfc6986M2).count == 72)
    }

    @Test("Known answers, one-shot", arguments: shaVectors + streebogVectors)
    func oneShot(vector: Vector) throws {
        let digest = try Digest.hash(vector.algorithm, of: vector.message)
        #expect(Hex.string(digest) == vector.digest)
        #expect(digest.count == vector.algorithm.byteCount)
    }

    @Test("Known answers, incremental in uneven pieces", arguments: shaVectors + streebogVectors)
    func incremental(vector: Vector) throws {
        var hash = try IncrementalHash(vector.algorithm)
        var rest = vector.message[...]
        var pieceLength = 1
        while !rest.isEmpty {
            let piece = Array(rest.prefix(pieceLength))
            try hash.update(piece)
            rest = rest.dropFirst(piece.count)
            pieceLength = pieceLength * 2 + 1
        }
        #expect(Hex.string(hash.finalize()) == vector.digest)
    }

    @Test("Allocation-free variant writes the same digest and refuses a wrong-sized output")
    func intoBuffer() throws {
        let message = Array("abc".utf8)
        var output = [UInt8](repeating: 0, count: 32)
        try message.withUnsafeBytes { input in
            try output.withUnsafeMutableBytes { out in
                try Digest.hash(.sha256, of: input, into: out)
            }
        }
        #expect(Hex.string(output) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")

        var short = [UInt8](repeating: 0, count: 31)
        let error = #expect(throws: CryptoError.self) {
            try message.withUnsafeBytes { input in
                try short.withUnsafeMutableBytes { out in
                    try Digest.hash(.sha256, of: input, into: out)
                }
            }
        }
        #expect(error?.code == .invalidOutputLength)
    }

    @Test("String input hashes its UTF-8 bytes")
    func stringInput() throws {
        #expect(try Digest.hash(.sha256, of: "abc") == Digest.hash(.sha256, of: Array("abc".utf8)))
    }

    @Test("A copied state continues independently")
    func copyForks() throws {
        var prefix = try IncrementalHash(.sha256)
        try prefix.update(Array("ab".utf8))
        var fork = try prefix.copy()
        try fork.update(Array("c".utf8))
        try prefix.update(Array("x".utf8))
        #expect(Hex.string(fork.finalize()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(prefix.finalize() == (try Digest.hash(.sha256, of: Array("abx".utf8))))
    }

    @Test("A hash dropped without finalising releases its handle")
    func dropWithoutFinalize() throws {
        for _ in 0..<1_000 {
            var hash = try IncrementalHash(.streebog512)
            try hash.update([1, 2, 3])
        }
    }
}
