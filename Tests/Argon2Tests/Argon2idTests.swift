import Argon2
import Testing

private func hex(_ text: String) -> [UInt8] {
    let digits = text.filter { !$0.isWhitespace }
    return stride(from: 0, to: digits.count, by: 2).map { offset in
        let start = digits.index(digits.startIndex, offsetBy: offset)
        return UInt8(digits[start..<digits.index(start, offsetBy: 2)], radix: 16)!
    }
}

/// Cheap parameters so that tests that are not about cost run quickly.
private let fast = try! Argon2id.Parameters(iterations: 1, memoryKiB: 256, parallelism: 1, saltLength: 16, hashLength: 32)

@Suite("Argon2id known answers")
struct Argon2idKnownAnswerTests {
    @Test("RFC 9106 section 5.3 test vector (with secret and associated data)")
    func rfc9106() throws {
        let parameters = try Argon2id.Parameters(
            iterations: 3, memoryKiB: 32, parallelism: 4, saltLength: 16, hashLength: 32)
        let tag = try Argon2id.rawHash(
            password: [UInt8](repeating: 0x01, count: 32),
            salt: [UInt8](repeating: 0x02, count: 16),
            secret: [UInt8](repeating: 0x03, count: 8),
            associatedData: [UInt8](repeating: 0x04, count: 12),
            parameters: parameters)
        #expect(tag == hex("0d 64 0d f5 8d 78 76 6c 08 c0 37 a3 4a 8b 53 c9 d0 1e f0 45 2d 75 b6 5e b5 25 20 e9 6b 01 e6 59"))
    }

    @Test("The secret and the associated data both change the tag")
    func secretAndAssociatedDataMatter() throws {
        let parameters = try Argon2id.Parameters(iterations: 3, memoryKiB: 32, parallelism: 4)
        let password = [UInt8](repeating: 0x01, count: 32)
        let salt = [UInt8](repeating: 0x02, count: 16)
        let full = try Argon2id.rawHash(password: password, salt: salt, secret: [3, 3, 3, 3, 3, 3, 3, 3],
                                        associatedData: [4], parameters: parameters)
        let noSecret = try Argon2id.rawHash(password: password, salt: salt, associatedData: [4], parameters: parameters)
        let noData = try Argon2id.rawHash(password: password, salt: salt, secret: [3, 3, 3, 3, 3, 3, 3, 3],
                                          parameters: parameters)
        #expect(Set([full, noSecret, noData]).count == 3)
    }

    // phc-winner-argon2 src/test.c: password "password", salt "somesalt", Argon2id v=19.
    static let referenceEncoded = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
    static let referenceEncodedSmall = "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4"

    @Test("Encoded hashes from the reference implementation verify", arguments: [referenceEncoded, referenceEncodedSmall])
    func referenceEncodedVerifies(encoded: String) throws {
        #expect(try Argon2id.verify(password: "password", encoded: encoded))
        #expect(try Argon2id.verify(password: "passwore", encoded: encoded) == false)
    }

    @Test("deriveKey gives the reference implementation's raw tag")
    func deriveKeyKnownAnswer() throws {
        let parameters = try Argon2id.Parameters(iterations: 2, memoryKiB: 65536, parallelism: 1)
        let key = try Argon2id.deriveKey(
            passphrase: "password", salt: Array("somesalt".utf8), parameters: parameters, byteCount: 32)
        #expect(key == hex("09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7"))
    }
}

@Suite("Argon2id password hashes")
struct Argon2idPasswordTests {
    @Test("Default parameters are RFC 9106's second recommended option and appear in the encoding")
    func defaultEncoding() throws {
        let parameters = try Argon2id.Parameters()
        #expect(parameters == .rfc9106SecondRecommended)
        #expect(parameters.iterations == 3)
        #expect(parameters.memoryKiB == 65_536)
        #expect(parameters.parallelism == 4)
        #expect(parameters.saltLength == 16)
        #expect(parameters.hashLength == 32)

        let encoded = try Argon2id.hash(password: "correct horse battery staple")
        #expect(encoded.hasPrefix("$argon2id$v=19$m=65536,t=3,p=4$"))
        let fields = encoded.split(separator: "$")
        #expect(fields.count == 5)
        #expect(fields[3].count == 22)  // 16 bytes of salt, unpadded base64
        #expect(fields[4].count == 43)  // 32 bytes of tag, unpadded base64
        #expect(try Argon2id.verify(password: "correct horse battery staple", encoded: encoded))
    }

    @Test("Round trip; wrong, empty and near-miss passwords are false", arguments: [
        "correct horse battery stapl", "Correct horse battery staple", "", "correct horse battery staple ",
    ])
    func wrongPassword(wrong: String) throws {
        let encoded = try Argon2id.hash(password: "correct horse battery staple", parameters: fast)
        #expect(try Argon2id.verify(password: "correct horse battery staple", encoded: encoded))
        #expect(try Argon2id.verify(password: wrong, encoded: encoded) == false)
    }

