import Audit
import Foundation
import GnuTLS
import Logging
import Settings

/// The key that signs the audit log's checkpoints in this process.
enum CheckpointSigner {
    /// The configured signer; for a private-cluster run without a configured key, a development
    /// key created once under the cluster's parent directory (`var/audit/`, mode 0600, git-ignored).
    /// `nil` when a database is configured but no key: the sequencer then runs elsewhere
    /// (`bilet audit sequence`).
    static func load(_ settings: BiletSettings, logger: Logger) throws -> NoteSigner? {
        let path: String
        if let configured = settings.audit.signingKey {
            path = configured
        } else if settings.database.url == nil {
            let directory = URL(fileURLWithPath: settings.database.localDirectory).standardizedFileURL
                .deletingLastPathComponent().appendingPathComponent("audit")
            path = directory.appendingPathComponent("checkpoint-signing.key").path
            if !FileManager.default.fileExists(atPath: path) {
                try FileManager.default.createDirectory(
                    at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                let pem = try PrivateKey.generate(algorithm: .ed25519).exportPEM()
                guard FileManager.default.createFile(
                    atPath: path, contents: Data(pem.utf8), attributes: [.posixPermissions: 0o600])
                else { throw CheckpointSignerError.unwritable }
                logger.notice("created a development checkpoint signing key", metadata: ["path": "\(path)"])
            }
        } else {
            return nil
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
            throw CheckpointSignerError.readableByOthers
        }
        guard let pem = FileManager.default.contents(atPath: path) else { throw CheckpointSignerError.unreadable }
        let key = try PrivateKey(pemRepresentation: String(decoding: pem, as: UTF8.self))
        return try NoteSigner(name: settings.audit.origin, privateKey: key)
    }
}

/// Why the checkpoint signing key cannot be used.
enum CheckpointSignerError: Error, CustomStringConvertible {
    case unreadable, unwritable, readableByOthers

    var description: String {
        switch self {
        case .unreadable: "audit.signing_key: the key file cannot be read"
        case .unwritable: "audit.signing_key: the development key cannot be written"
        case .readableByOthers: "audit.signing_key: the key file is readable by group or others; make it mode 0600"
        }
    }
}
