public import GnuTLS
import Foundation

/// Signs note text with a private key under a key name, producing signed-note signature lines.
///
/// For a log the key name should be its origin. Ed25519 (``NoteSignatureType/ed25519``) is what
/// existing transparency-log verifiers read; GOST R 34.10-2012 (``NoteSignatureType/gost256``)
/// is for deployments that must use Russian algorithms. A witness signs with
/// ``NoteSignatureType/ed25519Cosignature``, which commits to a timestamp.
public struct NoteSigner: Sendable {
    /// The matching verifier.
    public let verifier: NoteVerifierKey
    private let privateKey: PrivateKey

    /// A signer for `privateKey` under `name`.
    ///
    /// - Throws: ``AuditError/Code/malformedKey`` when the key's algorithm does not fit `type` or
    ///   the name is invalid.
    public init(name: String, privateKey: PrivateKey, type: NoteSignatureType? = nil) throws(AuditError) {
        let type = type ?? (privateKey.algorithm == .gost256 ? .gost256 : .ed25519)
        guard privateKey.algorithm == type.keyAlgorithm else {
            throw AuditError(.malformedKey, "a \(type) signer needs a \(type.keyAlgorithm.rawValue) key")
        }
        self.verifier = try NoteVerifierKey(name: name, type: type, publicKey: privateKey.publicKey)
        self.privateKey = privateKey
    }

    /// The key name.
    public var name: String { verifier.name }

    /// The signature of `text` (which must be complete note text, ending in a newline).
    ///
    /// - Parameter timestamp: for cosignatures, the POSIX time to commit to (default: now).
    /// - Throws: ``AuditError/Code/crypto`` when signing fails.
    public func sign(text: String, timestamp: UInt64? = nil) throws(AuditError) -> NoteSignature {
        let message: [UInt8]
        var prefix: [UInt8] = []
        switch verifier.type {
        case .ed25519, .gost256:
            message = Array(text.utf8)
        case .ed25519Cosignature:
            let time = timestamp ?? UInt64(Date().timeIntervalSince1970)
            message = NoteSignature.cosignedMessage(text: text, timestamp: time)
            prefix = (0..<8).map { UInt8(truncatingIfNeeded: time >> (56 - 8 * UInt64($0))) }
        }
        do {
            let signature = try privateKey.sign(message)
            return NoteSignature(name: name, keyID: verifier.keyID, bytes: prefix + signature)
        } catch {
            throw AuditError(.crypto, "note signing failed (\(error.code.rawValue))")
        }
    }
}
