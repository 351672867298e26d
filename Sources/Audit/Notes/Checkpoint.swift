public import Foundation

/// A transparency-log checkpoint (c2sp.org/tlog-checkpoint): the note text naming the log
/// (origin), the tree size and the root hash, plus bilet's two extension lines.
///
/// ```
/// bilet.local/audit
/// 20852163
/// CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=
/// sequence 1744
/// time-ms 1764399121123
/// ```
///
/// `sequence` numbers the log's checkpoints 1, 2, 3 … without gaps, so deleting one is visible;
/// `time-ms` is when it was signed (Unix milliseconds). Both are covered by the signature.
/// Verifiers that do not know them ignore extension lines, as the spec requires; checkpoints of
/// other logs (without them) parse too.
public struct Checkpoint: Sendable, Hashable {
    /// The log's identity, also its signing key's name.
    public let origin: String
    /// The number of leaves.
    public let size: UInt64
    /// The RFC 9162 root hash at that size.
    public let root: MerkleHash
    /// bilet's checkpoint number, when present.
    public let sequence: UInt64?
    /// When bilet signed it, in Unix milliseconds, when present.
    public let timeMilliseconds: Int64?
    /// All extension lines as they appear.
    public let extensionLines: [String]

    /// A bilet checkpoint.
    ///
    /// - Throws: ``AuditError/Code/malformedCheckpoint`` for an empty origin or one with spaces,
    ///   plus signs or control characters.
    public init(origin: String, size: UInt64, root: MerkleHash, sequence: UInt64, time: Date) throws(AuditError) {
        do {
            try NoteVerifierKey.validate(name: origin)
        } catch {
            throw AuditError(.malformedCheckpoint, "an origin is non-empty and has no spaces or plus signs")
        }
        self.origin = origin
        self.size = size
        self.root = root
        self.sequence = sequence
        let milliseconds = Int64((time.timeIntervalSince1970 * 1000).rounded(.down))
        self.timeMilliseconds = milliseconds
        self.extensionLines = ["sequence \(sequence)", "time-ms \(milliseconds)"]
    }

    /// Parses checkpoint note text (without signatures).
    ///
    /// - Throws: ``AuditError/Code/malformedCheckpoint``.
    public init(text: String) throws(AuditError) {
        guard text.hasSuffix("\n") else { throw AuditError(.malformedCheckpoint, "checkpoint text does not end in a newline") }
        let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 3, !lines.contains(where: \.isEmpty) else {
            throw AuditError(.malformedCheckpoint, "a checkpoint has at least three non-empty lines")
        }
        guard let size = UInt64(lines[1]), lines[1] == "0" || !lines[1].hasPrefix("0"), lines[1].allSatisfy(\.isASCII) else {
            throw AuditError(.malformedCheckpoint, "tree size is not a decimal number without leading zeros")
        }
        guard let root = MerkleHash(base64: lines[2]) else {
            throw AuditError(.malformedCheckpoint, "root hash is not base64 of 32 bytes")
        }
        self.origin = String(lines[0])
        self.size = size
        self.root = root
        self.extensionLines = lines.dropFirst(3).map(String.init)
        var sequence: UInt64?
        var time: Int64?
        for line in extensionLines {
            if line.hasPrefix("sequence "), let value = UInt64(line.dropFirst(9)) { sequence = value }
            if line.hasPrefix("time-ms "), let value = Int64(line.dropFirst(8)) { time = value }
        }
        self.sequence = sequence
        self.timeMilliseconds = time
    }

    /// The note text: origin, size, base64 root, extension lines, each ending in a newline.
    public var text: String {
        ([origin, String(size), root.base64] + extensionLines).map { $0 + "\n" }.joined()
    }

    /// When it was signed, when the checkpoint says.
    public var time: Date? {
        timeMilliseconds.map { Date(timeIntervalSince1970: Double($0) / 1000) }
    }
}

/// A checkpoint with its signatures: the form stored in the database and written to
/// `audit/checkpoints/`.
public struct SignedCheckpoint: Sendable, Hashable {
    /// The checkpoint.
    public let checkpoint: Checkpoint
    /// The signed note (the checkpoint's text and every signature line).
    public private(set) var note: SignedNote

    /// Signs `checkpoint` with `signer`.
    public init(_ checkpoint: Checkpoint, signer: NoteSigner) throws(AuditError) {
        self.checkpoint = checkpoint
        var note = try SignedNote(text: checkpoint.text)
        try note.sign(with: signer)
        self.note = note
    }

    /// Parses a signed checkpoint note (signatures are not checked here).
    ///
    /// - Throws: ``AuditError/Code/malformedNote``, ``AuditError/Code/malformedCheckpoint``.
    public init(parsing text: String) throws(AuditError) {
        let note = try SignedNote(parsing: text)
        self.checkpoint = try Checkpoint(text: note.text)
        self.note = note
    }

    /// Adds a signature line, such as an outside witness's cosignature.
    public mutating func add(_ signature: NoteSignature) {
        note.add(signature)
    }

    /// The note as text.
    public var serialized: String { note.serialized }

    /// Checks the log's signature with `logKey` (whose name must be the origin) and, when given,
    /// that every key in `witnesses` cosigned.
    ///
    /// - Throws: ``AuditError/Code/signatureInvalid``.
    public func verify(logKey: NoteVerifierKey, witnesses: [NoteVerifierKey] = []) throws(AuditError) {
        guard logKey.name == checkpoint.origin else {
            throw AuditError(.signatureInvalid, "checkpoint origin is not the log key's name \(logKey.name)")
        }
        let verified = try note.verified(by: [logKey] + witnesses)
        guard verified.contains(logKey) else { throw AuditError(.signatureInvalid, "checkpoint is not signed by the log key") }
        for witness in witnesses where !verified.contains(witness) {
            throw AuditError(.signatureInvalid, "checkpoint is not cosigned by witness \(witness.name)")
        }
    }
}