    @Test("Byte and String forms agree; non-ASCII passwords work")
    func bytesAndStrings() throws {
        let password = "пароль-ёлка-2024"
        let encoded = try Argon2id.hash(password: Array(password.utf8), parameters: fast)
        #expect(try Argon2id.verify(password: password, encoded: encoded))
        #expect(try Argon2id.verify(password: Array(password.utf8), encoded: encoded))
    }

    @Test("Two hashes of one password use different salts")
    func freshSalt() throws {
        let first = try Argon2id.hash(password: "same", parameters: fast)
        let second = try Argon2id.hash(password: "same", parameters: fast)
        #expect(first != second)
        #expect(first.split(separator: "$")[3] != second.split(separator: "$")[3])
    }

    @Test("An empty password can be hashed and verified")
    func emptyPassword() throws {
        let encoded = try Argon2id.hash(password: "", parameters: fast)
        #expect(try Argon2id.verify(password: "", encoded: encoded))
        #expect(try Argon2id.verify(password: "x", encoded: encoded) == false)
    }

    @Test("A flipped tag character makes verification false")
    func tamperedTag() throws {
        var encoded = Array(try Argon2id.hash(password: "pw", parameters: fast))
        let last = encoded.count - 2
        encoded[last] = encoded[last] == "A" ? "B" : "A"
        #expect(try Argon2id.verify(password: "pw", encoded: String(encoded)) == false)
    }

    static let otherSchemes = [
        "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+YFY4NeBbtA",
        "$argon2d$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=16$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
        "$6$rounds=5000$saltsalt$abcdefghijklmnopqrstuv",
    ]

    @Test("Other algorithms and versions are refused as unsupported", arguments: otherSchemes)
    func unsupported(encoded: String) throws {
        let error = #expect(throws: Argon2Error.self) {
            try Argon2id.verify(password: "password", encoded: encoded)
        }
        #expect(error?.code == .unsupportedAlgorithm)
    }

    static let malformed = [
        "",
        "password",
        "argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ",
        "$argon2id$v=19$t=2,m=256,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=256,t=2$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=-256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ=$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=256,t=2,p=1$c29t*XNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$",
        "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4$extra",
        "$argon2id$vv=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
    ]

    @Test("Text that is not an encoded hash is refused as malformed", arguments: malformed)
    func malformedEncoding(encoded: String) throws {
        let error = #expect(throws: Argon2Error.self) {
            try Argon2id.verify(password: "password", encoded: encoded)
        }
        #expect(error?.code == .malformedEncoding)
    }

    @Test("Encoded parameters outside the limits are refused before any work", arguments: [
        ("$argon2id$v=19$m=8388608,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4", Argon2Error.Parameter.memoryKiB),
        ("$argon2id$v=19$m=256,t=100000,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4", .iterations),
        ("$argon2id$v=19$m=256,t=2,p=200$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4", .parallelism),
        ("$argon2id$v=19$m=256,t=2,p=1$c29tZQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4", .saltLength),
        ("$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQ", .hashLength),
    ])
    func parametersOutOfRange(encoded: String, parameter: Argon2Error.Parameter) throws {
        let error = #expect(throws: Argon2Error.self) {
            try Argon2id.verify(password: "password", encoded: encoded)
        }
        #expect(error?.code == .invalidParameter)
        #expect(error?.parameter == parameter)
    }
}

@Suite("Argon2id parameters and key derivation")
struct Argon2idParameterTests {
    struct Bad: Sendable, CustomTestStringConvertible {
        let iterations: UInt32
        let memoryKiB: UInt32
        let parallelism: UInt32
        let saltLength: Int
        let hashLength: Int
        let parameter: Argon2Error.Parameter
        var testDescription: String { "bad \(parameter.rawValue)" }
    }

    static let bad: [Bad] = [
        Bad(iterations: 0, memoryKiB: 65536, parallelism: 4, saltLength: 16, hashLength: 32, parameter: .iterations),
        Bad(iterations: 1_001, memoryKiB: 65536, parallelism: 4, saltLength: 16, hashLength: 32, parameter: .iterations),
        Bad(iterations: 3, memoryKiB: 31, parallelism: 4, saltLength: 16, hashLength: 32, parameter: .memoryKiB),
        Bad(iterations: 3, memoryKiB: 4 * 1024 * 1024 + 1, parallelism: 4, saltLength: 16, hashLength: 32, parameter: .memoryKiB),
        Bad(iterations: 3, memoryKiB: 65536, parallelism: 0, saltLength: 16, hashLength: 32, parameter: .parallelism),
        Bad(iterations: 3, memoryKiB: 65536, parallelism: 65, saltLength: 16, hashLength: 32, parameter: .parallelism),
        Bad(iterations: 3, memoryKiB: 65536, parallelism: 4, saltLength: 7, hashLength: 32, parameter: .saltLength),
        Bad(iterations: 3, memoryKiB: 65536, parallelism: 4, saltLength: 65, hashLength: 32, parameter: .saltLength),
        Bad(iterations: 3, memoryKiB: 65536, parallelism: 4, saltLength: 16, hashLength: 15, parameter: .hashLength),
        Bad(iterations: 3, memoryKiB: 65536, parallelism: 4, saltLength: 16, hashLength: 65, parameter: .hashLength),
    ]

