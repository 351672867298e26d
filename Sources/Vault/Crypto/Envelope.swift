import Foundation
import GnuTLS

/// The vault's use of AEAD: wrapping KEKs under the master-derived wrapping key, wrapping data
/// keys under a KEK, and sealing field values and documents under a subject's data key.
///
/// Every ciphertext starts with one format byte (``format``: AES-256-GCM) followed by the sealed
/// box (`nonce ‖ ciphertext ‖ tag`). The associated data binds what the ciphertext belongs to, so
/// it cannot be moved:
///
/// | ciphertext | associated data |
/// | --- | --- |
/// | KEK | `bilet/kek`, format, KEK version |
/// | data key | `bilet/data-key`, format, subject id, data-key version, KEK version |
/// | field value | `bilet/field`, format, subject id, field name, data-key version |
/// | document | `bilet/document`, format, subject id, document id, data-key version |
///
/// Each part is length-prefixed, so no two different contexts encode to the same bytes. Opening
/// fails with ``VaultError/Code/integrityFailure`` whatever differs (a flipped bit, another
/// subject, field, version, or key).
///
/// Everything here is internal to the vault: the only public way to plaintext is the one door.
enum Envelope {
    /// Format byte 1: AES-256-GCM with a random 96-bit nonce.
    static let format: UInt8 = 1
    static let algorithm = AEADAlgorithm.aes256GCM
    static let keyByteCount = 32

    // MARK: Associated data

    struct Context {
        var bytes: [UInt8]

        init(_ domain: String) {
            bytes = []
            bytes.reserveCapacity(64)
            append(Array(domain.utf8))
            bytes.append(Envelope.format)
        }

        mutating func append(_ part: [UInt8]) {
            append(UInt32(part.count))
            bytes += part
        }

        mutating func append(_ value: UInt32) {
            bytes += [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
        }

        mutating func append(_ id: UUID) {
            append(withUnsafeBytes(of: id.uuid) { Array($0) })
        }
    }

    static func kekContext(version: Int) -> [UInt8] {
        var context = Context("bilet/kek")
        context.append(UInt32(version))
        return context.bytes
    }

    static func dataKeyContext(subject: UUID, dataKeyVersion: Int, kekVersion: Int) -> [UInt8] {
        var context = Context("bilet/data-key")
        context.append(subject)
        context.append(UInt32(dataKeyVersion))
        context.append(UInt32(kekVersion))
        return context.bytes
    }

    static func fieldContext(subject: UUID, field: FieldName, dataKeyVersion: Int) -> [UInt8] {
        var context = Context("bilet/field")
        context.append(subject)
        context.append(Array(field.rawValue.utf8))
        context.append(UInt32(dataKeyVersion))
        return context.bytes
    }

    static func documentContext(subject: UUID, document: UUID, part: String, dataKeyVersion: Int) -> [UInt8] {
        var context = Context("bilet/document")
        context.append(subject)
        context.append(document)
        context.append(Array(part.utf8))
        context.append(UInt32(dataKeyVersion))
        return context.bytes
    }

    // MARK: Sealing

    static func seal(_ plaintext: [UInt8], key: SymmetricKey, context: [UInt8]) throws(VaultError) -> [UInt8] {
        do {
            let box = try AEAD.seal(plaintext, using: key, authenticating: context, algorithm: algorithm)
            return [format] + box.combined
        } catch {
            throw VaultError(.crypto, reason: "sealing failed (\(error.code.rawValue))")
        }
    }

    static func open(_ ciphertext: [UInt8], key: SymmetricKey, context: [UInt8]) throws(VaultError) -> [UInt8] {
        guard let first = ciphertext.first, first == format else {
            throw VaultError(.integrityFailure, reason: "unknown ciphertext format")
        }
        do {
            let box = try SealedBox(combined: Array(ciphertext.dropFirst()), algorithm: algorithm)
            return try AEAD.open(box, using: key, authenticating: context)
        } catch {
            throw VaultError(.integrityFailure, reason: "authentication failed")
        }
    }

    // MARK: Keys

    static func newKey() throws(VaultError) -> SymmetricKey {
        do {
            return try SymmetricKey.random(byteCount: keyByteCount)
        } catch {
            throw VaultError(.crypto, reason: "random generation failed (\(error.code.rawValue))")
        }
    }

    static func wrap(kek: SymmetricKey, version: Int, using wrappingKey: SymmetricKey) throws(VaultError) -> [UInt8] {
        try wrap(kek, under: wrappingKey, context: kekContext(version: version))
    }

    static func unwrapKEK(_ wrapped: [UInt8], version: Int, using wrappingKey: SymmetricKey) throws(VaultError) -> SymmetricKey {
        try unwrap(wrapped, under: wrappingKey, context: kekContext(version: version))
    }

    static func wrap(dataKey: SymmetricKey, subject: UUID, dataKeyVersion: Int, kek: SymmetricKey, kekVersion: Int) throws(VaultError) -> [UInt8] {
        try wrap(dataKey, under: kek, context: dataKeyContext(subject: subject, dataKeyVersion: dataKeyVersion, kekVersion: kekVersion))
    }

    static func unwrapDataKey(_ wrapped: [UInt8], subject: UUID, dataKeyVersion: Int, kek: SymmetricKey, kekVersion: Int) throws(VaultError) -> SymmetricKey {
        try unwrap(wrapped, under: kek, context: dataKeyContext(subject: subject, dataKeyVersion: dataKeyVersion, kekVersion: kekVersion))
    }

    private static func wrap(_ key: SymmetricKey, under wrappingKey: SymmetricKey, context: [UInt8]) throws(VaultError) -> [UInt8] {
        var bytes = key.withUnsafeBytes { Array($0) }
        defer { KeyFile.wipe(&bytes) }
        return try seal(bytes, key: wrappingKey, context: context)
    }

    private static func unwrap(_ wrapped: [UInt8], under wrappingKey: SymmetricKey, context: [UInt8]) throws(VaultError) -> SymmetricKey {
        var bytes = try open(wrapped, key: wrappingKey, context: context)
        guard bytes.count == keyByteCount else {
            KeyFile.wipe(&bytes)
            throw VaultError(.integrityFailure, reason: "wrapped key has the wrong length")
        }
        return SymmetricKey(zeroingAfterCopy: &bytes)
    }
}
