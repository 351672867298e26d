/// The layout of a backup file (format version 1), all integers big-endian:
///
/// ```
/// "BILETBAK"  version:u16  backup id:16 bytes  header length:u32  header (JSON manifest)
/// 0x01 length:u32 sealed chunk        … one per MiB of dump: nonce ‖ AES-256-GCM ciphertext ‖ tag,
///                                       associated data = "bilet backup v1 chunk" ‖ id ‖ index:u64
/// 0x02 dump size:u64 chunk count:u64 digest:32 MAC:32
/// ```
///
/// The digest is SHA-256 over every byte before it (header, manifest, chunks, sizes); the MAC is
/// HMAC-SHA-256 of the digest under the file's authentication key, so nothing can be changed,
/// reordered, dropped or appended without the key. The keyless digest lets a reader tell a damaged
/// file (digest wrong, whatever the key) from a wrong key (digest right, the vault's check tag not
/// matching the secret) before it judges the MAC.
enum BackupFormat {
    static let magic = Array("BILETBAK".utf8)
    static let version: UInt16 = 1
    static let backupIDByteCount = 16
    static let chunkByteCount = 1 << 20
    /// The largest header and sealed chunk a reader accepts (anything larger is a modified file).
    static let maximumHeaderByteCount = 1 << 16
    static let maximumSealedChunkByteCount = chunkByteCount + 64
    static let chunkKind: UInt8 = 0x01
    static let trailerKind: UInt8 = 0x02
    static let digestByteCount = 32
    static let macByteCount = 32

    /// The associated data of chunk `index` of backup `backupID`.
    static func associatedData(backupID: [UInt8], index: UInt64) -> [UInt8] {
        Array("bilet backup v1 chunk".utf8) + backupID + bigEndian(index)
    }

    static func bigEndian<Value: FixedWidthInteger>(_ value: Value) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    static func integer<Value: FixedWidthInteger>(_ type: Value.Type, from bytes: [UInt8]) -> Value {
        bytes.reduce(Value.zero) { $0 << 8 | Value($1) }
    }
}
