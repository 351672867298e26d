/// What a verified backup says about itself: its manifest and the dump's size.
public struct BackupSummary: Hashable, Sendable {
    /// The manifest from the header.
    public let manifest: BackupManifest
    /// The dump's plaintext size in bytes, from the authenticated trailer.
    public let dumpByteCount: UInt64
    /// The number of sealed chunks.
    public let chunkCount: UInt64
}
