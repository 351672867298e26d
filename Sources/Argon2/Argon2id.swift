import CArgon2

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Argon2id (RFC 9106, version 0x13) through libargon2: password hashes in the standard
/// encoded form, and raw key derivation for the vault's master key.
///
/// **These calls block the calling thread for a long time** (with the default parameters,
/// tens to hundreds of milliseconds of CPU and 64 MiB of memory, spread over up to four
/// threads that libargon2 starts). Never call them on a SwiftNIO event loop or from a
/// cooperative-pool task that must stay responsive: run them on a dedicated thread pool (for
/// example `NIOThreadPool.runIfActive`) and bound how many run at once, since each one holds
/// ``Parameters/memoryKiB`` of memory.
///
/// Passwords are taken as bytes (or a `String`, whose UTF-8 bytes are used as is, without
/// Unicode normalisation). Copies this type makes are wiped after use; the caller's own copies
/// are the caller's to manage.
public enum Argon2id {
    /// Accepted password length: up to 64 KiB.
    public static let maximumPasswordLength = 65_536
    /// Accepted raw output length of ``deriveKey(passphrase:salt:parameters:byteCount:)-([UInt8],_,_,_)``.
    public static let derivedKeyLength: ClosedRange<Int> = 16...1_024
    /// Accepted length of the optional secret and associated data of ``rawHash(password:salt:secret:associatedData:parameters:)``.
    public static let maximumSecretLength = 1_024

    // MARK: - Password hashes

    /// Hashes `password` with a fresh random salt from the kernel (`getrandom(2)` via `getentropy(3)`) and returns the standard
    /// encoded form `$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>`.
    ///
    /// - Throws: ``Argon2Error/Code/invalidParameter`` (`.password` when longer than
    ///   ``maximumPasswordLength``), ``Argon2Error/Code/randomGenerationFailed``,
    ///   ``Argon2Error/Code/memoryAllocationFailed``, ``Argon2Error/Code/hashingFailed``.
    public static func hash(password: String, parameters: Parameters = .rfc9106SecondRecommended) throws(Argon2Error) -> String {
        var bytes = Array(password.utf8)
        defer { wipe(&bytes) }
        return try hash(password: bytes, parameters: parameters)
    }

