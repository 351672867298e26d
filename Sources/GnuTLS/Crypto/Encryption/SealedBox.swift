/// The output of ``AEAD/seal(_:using:nonce:authenticating:algorithm:)``: nonce, ciphertext and tag.
///
/// The ``combined`` encoding is stable and is what should be stored:
///
/// ```
/// nonce (AEADAlgorithm.nonceByteCount) ‖ ciphertext (same length as plaintext) ‖ tag (AEADAlgorithm.tagByteCount)
/// ```
///
/// For ``AEADAlgorithm/aes256GCM`` that is 12 + n + 16 bytes, the same layout as CryptoKit's
/// `AES.GCM.SealedBox.combined`. The algorithm is not part of the encoding: the reader states
/// it when decoding (``init(combined:algorithm:)``), and should bind it through the associated
/// data if more than one algorithm can occur.
public struct SealedBox: Sendable, Hashable {
    /// The algorithm the box was sealed with.
    public let algorithm: AEADAlgorithm
    /// `nonce ‖ ciphertext ‖ tag`.
    public let combined: [UInt8]

    /// Decodes a combined encoding.
    ///
    /// - Throws: ``CryptoError/Code/malformedSealedBox`` when `combined` is shorter than a nonce and
    ///   a tag together.
    public init(combined: [UInt8], algorithm: AEADAlgorithm = .aes256GCM) throws(CryptoError) {
        guard combined.count >= algorithm.nonceByteCount + algorithm.tagByteCount else {
            throw CryptoError(.malformedSealedBox)
        }
        self.algorithm = algorithm
        self.combined = combined
    }

    /// Assembles a box from its parts.
    ///
    /// - Throws: ``CryptoError/Code/invalidNonceSize`` for a nonce of the wrong length,
    ///   ``CryptoError/Code/malformedSealedBox`` for a tag of the wrong length.
    public init(nonce: [UInt8], ciphertext: [UInt8], tag: [UInt8], algorithm: AEADAlgorithm = .aes256GCM) throws(CryptoError) {
        guard nonce.count == algorithm.nonceByteCount else { throw CryptoError(.invalidNonceSize) }
        guard tag.count == algorithm.tagByteCount else { throw CryptoError(.malformedSealedBox) }
        self.algorithm = algorithm
        self.combined = nonce + ciphertext + tag
    }

    /// Wraps bytes already laid out as `nonce ‖ ciphertext ‖ tag` by ``AEAD``.
    init(uncheckedCombined combined: [UInt8], algorithm: AEADAlgorithm) {
        self.algorithm = algorithm
        self.combined = combined
    }

    /// The nonce.
    public var nonce: [UInt8] {
        Array(combined[..<algorithm.nonceByteCount])
    }

    /// The ciphertext, as long as the plaintext.
    public var ciphertext: [UInt8] {
        Array(combined[algorithm.nonceByteCount..<(combined.count - algorithm.tagByteCount)])
    }

    /// The authentication tag.
    public var tag: [UInt8] {
        Array(combined[(combined.count - algorithm.tagByteCount)...])
    }
}
