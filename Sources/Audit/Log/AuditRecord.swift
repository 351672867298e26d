/// An audit event as stored in `audit.events`, and the canonical bytes its Merkle leaf commits to.
///
/// The leaf input (RFC 9162 hashes it as `SHA-256(0x00 || input)`) has two formats. Format 2, for
/// every record that names the database role that wrote it (``writtenBy``, set by the database
/// since migration 0510), is
///
/// ```
/// "bilet-audit-leaf/2" 0x00
/// u64 event id                     (big-endian)
/// i64 recorded_at                  (microseconds since 1970-01-01 UTC, big-endian)
/// u32 catalogue version            (0 when absent)
/// str kind, str actor, str subject, str decision, str purpose, str written_by
/// 32-byte payload digest           (SHA-256 of the payload as PostgreSQL renders jsonb as text)
/// ```
///
/// Format 1 (`"bilet-audit-leaf/1" 0x00`, no `written_by`) is that of records written before the
/// database recorded the writer; they keep verifying as they were integrated. The format follows
/// from the record itself (a writer or none), and the two domains differ, so clearing or setting
/// the writer of a record changes its leaf hash like any other edit.
///
/// `str` is `0x00` for NULL, else `0x01 || u32 length || UTF-8 bytes`. Committing to the
/// payload through its digest lets retention remove the payload while the leaf, and every proof
/// that uses it, stays valid.
public struct AuditRecord: Sendable, Hashable {
    /// `audit.events.id`.
    public let id: Int64
    /// When it was recorded, in microseconds since the Unix epoch.
    public let recordedAtMicroseconds: Int64
    /// The event type.
    public let kind: String
    /// The catalogue version it was validated against.
    public let catalogueVersion: Int?
    /// The actor identifier.
    public let actor: String?
    /// The subject token.
    public let subject: String?
    /// The decision.
    public let decision: String?
    /// The purpose code.
    public let purpose: String?
    /// The payload as JSON text; nil once pruned.
    public let payload: String?
    /// When the payload was pruned, in microseconds, if it was.
    public let prunedAtMicroseconds: Int64?
    /// The database role that wrote the record (`audit.events.written_by`, set by the database);
    /// nil for records written before it was recorded (leaf format 1).
    public let writtenBy: String?

    /// A record with the given columns.
    public init(
        id: Int64, recordedAtMicroseconds: Int64, kind: String, catalogueVersion: Int?, actor: String?,
        subject: String?, decision: String?, purpose: String?, payload: String?, prunedAtMicroseconds: Int64? = nil,
        writtenBy: String? = nil
    ) {
        self.id = id
        self.recordedAtMicroseconds = recordedAtMicroseconds
        self.kind = kind
        self.catalogueVersion = catalogueVersion
        self.actor = actor
        self.subject = subject
        self.decision = decision
        self.purpose = purpose
        self.payload = payload
        self.prunedAtMicroseconds = prunedAtMicroseconds
        self.writtenBy = writtenBy.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The leaf format the record is hashed with: 2 when it names its writer, else 1.
    public var leafFormat: Int { writtenBy == nil ? 1 : 2 }

    /// SHA-256 of the payload text (of the empty string when there is none).
    public var payloadDigest: MerkleHash {
        var text = payload ?? ""
        return text.withUTF8 { MerkleHasher.digest(UnsafeRawBufferPointer($0)) }
    }

    /// The canonical leaf input, committing to `payloadDigest`.
    public func leafInput(payloadDigest: MerkleHash) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(192 + (actor?.utf8.count ?? 0) + (subject?.utf8.count ?? 0))
        bytes.append(contentsOf: writtenBy == nil ? Self.domain : Self.domainV2)
        Self.append(UInt64(bitPattern: id), to: &bytes)
        Self.append(UInt64(bitPattern: recordedAtMicroseconds), to: &bytes)
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: catalogueVersion ?? 0).bigEndian) { bytes.append(contentsOf: $0) }
        for text in [kind, actor, subject, decision, purpose] as [String?] {
            Self.append(text, to: &bytes)
        }
        if let writtenBy { Self.append(writtenBy, to: &bytes) }
        payloadDigest.withUnsafeBytes { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// The RFC 9162 leaf hash of the record, committing to `payloadDigest`.
    public func leafHash(payloadDigest: MerkleHash) -> MerkleHash {
        leafInput(payloadDigest: payloadDigest).withUnsafeBytes { MerkleHasher.leafHash($0) }
    }

    /// The `recorded_at` a leaf input commits to, in microseconds since the Unix epoch; nil when
    /// `leafInput` is not a leaf input of either format (wrong domain or too short).
    public static func recordedAtMicroseconds(inLeafInput leafInput: [UInt8]) -> Int64? {
        let start = domain.count + 8
        guard leafInput.count >= start + 8, leafInput.starts(with: domain) || leafInput.starts(with: domainV2) else { return nil }
        let value = leafInput[start ..< start + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int64(bitPattern: value)
    }

    /// The domain of leaf format 1 (records without a writer).
    static let domain: [UInt8] = Array("bilet-audit-leaf/1".utf8) + [0]
    /// The domain of leaf format 2 (records naming their writer); the same length as format 1's.
    static let domainV2: [UInt8] = Array("bilet-audit-leaf/2".utf8) + [0]

    private static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    private static func append(_ text: String?, to bytes: inout [UInt8]) {
        guard let text else {
            bytes.append(0)
            return
        }
        bytes.append(1)
        withUnsafeBytes(of: UInt32(text.utf8.count).bigEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: text.utf8)
    }
}