    /// Hashes the password bytes; see ``hash(password:parameters:)-(String,_)``.
    public static func hash(password: [UInt8], parameters: Parameters = .rfc9106SecondRecommended) throws(Argon2Error) -> String {
        guard password.count <= maximumPasswordLength else { throw .invalid(.password) }
        let salt = try SystemRandom.bytes(count: parameters.saltLength)
        let encodedLength = argon2_encodedlen(
            parameters.iterations, parameters.memoryKiB, parameters.parallelism,
            UInt32(parameters.saltLength), UInt32(parameters.hashLength), Argon2_id)
        var encoded = [CChar](repeating: 0, count: encodedLength)
        let result = password.withUnsafeBytes { pwd in
            salt.withUnsafeBytes { saltBytes in
                encoded.withUnsafeMutableBufferPointer { output in
                    argon2id_hash_encoded(
                        parameters.iterations, parameters.memoryKiB, parameters.parallelism,
                        pwd.baseAddress, pwd.count, saltBytes.baseAddress, saltBytes.count,
                        parameters.hashLength, output.baseAddress, output.count)
                }
            }
        }
        try check(result)
        return encoded.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// True when `password` matches `encoded`; the comparison is libargon2's constant-time one.
    ///
    /// The encoded form is checked before any work is done: it must be Argon2id version 19 with
    /// parameters inside ``Parameters/Limits``.
    ///
    /// - Throws: ``Argon2Error/Code/unsupportedAlgorithm`` for argon2i, argon2d, Argon2 v=16 or
    ///   any other scheme; ``Argon2Error/Code/malformedEncoding`` for text that is not an encoded
    ///   hash; ``Argon2Error/Code/invalidParameter`` for parameters out of range;
    ///   ``Argon2Error/Code/memoryAllocationFailed``. A wrong password is `false`, not an error.
    public static func verify(password: String, encoded: String) throws(Argon2Error) -> Bool {
        var bytes = Array(password.utf8)
        defer { wipe(&bytes) }
        return try verify(password: bytes, encoded: encoded)
    }

    /// Verifies password bytes; see ``verify(password:encoded:)-(String,_)``.
    public static func verify(password: [UInt8], encoded: String) throws(Argon2Error) -> Bool {
        _ = try EncodedHash(parsing: encoded)
        guard password.count <= maximumPasswordLength else { throw .invalid(.password) }
        let result = password.withUnsafeBytes { pwd in
            argon2id_verify(encoded, pwd.baseAddress, pwd.count)
        }
        if result == ARGON2_VERIFY_MISMATCH.rawValue {
            return false
        }
        try check(result)
        return true
    }

    // MARK: - Key derivation

    /// Derives `byteCount` raw bytes from a passphrase and a stored salt, for example the vault's
    /// master key at unseal. The same inputs always give the same bytes; ``Parameters/hashLength``
    /// and ``Parameters/saltLength`` are ignored in favour of `byteCount` and `salt`.
    ///
    /// The result is a plain array: move it into zeroing storage (GnuTLS
    /// `SymmetricKey(zeroingAfterCopy:)`) at once.
    ///
    /// - Throws: ``Argon2Error/Code/invalidParameter`` (`.outputByteCount` outside
    ///   ``derivedKeyLength``, `.saltLength` outside ``Parameters/Limits/saltLength``, `.password`),
    ///   ``Argon2Error/Code/memoryAllocationFailed``, ``Argon2Error/Code/hashingFailed``.
    public static func deriveKey(
        passphrase: [UInt8],
        salt: [UInt8],
        parameters: Parameters = .rfc9106SecondRecommended,
        byteCount: Int
    ) throws(Argon2Error) -> [UInt8] {
        guard derivedKeyLength.contains(byteCount) else { throw .invalid(.outputByteCount) }
        return try compute(
            password: passphrase, salt: salt, secret: [], associatedData: [], parameters: parameters, outputLength: byteCount)
    }

    /// Derives raw bytes from a passphrase string's UTF-8 bytes; see
    /// ``deriveKey(passphrase:salt:parameters:byteCount:)-([UInt8],_,_,_)``.
    public static func deriveKey(
        passphrase: String,
        salt: [UInt8],
        parameters: Parameters = .rfc9106SecondRecommended,
        byteCount: Int
    ) throws(Argon2Error) -> [UInt8] {
        var bytes = Array(passphrase.utf8)
        defer { wipe(&bytes) }
        return try deriveKey(passphrase: bytes, salt: salt, parameters: parameters, byteCount: byteCount)
    }

    /// The raw Argon2id tag (RFC 9106 section 3.2) with the optional secret value K and
    /// associated data X, ``Parameters/hashLength`` bytes long. This is the general form behind
    /// ``deriveKey(passphrase:salt:parameters:byteCount:)-([UInt8],_,_,_)`` and what RFC 9106's
    /// test vectors exercise.
    ///
    /// - Throws: ``Argon2Error/Code/invalidParameter`` (`.saltLength`, `.secret`,
    ///   `.associatedData`, `.password`), ``Argon2Error/Code/memoryAllocationFailed``,
    ///   ``Argon2Error/Code/hashingFailed``.
    public static func rawHash(
        password: [UInt8],
        salt: [UInt8],
        secret: [UInt8] = [],
        associatedData: [UInt8] = [],
        parameters: Parameters
    ) throws(Argon2Error) -> [UInt8] {
        try compute(
            password: password, salt: salt, secret: secret, associatedData: associatedData,
            parameters: parameters, outputLength: parameters.hashLength)
    }

    // MARK: - libargon2

    private static func compute(
        password: [UInt8],
        salt: [UInt8],
        secret: [UInt8],
        associatedData: [UInt8],
        parameters: Parameters,
        outputLength: Int
    ) throws(Argon2Error) -> [UInt8] {
        guard password.count <= maximumPasswordLength else { throw .invalid(.password) }
        guard Parameters.Limits.saltLength.contains(salt.count) else { throw .invalid(.saltLength) }
        guard secret.count <= maximumSecretLength else { throw .invalid(.secret) }
        guard associatedData.count <= maximumSecretLength else { throw .invalid(.associatedData) }

        // libargon2 wants mutable pointers for its inputs but, with ARGON2_DEFAULT_FLAGS (no
        // ARGON2_FLAG_CLEAR_PASSWORD / CLEAR_SECRET), only reads them. Work on copies anyway so
        // that the wipe below never touches the caller's arrays.
        var pwd = password
        var saltCopy = salt
        var secretCopy = secret
        var ad = associatedData
        defer {
            wipe(&pwd)
            wipe(&secretCopy)
        }
        var output = [UInt8](repeating: 0, count: outputLength)
        let result = pwd.withUnsafeMutableBufferPointer { pwdBuffer in
            saltCopy.withUnsafeMutableBufferPointer { saltBuffer in
                secretCopy.withUnsafeMutableBufferPointer { secretBuffer in
                    ad.withUnsafeMutableBufferPointer { adBuffer in
                        output.withUnsafeMutableBufferPointer { outBuffer in
                            var context = argon2_context(
                                out: outBuffer.baseAddress, outlen: UInt32(outBuffer.count),
                                pwd: pwdBuffer.count > 0 ? pwdBuffer.baseAddress : nil, pwdlen: UInt32(pwdBuffer.count),
                                salt: saltBuffer.baseAddress, saltlen: UInt32(saltBuffer.count),
                                secret: secretBuffer.count > 0 ? secretBuffer.baseAddress : nil,
                                secretlen: UInt32(secretBuffer.count),
                                ad: adBuffer.count > 0 ? adBuffer.baseAddress : nil, adlen: UInt32(adBuffer.count),
                                t_cost: parameters.iterations, m_cost: parameters.memoryKiB,
                                lanes: parameters.parallelism, threads: parameters.parallelism,
                                version: UInt32(ARGON2_VERSION_13.rawValue),
                                allocate_cbk: nil, free_cbk: nil,
                                flags: 0)  // ARGON2_DEFAULT_FLAGS (a macro Swift does not import)
                            return argon2id_ctx(&context)
                        }
                    }
                }
            }
        }
        if result != ARGON2_OK.rawValue {
            wipe(&output)
        }
        try check(result)
        return output
    }

    private static func check(_ result: Int32) throws(Argon2Error) {
        switch result {
        case ARGON2_OK.rawValue:
            return
        case ARGON2_MEMORY_ALLOCATION_ERROR.rawValue:
            throw Argon2Error(.memoryAllocationFailed, libraryErrorCode: result)
        case ARGON2_DECODING_FAIL.rawValue, ARGON2_DECODING_LENGTH_FAIL.rawValue, ARGON2_INCORRECT_TYPE.rawValue:
            throw Argon2Error(.malformedEncoding, libraryErrorCode: result)
        default:
            throw Argon2Error(.hashingFailed, libraryErrorCode: result)
        }
    }

    /// Overwrites `bytes` in place in a way the optimiser may not remove.
    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress, raw.count > 0 else { return }
            explicit_bzero(base, raw.count)
        }
    }
}
