import Audit
import Foundation
import Vault

/// The signed checkpoints saved outside the database (the sequencer's checkpoint directory:
/// `latest` and, with history kept, one `<sequence>.checkpoint` per checkpoint) that a restored
/// snapshot can be checked against: those no newer than the backup's newest checkpoint.
enum SavedCheckpoints {
    /// Every saved checkpoint in `directory` up to the backup's newest one, which must be among
    /// them (same sequence and root) when the backup has one.
    ///
    /// - Throws: ``BackupError/checkpointNotSaved(sequence:)``, ``BackupError/io(_:)``.
    static func usable(in directory: String, for manifest: BackupManifest) throws(BackupError) -> [SignedCheckpoint] {
        guard let newest = manifest.newestCheckpoint else { return [] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var found: [UInt64: SignedCheckpoint] = [:]
        for name in names where name == "latest" || name.hasSuffix(".checkpoint") {
            let saved: SignedCheckpoint
            do {
                saved = try CheckpointDirectory.read(directory + "/" + name)
            } catch {
                throw .io("cannot read the saved checkpoint \(name)")
            }
            guard let sequence = saved.checkpoint.sequence, sequence <= UInt64(newest.sequence) else { continue }
            found[sequence] = saved
        }
        guard let match = found[UInt64(newest.sequence)],
            BackupManifest.Checkpoint.hex(match.checkpoint.root.bytes) == newest.rootHash,
            match.checkpoint.size == UInt64(newest.treeSize)
        else { throw .checkpointNotSaved(sequence: newest.sequence) }
        return found.keys.sorted().compactMap { found[$0] }
    }
}
