import Foundation

/// One signature line of a signed note: `— <key name> base64(key ID || signature)`.
public struct NoteSignature: Sendable, Hashable {
    /// The key name.
    public let name: String
    /// The key ID (the first four bytes of the decoded signature).
    public let keyID: UInt32
    /// The signature bytes after the key ID (for cosignatures: timestamp then signature).
    public let bytes: [UInt8]

    /// A signature line's parts.
    public init(name: String, keyID: UInt32, bytes: [UInt8]) {
        self.name = name
        self.keyID = keyID
        self.bytes = bytes
    }

    /// The line, with its final newline.
    public var line: String {
        let id: [UInt8] = [UInt8(keyID >> 24), UInt8(keyID >> 16 & 0xFF), UInt8(keyID >> 8 & 0xFF), UInt8(keyID & 0xFF)]
        return "\u{2014} \(name) \(Data(id + bytes).base64EncodedString())\n"
    }

    /// For a cosignature: the timestamp it commits to.
    public var cosignatureTimestamp: UInt64? {
        guard bytes.count == 8 + 64 else { return nil }
        return bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Whether this line is by `key` and its signature over `text` verifies.
    public func isValid(for text: String, by key: NoteVerifierKey) -> Bool {
        guard name == key.name, keyID == key.keyID else { return false }
        switch key.type {
        case .ed25519, .gost256:
            return key.isValid(signature: bytes, for: Array(text.utf8))
        case .ed25519Cosignature:
            guard let timestamp = cosignatureTimestamp, timestamp < UInt64(1) << 63 else { return false }
            return key.isValid(signature: Array(bytes.dropFirst(8)), for: Self.cosignedMessage(text: text, timestamp: timestamp))
        }
    }

    /// The message an Ed25519 cosignature signs (c2sp.org/tlog-cosignature).
    static func cosignedMessage(text: String, timestamp: UInt64) -> [UInt8] {
        Array("cosignature/v1\ntime \(timestamp)\n".utf8) + Array(text.utf8)
    }
}

/// A signed note (c2sp.org/signed-note): text ending in a newline, a blank line, and one or more
/// signature lines.
///
/// Parsing refuses control characters other than newline, invalid UTF-8, a missing blank line,
/// malformed signature lines and more than ``maximumSignatures`` signatures. ``verified(by:)``
/// follows the spec: signatures by unknown keys are ignored, a known key whose signature fails
/// rejects the whole note, and at least one known key must have signed.
public struct SignedNote: Sendable, Hashable {
    /// The most signatures a note may carry.
    public static let maximumSignatures = 16
    /// The largest note accepted, in bytes.
    public static let maximumSize = 64 * 1024

    /// The signed text, including its final newline.
    public let text: String
    /// The signature lines, in order.
    public private(set) var signatures: [NoteSignature]

    /// A note of `text` (which must end in a newline) with `signatures`.
    ///
    /// - Throws: ``AuditError/Code/malformedNote`` when the text does not end in a newline or
    ///   holds control characters.
    public init(text: String, signatures: [NoteSignature] = []) throws(AuditError) {
        try Self.validate(text: text)
        self.text = text
        self.signatures = signatures
    }

    /// Parses a complete signed note.
    ///
    /// - Throws: ``AuditError/Code/malformedNote``.
    public init(parsing note: String) throws(AuditError) {
        guard note.utf8.count <= Self.maximumSize else { throw AuditError(.malformedNote, "note is too large") }
        guard note.hasSuffix("\n") else { throw AuditError(.malformedNote, "note does not end in a newline") }
        guard let split = note.range(of: "\n\n", options: .backwards) else {
            throw AuditError(.malformedNote, "note has no blank line before its signatures")
        }
        let text = String(note[..<split.lowerBound]) + "\n"
        let signatureBlock = note[split.upperBound...]
        try Self.validate(text: text)
        var signatures: [NoteSignature] = []
        for line in signatureBlock.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            signatures.append(try Self.parseSignatureLine(line))
        }
        guard !signatures.isEmpty else { throw AuditError(.malformedNote, "note has no signature lines") }
        guard signatures.count <= Self.maximumSignatures else { throw AuditError(.malformedNote, "note has too many signatures") }
        self.text = text
        self.signatures = signatures
    }

    /// The complete note: text, blank line, signature lines.
    public var serialized: String {
        text + "\n" + signatures.map(\.line).joined()
    }

    /// Adds a signature line (for example a witness cosignature).
    public mutating func add(_ signature: NoteSignature) {
        signatures.append(signature)
    }

    /// Signs the text with `signer` and adds the line.
    public mutating func sign(with signer: NoteSigner, timestamp: UInt64? = nil) throws(AuditError) {
        add(try signer.sign(text: text, timestamp: timestamp))
    }

    /// The keys among `keys` that signed this note, each verified.
    ///
    /// - Throws: ``AuditError/Code/signatureInvalid`` when a signature by a known key (same
    ///   name and key ID) fails, or when no known key signed.
    public func verified(by keys: [NoteVerifierKey]) throws(AuditError) -> [NoteVerifierKey] {
        var verified: [NoteVerifierKey] = []
        for signature in signatures {
            guard let key = keys.first(where: { $0.name == signature.name && $0.keyID == signature.keyID }) else { continue }
            guard signature.isValid(for: text, by: key) else {
                throw AuditError(.signatureInvalid, "signature by \(key.name) does not verify")
            }
            if !verified.contains(key) { verified.append(key) }
        }
        guard !verified.isEmpty else { throw AuditError(.signatureInvalid, "no signature by a known key") }
        return verified
    }

    private static func parseSignatureLine(_ line: Substring) throws(AuditError) -> NoteSignature {
        guard line.hasPrefix("\u{2014} ") else { throw AuditError(.malformedNote, "signature line does not start with an em dash") }
        let rest = line.dropFirst(2)
        let parts = rest.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty,
              let decoded = Data(base64Encoded: String(parts[1])).map(Array.init), decoded.count > 4
        else {
            throw AuditError(.malformedNote, "malformed signature line")
        }
        do {
            try NoteVerifierKey.validate(name: String(parts[0]))
        } catch {
            throw AuditError(.malformedNote, "malformed key name in signature line")
        }
        let keyID = decoded.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return NoteSignature(name: String(parts[0]), keyID: keyID, bytes: Array(decoded.dropFirst(4)))
    }

    private static func validate(text: String) throws(AuditError) {
        guard text.hasSuffix("\n") else { throw AuditError(.malformedNote, "note text does not end in a newline") }
        guard !text.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\n") || $0.value == 0x7F }) else {
            throw AuditError(.malformedNote, "note text holds control characters")
        }
    }
}
