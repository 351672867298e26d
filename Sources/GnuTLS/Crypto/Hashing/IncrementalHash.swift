import CGnuTLS

/// A hash computed over data that arrives in pieces (`gnutls_hash_init` / `gnutls_hash` /
/// `gnutls_hash_deinit`).
///
/// The value is noncopyable because it owns a GnuTLS handle: ``finalize()`` consumes it, and a
/// value dropped without finalising releases its handle in `deinit`. Use ``copy()`` to fork a
/// state, for example to reuse a common prefix.
public struct IncrementalHash: ~Copyable {
    private let handle: gnutls_hash_hd_t
    /// The hash function in use.
    public let algorithm: HashAlgorithm

    /// Starts a new hash.
    ///
    /// - Throws: ``CryptoError/Code/hashFailed`` when GnuTLS cannot provide the algorithm.
    public init(_ algorithm: HashAlgorithm) throws(CryptoError) {
        var handle: gnutls_hash_hd_t?
        let result = gnutls_hash_init(&handle, algorithm.digestAlgorithm)
        try CryptoError.check(result, .hashFailed)
        guard let handle else { throw CryptoError(.hashFailed) }
        self.handle = handle
        self.algorithm = algorithm
    }

    private init(handle: gnutls_hash_hd_t, algorithm: HashAlgorithm) {
        self.handle = handle
        self.algorithm = algorithm
    }

    /// Feeds `bytes` into the hash.
    public mutating func update(_ bytes: [UInt8]) throws(CryptoError) {
        try bytes.withBytes { (raw) throws(CryptoError) in
            try update(raw)
        }
    }

    /// Feeds the bytes in `bytes` into the hash.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) throws(CryptoError) {
        let handle = self.handle
        let result = withNonNullBytes(bytes) { base, count in
            gnutls_hash(handle, base, count)
        }
        try CryptoError.check(result, .hashFailed)
    }

    /// An independent copy of the current state (`gnutls_hash_copy`).
    ///
    /// - Throws: ``CryptoError/Code/hashFailed`` when the backend cannot copy this algorithm.
    public func copy() throws(CryptoError) -> IncrementalHash {
        guard let copied = gnutls_hash_copy(handle) else { throw CryptoError(.hashFailed) }
        return IncrementalHash(handle: copied, algorithm: algorithm)
    }

    /// Returns the digest of everything fed so far and releases the handle.
    public consuming func finalize() -> [UInt8] {
        let handle = self.handle
        let count = algorithm.byteCount
        discard self
        return [UInt8](unsafeUninitializedCapacity: count) { output, initialized in
            gnutls_hash_deinit(handle, output.baseAddress)
            initialized = count
        }
    }

    deinit {
        gnutls_hash_deinit(handle, nil)
    }
}

// The handle is owned by exactly one noncopyable value at a time and GnuTLS hash handles are
// not tied to the thread that created them, so moving the value to another task is safe.
extension IncrementalHash: @unchecked Sendable {}
