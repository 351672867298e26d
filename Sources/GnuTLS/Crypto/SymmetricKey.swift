import CGnuTLS

/// Secret key bytes held in memory that is zeroed when the key is released.
///
/// The bytes live in a private heap allocation owned by this object, never in a Swift array
/// that could be copied implicitly. `deinit` overwrites them with `gnutls_memset` (a memset
/// the compiler may not elide) before freeing. Copies made by callers through
/// ``withUnsafeBytes(_:)`` are the caller's to wipe; the memory is not locked against swapping.
///
/// Equality is decided in constant time (``ConstantTime``). The key is deliberately not
/// `Hashable`, and its `description` and reflection show only its length, never its bytes.
///
/// `@unchecked Sendable`: the storage is allocated and written once in `init`, never mutated
/// afterwards, and only read until `deinit`, which runs when no other reference exists.
/// Concurrent readers therefore never race with a writer.
public final class SymmetricKey: @unchecked Sendable, Equatable {
    /// Start of the private allocation; always non-nil (at least one byte is allocated).
    private let base: UnsafeMutableRawPointer
    /// The number of key bytes at `base`.
    public let byteCount: Int

    /// The key length in bits.
    public var bitCount: Int { byteCount * 8 }

    /// Copies `bytes` into zeroed-on-release storage. The caller still owns (and should wipe)
    /// its own copy; ``init(zeroingAfterCopy:)`` is the variant that wipes it.
    public init(bytes: some Sequence<UInt8>) {
        if let copied = bytes.withContiguousStorageIfAvailable({ Self.copyIntoNewStorage(UnsafeRawBufferPointer($0)) }) {
            (base, byteCount) = copied
        } else {
            // A non-contiguous sequence has to be gathered first; that temporary is wiped.
            var gathered = Array(bytes)
            (base, byteCount) = gathered.withUnsafeBytes { Self.copyIntoNewStorage($0) }
            Self.wipe(&gathered)
        }
    }

    /// Copies `bytes` into zeroed-on-release storage and then overwrites `bytes` with zeros.
    ///
    /// Use this for key material that arrived in an array (an unwrapped data key, an Argon2id
    /// output) so that only this object keeps it. If the array's buffer was shared with another
    /// array value, that other copy is not reached.
    public init(zeroingAfterCopy bytes: inout [UInt8]) {
        (base, byteCount) = bytes.withUnsafeBytes { Self.copyIntoNewStorage($0) }
        Self.wipe(&bytes)
    }

    /// Creates a key by letting `initializer` write exactly `byteCount` bytes into the storage,
    /// so that derived keys never pass through a Swift array. On a throw the storage is wiped.
    init<E: Error>(
        byteCount: Int,
        initializer: (UnsafeMutableRawBufferPointer) throws(E) -> Void
    ) throws(E) {
        let base = Self.allocate(count: byteCount)
        do {
            try initializer(UnsafeMutableRawBufferPointer(start: base, count: byteCount))
        } catch {
            Self.zeroAndFree(base, count: byteCount)
            throw error
        }
        self.base = base
        self.byteCount = byteCount
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
        Self.zeroAndFree(base, count: byteCount)
    }

    /// Lends the key bytes to `body`. Do not let the pointer escape, and wipe any copy you make.
    public func withUnsafeBytes<R, E: Error>(
        _ body: (UnsafeRawBufferPointer) throws(E) -> R
    ) throws(E) -> R {
        try body(UnsafeRawBufferPointer(start: base, count: byteCount))
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

    private static func allocate(count: Int) -> UnsafeMutableRawPointer {
        // At least one byte, so the address is real even for an empty key.
        let size = max(count, 1)
        let base = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        return base
    }

    private static func copyIntoNewStorage(_ source: UnsafeRawBufferPointer) -> (UnsafeMutableRawPointer, Int) {
        let base = allocate(count: source.count)
        if let sourceBase = source.baseAddress, source.count > 0 {
            base.copyMemory(from: sourceBase, byteCount: source.count)
        }
        return (base, source.count)
    }

    /// The one place key storage is released: zeroed with a memset the optimiser cannot drop,
    /// then freed.
    private static func zeroAndFree(_ base: UnsafeMutableRawPointer, count: Int) {
        gnutls_memset(base, 0, max(count, 1))
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

extension SymmetricKey: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `SymmetricKey(256 bits)`: the length only.
    public var description: String { "SymmetricKey(\(bitCount) bits)" }
    public var debugDescription: String { description }
    /// An empty mirror, so `dump` and debuggers show neither bytes nor the storage address.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .class) }
}
