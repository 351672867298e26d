import CGnuTLS

/// One-shot hashing (`gnutls_hash_fast`).
///
/// The one-shot call sets up no handle and allocates nothing but the result, so it suits hot
/// paths such as Merkle leaves; ``hash(_:of:into:)-(_,UnsafeRawBufferPointer,_)`` allocates
/// nothing at all. For data that arrives in pieces use ``IncrementalHash``.
public enum Digest {
    /// The digest of `bytes`.
    ///
    /// - Throws: ``CryptoError/Code/hashFailed`` (in practice only when the algorithm is disabled,
    ///   for example GOST under a FIPS policy).
    public static func hash(_ algorithm: HashAlgorithm, of bytes: [UInt8]) throws(CryptoError) -> [UInt8] {
        try bytes.withBytes { (raw) throws(CryptoError) -> [UInt8] in
            try hash(algorithm, of: raw)
        }
    }

    /// The digest of the UTF-8 bytes of `string`.
    public static func hash(_ algorithm: HashAlgorithm, of string: String) throws(CryptoError) -> [UInt8] {
        try string.withUTF8Bytes { (utf8) throws(CryptoError) -> [UInt8] in
            try hash(algorithm, of: utf8)
        }
    }

    /// The digest of the bytes in `bytes`.
    public static func hash(_ algorithm: HashAlgorithm, of bytes: UnsafeRawBufferPointer) throws(CryptoError) -> [UInt8] {
        let count = algorithm.byteCount
        var result: Int32 = 0
        let digest = [UInt8](unsafeUninitializedCapacity: count) { output, initialized in
            result = hashFast(algorithm, bytes, UnsafeMutableRawPointer(output.baseAddress!))
            initialized = count
        }
        try CryptoError.check(result, .hashFailed)
        return digest
    }

    /// Writes the digest of `bytes` into `output`, which must be exactly
    /// ``HashAlgorithm/byteCount`` long. Allocates nothing.
    ///
    /// - Throws: ``CryptoError/Code/invalidOutputLength`` for a wrongly sized output,
    ///   ``CryptoError/Code/hashFailed``.
    public static func hash(
        _ algorithm: HashAlgorithm,
        of bytes: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) throws(CryptoError) {
        guard output.count == algorithm.byteCount, let base = output.baseAddress else {
            throw CryptoError(.invalidOutputLength)
        }
        try CryptoError.check(hashFast(algorithm, bytes, base), .hashFailed)
    }

    static func hashFast(_ algorithm: HashAlgorithm, _ bytes: UnsafeRawBufferPointer, _ output: UnsafeMutableRawPointer) -> Int32 {
        withNonNullBytes(bytes) { base, count in
            gnutls_hash_fast(algorithm.digestAlgorithm, base, count, output)
        }
    }
}
