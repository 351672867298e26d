import GnuTLS

/// The hashing of RFC 9162 §2.1.1 (the same as RFC 6962): SHA-256 with domain separation.
///
/// - empty tree: `SHA-256()`;
/// - leaf: `SHA-256(0x00 || leaf input)`;
/// - interior node: `SHA-256(0x01 || left || right)`.
///
/// Hashing goes through GnuTLS's one-shot `gnutls_hash_fast` into the result's inline storage
/// and allocates nothing. SHA-256 is part of every GnuTLS build and cannot be disabled by
/// policy; a failure would mean a broken library, so it stops the process rather than produce
/// a tree that could not be verified.
public enum MerkleHasher {
    /// The root of the empty tree, `SHA-256("")`.
    public static let emptyRoot: MerkleHash = digest(UnsafeRawBufferPointer(start: nil, count: 0))

    /// The hash of a leaf whose input is `leafInput`.
    public static func leafHash(_ leafInput: [UInt8]) -> MerkleHash {
        leafInput.withUnsafeBytes { leafHash($0) }
    }

    /// The hash of a leaf whose input is the bytes in `leafInput`.
    public static func leafHash(_ leafInput: UnsafeRawBufferPointer) -> MerkleHash {
        let count = leafInput.count + 1
        return withUnsafeTemporaryAllocation(byteCount: count, alignment: 8) { buffer in
            buffer[0] = 0x00
            if count > 1 {
                UnsafeMutableRawBufferPointer(rebasing: buffer[1...]).copyMemory(from: leafInput)
            }
            return digest(UnsafeRawBufferPointer(buffer))
        }
    }

    /// The hash of an interior node with children `left` and `right`.
    public static func nodeHash(_ left: MerkleHash, _ right: MerkleHash) -> MerkleHash {
        withUnsafeTemporaryAllocation(byteCount: 65, alignment: 8) { buffer in
            buffer[0] = 0x01
            left.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[1..<33]).copyMemory(from: $0) }
            right.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[33..<65]).copyMemory(from: $0) }
            return digest(UnsafeRawBufferPointer(buffer))
        }
    }

    /// SHA-256 of `bytes` as a ``MerkleHash`` (used for payload digests as well).
    public static func digest(_ bytes: UnsafeRawBufferPointer) -> MerkleHash {
        var result = MerkleHash(words: (0, 0, 0, 0))
        withUnsafeMutableBytes(of: &result.words) { output in
            do {
                try Digest.hash(.sha256, of: bytes, into: output)
            } catch {
                fatalError("SHA-256 failed inside GnuTLS: \(error)")
            }
        }
        return result
    }

    /// SHA-256 of `bytes`.
    public static func digest(_ bytes: [UInt8]) -> MerkleHash {
        bytes.withUnsafeBytes { digest($0) }
    }
}