    @Test("Out-of-range parameters are refused, naming the parameter", arguments: bad)
    func validation(bad: Bad) throws {
        let error = #expect(throws: Argon2Error.self) {
            try Argon2id.Parameters(
                iterations: bad.iterations, memoryKiB: bad.memoryKiB, parallelism: bad.parallelism,
                saltLength: bad.saltLength, hashLength: bad.hashLength)
        }
        #expect(error?.code == .invalidParameter)
        #expect(error?.parameter == bad.parameter)
        #expect(error?.description == "argon2.invalid_parameter (\(bad.parameter.rawValue))")
    }

    @Test("The bounds themselves are accepted")
    func bounds() throws {
        _ = try Argon2id.Parameters(iterations: 1, memoryKiB: 8, parallelism: 1, saltLength: 8, hashLength: 16)
        _ = try Argon2id.Parameters(iterations: 1_000, memoryKiB: 512, parallelism: 64, saltLength: 64, hashLength: 64)
    }

    @Test("deriveKey is deterministic and depends on passphrase and salt")
    func deriveKey() throws {
        let salt = [UInt8](repeating: 7, count: 16)
        let a = try Argon2id.deriveKey(passphrase: "vault passphrase", salt: salt, parameters: fast, byteCount: 32)
        let b = try Argon2id.deriveKey(passphrase: "vault passphrase", salt: salt, parameters: fast, byteCount: 32)
        let otherPassphrase = try Argon2id.deriveKey(passphrase: "vault passphrasf", salt: salt, parameters: fast, byteCount: 32)
        let otherSalt = try Argon2id.deriveKey(
            passphrase: "vault passphrase", salt: [UInt8](repeating: 8, count: 16), parameters: fast, byteCount: 32)
        let longer = try Argon2id.deriveKey(passphrase: "vault passphrase", salt: salt, parameters: fast, byteCount: 64)
        #expect(a.count == 32)
        #expect(a == b)
        #expect(a != otherPassphrase)
        #expect(a != otherSalt)
        #expect(longer.count == 64)
    }

    @Test("deriveKey refuses bad output lengths and salts", arguments: [
        (32, 15, Argon2Error.Parameter.outputByteCount),
        (32, 1_025, .outputByteCount),
        (7, 32, .saltLength),
        (65, 32, .saltLength),
    ])
    func deriveKeyRefusals(saltLength: Int, byteCount: Int, parameter: Argon2Error.Parameter) throws {
        let error = #expect(throws: Argon2Error.self) {
            try Argon2id.deriveKey(
                passphrase: "p", salt: [UInt8](repeating: 1, count: saltLength), parameters: fast, byteCount: byteCount)
        }
        #expect(error?.code == .invalidParameter)
        #expect(error?.parameter == parameter)
    }

    @Test("rawHash refuses oversized secrets, associated data and passwords")
    func rawHashRefusals() throws {
        let salt = [UInt8](repeating: 1, count: 16)
        #expect(throws: Argon2Error.invalid(.secret)) {
            try Argon2id.rawHash(password: [], salt: salt, secret: [UInt8](repeating: 0, count: 1_025), parameters: fast)
        }
        #expect(throws: Argon2Error.invalid(.associatedData)) {
            try Argon2id.rawHash(password: [], salt: salt, associatedData: [UInt8](repeating: 0, count: 1_025), parameters: fast)
        }
        #expect(throws: Argon2Error.invalid(.password)) {
            try Argon2id.rawHash(password: [UInt8](repeating: 0, count: 65_537), salt: salt, parameters: fast)
        }
    }

    @Test("Error codes are stable strings")
    func codes() {
        #expect(Argon2Error.Code.unsupportedAlgorithm.rawValue == "argon2.unsupported_algorithm")
        #expect(Argon2Error.Code.malformedEncoding.rawValue == "argon2.malformed_encoding")
        #expect(Argon2Error(.memoryAllocationFailed, libraryErrorCode: -22).description
            == "argon2.memory_allocation_failed (libargon2: Memory allocation error)")
    }
}
