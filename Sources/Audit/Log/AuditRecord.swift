/// An audit event as stored in `audit.events`, and the canonical bytes its Merkle leaf commits to.
///
/// The leaf input (RFC 9162 hashes it as `SHA-256(0x00 || input)`) is
///
/// ```
/// "bilet-audit-leaf/1" 0x00
/// u64 event id                     (big-endian)
/// i64 recorded_at                  (microseconds since 1970-01-01 UTC, big-endian)
/// u32 catalogue version            (0 when absent)
/// str kind, str actor, str subject, str decision, str purpose
/// 32-byte payload digest           (SHA-256 of the payload as PostgreSQL renders jsonb as text)
/// ```
///
/// where `str` is `0x00` for NULL, else `0x01 || u32 length || UTF-8 bytes`. Committing to the
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

    /// A record with the given columns.
    public init(
        id: Int64, recordedAtMicroseconds: Int64, kind: String, catalogueVersion: Int?, actor: String?,
        subject: String?, decision: String?, purpose: String?, payload: String?, prunedAtMicroseconds: Int64? = nil
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
    }

    /// SHA-256 of the payload text (of the empty string when there is none).
    public var payloadDigest: MerkleHash {
        var text = payload ?? ""
        return text.withUTF8 { MerkleHasher.digest(UnsafeRawBufferPointer($0)) }
    }

    /// The canonical leaf input, committing to `payloadDigest`.
    public func leafInput(payloadDigest: MerkleHash) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160 + (actor?.utf8.count ?? 0) + (subject?.utf8.count ?? 0))
        bytes.append(contentsOf: Self.domain)
        Self.append(UInt64(bitPattern: id), to: &bytes)
        Self.append(UInt64(bitPattern: recordedAtMicroseconds), to: &bytes)
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: catalogueVersion ?? 0).bigEndian) { bytes.append(contentsOf: $0) }
        for text in [kind, actor, subject, decision, purpose] as [String?] {
            Self.append(text, to: &bytes)
        }
        payloadDigest.withUnsafeBytes { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// The RFC 9162 leaf hash of the record, committing to `payloadDigest`.
    public func leafHash(payloadDigest: MerkleHash) -> MerkleHash {
        leafInput(payloadDigest: payloadDigest).withUnsafeBytes { MerkleHasher.leafHash($0) }
    }

    /// The `recorded_at` a leaf input commits to, in microseconds since the Unix epoch; nil when
    /// `leafInput` is not a leaf input of this format (wrong domain or too short).
    public static func recordedAtMicroseconds(inLeafInput leafInput: [UInt8]) -> Int64? {
        let start = domain.count + 8
        guard leafInput.count >= start + 8, leafInput.starts(with: domain) else { return nil }
        let value = leafInput[start ..< start + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int64(bitPattern: value)
    }

    static let domain: [UInt8] = Array("bilet-audit-leaf/1".utf8) + [0]

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
