import CGnuTLS

/// Secret key bytes held in memory that is zeroed when the key is released.
///
/// The bytes live in a private heap allocation owned by this object, never in a Swift array
/// that could be copied implicitly. `deinit` overwrites them with `gnutls_memset` (a memset
/// the compiler may not elide) before freeing. Copies made by callers through
/// ``withUnsafeBytes(_:)`` are the caller's to wipe; the memory is not locked against swapping.
///
/// Equality is decided in constant time (``ConstantTime/equals(_:_:)-([UInt8],[UInt8])``).
/// The key deliberately has no `description` that prints bytes and is not `Hashable`.
///
/// `@unchecked Sendable`: the storage is allocated and written once in `init`, never mutated
/// afterwards, and only read until `deinit`, which runs when no other reference exists.
/// Concurrent readers therefore never race with a writer.
public final class SymmetricKey: @unchecked Sendable, Equatable {
    private let storage: UnsafeMutableRawBufferPointer

    /// The key length in bytes.
    public var byteCount: Int { storage.count }

    /// The key length in bits.
    public var bitCount: Int { storage.count * 8 }

    /// Copies `bytes` into zeroed-on-release storage. The caller still owns (and should wipe)
    /// its own copy; see ``init(zeroingAfterCopy:)`` for the variant that wipes it.
    public init(bytes: some Sequence<UInt8>) {
        if let copied = bytes.withContiguousStorageIfAvailable({ Self.copyIntoNewStorage(UnsafeRawBufferPointer($0)) }) {
            storage = copied
        } else {
            // A non-contiguous sequence has to be gathered first; that temporary is wiped.
            var gathered = Array(bytes)
            storage = gathered.withUnsafeBytes { Self.copyIntoNewStorage($0) }
            Self.wipe(&gathered)
        }
    }

    /// Copies `bytes` into zeroed-on-release storage and then overwrites `bytes` with zeros.
    ///
    /// Use this for key material that arrived in an array (an unwrapped data key, an HKDF
    /// output) so that only this object keeps it. If the array's buffer was shared with another
    /// array value, that other copy is not reached.
    public init(zeroingAfterCopy bytes: inout [UInt8]) {
        storage = bytes.withUnsafeBytes { Self.copyIntoNewStorage($0) }
        Self.wipe(&bytes)
    }

    /// Creates a key by letting `initializer` write exactly `byteCount` bytes into the storage.
    /// Used internally so that derived keys never pass through a Swift array.
    init<E: Error>(
        byteCount: Int,
        initializer: (UnsafeMutableRawBufferPointer) throws(E) -> Void
    ) throws(E) {
        let storage = Self.allocate(count: byteCount)
        do {
            try initializer(storage)
        } catch {
            Self.zeroAndFree(storage)
            throw error
        }
        self.storage = storage
    }

    /// A new key of `byteCount` random bytes at ``SecureRandom/Level/key`` quality.
    ///
    /// - Throws: ``CryptoError/Code/invalidKeySize`` when `byteCount` is not positive,
    ///   ``CryptoError/Code/randomGenerationFailed``.
    public static func random(byteCount: Int) throws(CryptoError) -> SymmetricKey {
        guard byteCount > 0 else { throw CryptoError(.invalidKeySize) }
        return try SymmetricKey(byteCount: byteCount) { (buffer) throws(CryptoError) in
            try SecureRandom.fill(buffer, level: .key)
        }
    }

    deinit {
        Self.zeroAndFree(storage)
    }

    /// Lends the key bytes to `body`. Do not let the pointer escape, and wipe any copy you make.
    public func withUnsafeBytes<R, E: Error>(
        _ body: (UnsafeRawBufferPointer) throws(E) -> R
    ) throws(E) -> R {
        try body(UnsafeRawBufferPointer(storage))
    }

    /// Compares two keys in time that depends only on their lengths.
    public static func == (lhs: SymmetricKey, rhs: SymmetricKey) -> Bool {
        lhs.withUnsafeBytes { left in
            rhs.withUnsafeBytes { right in
                ConstantTime.equals(left, right)
            }
        }
    }

    // MARK: - Storage

    private static func allocate(count: Int) -> UnsafeMutableRawBufferPointer {
        // Allocate at least one byte so the base address is never nil, even for an empty key.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 16)
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        return UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
    }

    private static func copyIntoNewStorage(_ source: UnsafeRawBufferPointer) -> UnsafeMutableRawBufferPointer {
        let storage = allocate(count: source.count)
        if let base = source.baseAddress, source.count > 0 {
            storage.baseAddress!.copyMemory(from: base, byteCount: source.count)
        }
        return storage
    }

    private static func zeroAndFree(_ storage: UnsafeMutableRawBufferPointer) {
        let base = storage.baseAddress!
        gnutls_memset(base, 0, max(storage.count, 1))
        base.deallocate()
    }

    private static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress, raw.count > 0 {
                gnutls_memset(base, 0, raw.count)
            }
        }
    }
}
