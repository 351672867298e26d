import Foundation

/// Writes signed checkpoints to a folder (`audit/checkpoints/` by default), outside the
/// database: `latest` (replaced atomically) and, when ``keepsHistory`` is set, one
/// `<sequence>.checkpoint` file each. A copy outside the database is what detects a truncation
/// of the newest records together with their checkpoints, even by the database superuser.
public struct CheckpointDirectory: Sendable {
    /// The folder.
    public let path: String
    /// Whether every checkpoint is also kept as its own file.
    public let keepsHistory: Bool

    /// A writer for `path` (created on first write).
    public init(path: String, keepsHistory: Bool = false) {
        self.path = path
        self.keepsHistory = keepsHistory
    }

    /// The file holding the newest checkpoint.
    public var latestPath: String { path + "/latest" }

    /// Writes `checkpoint` as the latest (and to history when kept).
    ///
    /// - Throws: ``AuditError/Code/file``.
    public func write(_ checkpoint: SignedCheckpoint) throws(AuditError) {
        let data = Data(checkpoint.serialized.utf8)
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            // Data.write(options: .atomic) writes a temporary file and renames it into place.
            try data.write(to: URL(fileURLWithPath: latestPath), options: .atomic)
            if keepsHistory, let sequence = checkpoint.checkpoint.sequence {
                try data.write(to: URL(fileURLWithPath: path + "/\(sequence).checkpoint"), options: .atomic)
            }
        } catch {
            throw AuditError(.file, "cannot write a checkpoint file in \(path)")
        }
    }

    /// The newest saved checkpoint, or nil when none was saved.
    ///
    /// - Throws: ``AuditError/Code/file`` when the file exists but cannot be read, or the parse errors.
    public func latest() throws(AuditError) -> SignedCheckpoint? {
        guard FileManager.default.fileExists(atPath: latestPath) else { return nil }
        return try Self.read(latestPath)
    }

    /// Reads a signed checkpoint file.
    public static func read(_ file: String) throws(AuditError) -> SignedCheckpoint {
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw AuditError(.file, "cannot read checkpoint file \(file)")
        }
        return try SignedCheckpoint(parsing: text)
    }
}
